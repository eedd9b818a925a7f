// Every in-circuit gadget against its TypeScript twin (circuits/lib/*.circom vs src/snark and src/rollup).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { poseidon, sign, verify } from '../../src/rollup/index.ts';
import { compileCircuit } from '../../src/snark/compile.ts';
import type { CircuitSpec, CompiledCircuit } from '../../src/snark/compile.ts';
import { WitnessError } from '../../src/snark/errors.ts';
import { CIRCUITS_DIR } from '../../src/snark/paths.ts';
import { calculateWitness } from '../../src/snark/prove.ts';
import { releaseSnarkjs } from '../../src/snark/setup.ts';
import { StateTree, accountLeaf, merkleRoot, placeAmong } from '../../src/snark/tree.ts';
import { withdrawalTreeRoot } from '../../src/snark/witness.ts';
import type { CircuitInput } from '../../src/snark/witness.ts';
import { readWitness } from '../../src/snark/wtns.ts';
import { key } from './fixtures.ts';

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const L = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;

after(releaseSnarkjs);

const gadget = (name: string, include: string, template: string, params: number[]): Promise<CompiledCircuit> =>
  compileCircuit({ name, include, template, params, publicInputs: [] } satisfies CircuitSpec);

/** The circuit's first output, or undefined when the inputs cannot satisfy it. */
async function output(circuit: CompiledCircuit, input: CircuitInput): Promise<bigint | undefined> {
  try {
    return readWitness(await calculateWitness(circuit, input))[1];
  } catch (error) {
    assert.ok(error instanceof WitnessError, `expected a WitnessError, got ${String(error)}`);
    return undefined;
  }
}

async function satisfiable(circuit: CompiledCircuit, input: CircuitInput): Promise<boolean> {
  try {
    await calculateWitness(circuit, input);
    return true;
  } catch (error) {
    assert.ok(error instanceof WitnessError);
    return false;
  }
}

describe('RangeCheck(8)', () => {
  const circuit = gadget('range8', 'lib/range.circom', 'RangeCheck', [8]);
  const cases: Array<[bigint, boolean]> = [
    [0n, true],
    [1n, true],
    [255n, true],
    [256n, false],
    [1000n, false],
    [P - 1n, false],
  ];
  for (const [value, ok] of cases) {
    test(`${value} ${ok ? 'fits' : 'does not fit'} in 8 bits`, async () => {
      assert.equal(await satisfiable(await circuit, { in: value }), ok);
    });
  }
});

describe('QuadPlace: the 4-ary path multiplexer', () => {
  const circuit = gadget('quad_place', 'lib/merkle.circom', 'QuadPlace', []);
  const node = 1111n;
  const others = [2222n, 3333n, 4444n];
  for (const position of [0, 1, 2, 3]) {
    test(`the node at position ${position}, the others in order`, async () => {
      const bits = [BigInt(position & 1), BigInt(position >> 1)];
      const w = readWitness(await calculateWitness(await circuit, { node, others, bits }));
      const expected = placeAmong(node, position, others);
      assert.deepEqual(w.slice(1, 5), expected, `children for position ${position}`);
      assert.equal(expected[position], node);
    });
  }
  test('costs at most 6 constraints', async () => {
    assert.ok((await circuit).constraints <= 6, `${(await circuit).constraints} constraints`);
  });
});

describe('MerkleUpdateAt(4) against the twin tree', () => {
  const depth = 4;
  const circuit = gadget('merkle_update4', 'lib/merkle.circom', 'MerkleUpdateAt', [depth]);
  const tree = new StateTree(depth, [
    [0, { ax: 1n, ay: 2n, balance: 3n, nonce: 0n }],
    [5, { ax: 4n, ay: 5n, balance: 6n, nonce: 7n }],
    [15, { ax: 8n, ay: 9n, balance: 10n, nonce: 11n }],
  ]);
  for (const index of [0, 5, 6, 15]) {
    test(`update of leaf ${index} gives the twin's new root`, async () => {
      const account = { ax: 11n, ay: 12n, balance: BigInt(index), nonce: 1n };
      const siblings = tree.siblings(index);
      const input = {
        oldRoot: tree.root,
        index: BigInt(index),
        oldLeaf: accountLeaf(tree.get(index)),
        newLeaf: accountLeaf(account),
        siblings,
      };
      const after = tree.clone();
      after.set(index, account);
      assert.equal(await output(await circuit, input), after.root);
      assert.equal(merkleRoot(accountLeaf(account), index, siblings), after.root);
    });
  }
  test('a wrong sibling, a wrong old leaf or an index past the tree is rejected', async () => {
    const index = 5;
    const base = {
      oldRoot: tree.root,
      index: BigInt(index),
      oldLeaf: accountLeaf(tree.get(index)),
      newLeaf: 1n,
      siblings: tree.siblings(index),
    };
    assert.notEqual(await output(await circuit, base), undefined);
    const siblings = [...base.siblings];
    siblings[2] = siblings[2]! + 1n;
    assert.equal(await output(await circuit, { ...base, siblings }), undefined);
    assert.equal(await output(await circuit, { ...base, oldLeaf: base.oldLeaf + 1n }), undefined);
    assert.equal(await output(await circuit, { ...base, index: BigInt(index + 16) }), undefined);
  });
});

describe('EdDSAPoseidonValid against the rollup verifier', () => {
  const circuit = gadget('eddsa_valid', 'lib/eddsa.circom', 'EdDSAPoseidonValid', []);
  const k = key(7);
  const A = { x: k.ax, y: k.ay };
  const msg = 123456789n;
  const sig = sign(k.privateKey, msg);
  const cases: Array<[string, bigint, bigint, bigint, bigint, bigint, bigint]> = [
    ['a valid signature', A.x, A.y, sig.S, sig.R8.x, sig.R8.y, msg],
    ['another message', A.x, A.y, sig.S, sig.R8.x, sig.R8.y, msg + 1n],
    ['S + l (not reduced)', A.x, A.y, sig.S + L, sig.R8.x, sig.R8.y, msg],
    ['S = p - 1', A.x, A.y, P - 1n, sig.R8.x, sig.R8.y, msg],
    ['S = 0', A.x, A.y, 0n, sig.R8.x, sig.R8.y, msg],
    ['R8 off the curve', A.x, A.y, sig.S, sig.R8.x + 1n, sig.R8.y, msg],
    ['R8 = (0, 0)', A.x, A.y, sig.S, 0n, 0n, msg],
    ['the empty key (0, 0)', 0n, 0n, sig.S, sig.R8.x, sig.R8.y, msg],
    ['another key', key(8).ax, key(8).ay, sig.S, sig.R8.x, sig.R8.y, msg],
  ];
  for (const [name, ax, ay, s, r8x, r8y, m] of cases) {
    test(`${name}: the circuit's verdict is the rollup's`, async () => {
      const expected = verify(m, { R8: { x: r8x, y: r8y }, S: s }, { x: ax, y: ay }) ? 1n : 0n;
      const got = await output(await circuit, { Ax: ax, Ay: ay, S: s, R8x: r8x, R8y: r8y, M: m });
      assert.equal(got, expected, `verdict for ${name}: expected ${expected}, got ${got}`);
    });
  }
});

describe('WithdrawalRoot(3, 4): compaction and tree against the twin', () => {
  const circuit = gadget('withdrawal_root', 'lib/withdrawal_tree.circom', 'WithdrawalRoot', [3, 4]);
  const leaves = [poseidon([1n]), poseidon([2n]), poseidon([3n])];
  const patterns: number[][] = [
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [0, 1, 1],
    [1, 1, 1],
  ];
  for (const has of patterns) {
    test(`slots with withdrawals ${JSON.stringify(has)}`, async () => {
      const expected = withdrawalTreeRoot(
        leaves.filter((_, j) => has[j] === 1),
        4,
      );
      assert.equal(await output(await circuit, { has: has.map(BigInt), leaf: leaves }), expected);
    });
  }
  test('the empty-subtree constants in the circuit are the Poseidon chain', () => {
    const source = readFileSync(join(CIRCUITS_DIR, 'lib', 'withdrawal_tree.circom'), 'utf8');
    const listed = /var z\[17\] = \[([^\]]+)\]/
      .exec(source)![1]!
      .split(',')
      .map((v) => BigInt(v.trim()));
    let z = 0n;
    listed.forEach((value, k) => {
      assert.equal(value, z, `Z_${k}`);
      z = poseidon([z, z]);
    });
  });
});

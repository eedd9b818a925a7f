// The batch circuit against its TypeScript twin and the rollup's state machine (docs/protocol.md), on random and
// hand-made batches, and the negative cases of issue 5: each must be impossible to prove.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { compileCircuit } from '../../src/snark/compile.ts';
import type { CompiledCircuit } from '../../src/snark/compile.ts';
import { WitnessError } from '../../src/snark/errors.ts';
import { StateTree, batchCircuitSpec } from '../../src/snark/index.ts';
import { calculateWitness } from '../../src/snark/prove.ts';
import { releaseSnarkjs } from '../../src/snark/setup.ts';
import { buildBatchWitness } from '../../src/snark/witness.ts';
import type { BatchWitness, CircuitInput } from '../../src/snark/witness.ts';
import { readWitness } from '../../src/snark/wtns.ts';
import { L1Queue } from '../../src/rollup/index.ts';
import type { Op } from '../../src/rollup/index.ts';
import {
  CHAIN_ID,
  SMALL,
  deposit,
  forcedExit,
  genesis,
  itemsOf,
  randomBatch,
  rollupReference,
  transfer,
  withdraw,
} from './fixtures.ts';

after(releaseSnarkjs);

const circuit: Promise<CompiledCircuit> = compileCircuit(batchCircuitSpec(SMALL));
const header = { batchNumber: 7, chainId: CHAIN_ID, queueStart: 0, queueStartHash: 0n };

async function circuitOutput(input: CircuitInput): Promise<bigint> {
  return readWitness(await calculateWitness(await circuit, input))[1]!;
}

async function unprovable(input: CircuitInput): Promise<void> {
  await assert.rejects(calculateWitness(await circuit, input), WitnessError);
}

/** A deep copy of the input with one slot field changed. */
function tamper(
  input: CircuitInput,
  field: string,
  slot: number,
  value: bigint | ((v: bigint) => bigint),
): CircuitInput {
  const copy = structuredClone(input);
  const list = copy[field] as bigint[];
  list[slot] = typeof value === 'function' ? value(list[slot]!) : value;
  return copy;
}

function feeCredit(ops: Op[]): Op[] {
  let fees = 0n;
  for (const op of ops) if (op.kind === 'transfer' || op.kind === 'withdraw') fees += op.tx.fee;
  return [...ops, { kind: 'feeCredit', amount: fees }];
}

describe('batch circuit: compiler checks', () => {
  test('--inspect reports only the known, harmless circomlib warnings (see src/snark/README.md)', async () => {
    const allowed = [
      /In template "LessThan\(\d+\)": .*n2b\.out/,
      /In template "CompConstant\(\d+\)": .*num2bits\.out/,
      /In template "EscalarMulAny\(254\)": .*segments\[\d+\]\.dbl/,
      /In template "EscalarMulFix\(253,.*segments\[\d+\]\.dbl/,
    ];
    const { warnings } = await circuit;
    for (const w of warnings)
      assert.ok(w.startsWith('warning[CA02]') && allowed.some((r) => r.test(w)), `unexpected warning: ${w}`);
  });
});

describe('batch circuit: shapes', () => {
  test('an odd state depth is refused before compiling (the state tree is 4-ary)', () => {
    assert.throws(() => batchCircuitSpec({ ...SMALL, depth: 5 }), { name: 'SnarkError', message: /even/ });
    assert.throws(() => new StateTree(5), WitnessError);
    assert.throws(() => batchCircuitSpec({ ...SMALL, slots: 0 }), { name: 'SnarkError' });
    assert.equal(batchCircuitSpec(SMALL).params.join(','), `${SMALL.slots},${SMALL.depth},${SMALL.withdrawalDepth}`);
  });
});

describe('batch circuit: differential against the twin and the rollup', () => {
  const tree = genesis(SMALL.depth, 4, 1_000_000n);
  const mixed = feeCredit([
    deposit(0, 4, 5, 50_000n),
    transfer(1, 2, 1000n, 10n, 0),
    withdraw(2, 5000n, 20n, 0),
    forcedExit(1, 3, 0, true),
  ]);
  const cases: Array<[string, Op[]]> = [
    ['deposit, transfer, withdraw, forced exit', mixed],
    ['empty batch (all padding)', feeCredit([])],
    [
      'rejected forced exit (wrong nonce) and a deposit to an existing account',
      feeCredit([forcedExit(0, 2, 5, false), deposit(1, 2, 3, 7n)]),
    ],
    ['forced exit signed by another key is rejected', feeCredit([forcedExit(0, 1, 0, false, 9)])],
    ['forced exit of an account beyond the tree is rejected', feeCredit([forcedExit(0, 1000, 0, false)])],
  ];
  for (let seed = 1; seed <= 6; seed++)
    cases.push([`random batch #${seed}`, randomBatch(tree, SMALL.slots, seed * 7919)]);

  for (const [name, ops] of cases) {
    test(name, async () => {
      const reference = rollupReference(
        tree,
        ops,
        { batchNumber: header.batchNumber, queueStart: 0, items: itemsOf(ops) },
        SMALL.withdrawalDepth,
      );
      const twin = buildBatchWitness(SMALL, header, tree, ops);
      assert.equal(twin.oldRoot, reference.oldRoot, 'old root');
      assert.equal(twin.newRoot, reference.newRoot, 'new root');
      assert.equal(twin.dataDigest, reference.dataDigest, 'data digest');
      assert.equal(twin.withdrawalRoot, reference.withdrawalRoot, 'withdrawal root');
      assert.equal(twin.queueEnd, reference.queueEnd, 'queue end');
      assert.equal(twin.queueEndHash, reference.queueEndHash, 'queue hash');
      assert.equal(twin.publicInput, reference.publicInput, 'public input');
      assert.equal(
        await circuitOutput(twin.input),
        reference.publicInput,
        'the circuit computes the same public input',
      );
    });
  }
});

describe('batch circuit: invalid batches fail witness generation', () => {
  const tree = genesis(SMALL.depth, 4, 1_000_000n);
  const bad: Array<[string, Op[]]> = [
    ['overspend', feeCredit([transfer(1, 2, 999_999n, 2n, 0)])],
    ['wrong nonce', feeCredit([transfer(1, 2, 5n, 0n, 1)])],
    ['transfer to an empty account', feeCredit([transfer(1, 9, 5n, 0n, 0)])],
    ['forced exit recorded as applied but signed by another key', feeCredit([forcedExit(0, 1, 0, true, 9)])],
    ['skipped L1 queue item', feeCredit([deposit(1, 4, 5, 10n)])],
    ['fee credit that does not match the fees', [transfer(1, 2, 5n, 3n, 0), { kind: 'feeCredit', amount: 4n }]],
    ['more operations than slots', feeCredit([0, 1, 2, 3, 4].map((i) => deposit(i, 4, 5, 1n)))],
  ];
  for (const [name, ops] of bad) {
    test(name, () => {
      assert.throws(() => buildBatchWitness(SMALL, header, tree, ops), WitnessError);
    });
  }
  test('a forged signature', () => {
    const op = transfer(1, 2, 5n, 0n, 0);
    if (op.kind !== 'transfer') throw new Error('unreachable');
    const forged: Op = { kind: 'transfer', tx: { ...op.tx, sig: { ...op.tx.sig, S: op.tx.sig.S + 1n } } };
    assert.throws(() => buildBatchWitness(SMALL, header, tree, feeCredit([forged])), WitnessError);
  });
});

describe('batch circuit: tampered witnesses cannot be proven', () => {
  const tree = genesis(SMALL.depth, 4, 1_000_000n);
  const ops = feeCredit([
    deposit(0, 4, 5, 50_000n),
    transfer(1, 2, 1000n, 10n, 0),
    withdraw(2, 5000n, 20n, 0),
    forcedExit(1, 3, 0, true),
  ]);
  const valid: BatchWitness = buildBatchWitness(SMALL, header, tree, ops);

  test('the untampered witness is accepted', async () => {
    assert.equal(await circuitOutput(valid.input), valid.publicInput);
  });
  test('forged signature (S + 1) on the transfer', async () => {
    await unprovable(tamper(valid.input, 's', 1, (s) => s + 1n));
  });
  test('forged signature: R8 of another signature', async () => {
    await unprovable(tamper(valid.input, 'r8x', 1, (valid.input['r8x'] as bigint[])[2]!));
  });
  test('wrong nonce: the account claims another nonce', async () => {
    await unprovable(tamper(valid.input, 'aNonce', 1, (n) => n + 1n));
  });
  test('wrong nonce: a transfer signed for the next nonce', async () => {
    const next = buildBatchWitness(SMALL, header, tree, feeCredit([transfer(1, 2, 1000n, 10n, 0)]));
    const signedNext = transfer(1, 2, 1000n, 10n, 1);
    if (signedNext.kind !== 'transfer') throw new Error('unreachable');
    let input = tamper(next.input, 's', 0, signedNext.tx.sig.S);
    input = tamper(input, 'r8x', 0, signedNext.tx.sig.R8.x);
    input = tamper(input, 'r8y', 0, signedNext.tx.sig.R8.y);
    await unprovable(input);
  });
  test('overspend: amount above the balance, with a valid signature for it', async () => {
    const base = buildBatchWitness(SMALL, header, tree, feeCredit([transfer(1, 2, 1000n, 0n, 0)]));
    const big = transfer(1, 2, 1_000_001n, 0n, 0);
    if (big.kind !== 'transfer') throw new Error('unreachable');
    let input = tamper(base.input, 'amount', 0, 1_000_001n);
    input = tamper(input, 's', 0, big.tx.sig.S);
    input = tamper(input, 'r8x', 0, big.tx.sig.R8.x);
    input = tamper(input, 'r8y', 0, big.tx.sig.R8.y);
    await unprovable(input);
  });
  test('overspend: the account claims a larger balance', async () => {
    await unprovable(tamper(valid.input, 'aBalance', 1, (b) => b + 1_000_000n));
  });
  test('wrong Merkle sibling', async () => {
    const input = structuredClone(valid.input);
    const siblings = input['aSiblings'] as bigint[][];
    siblings[1]![2] = siblings[1]![2]! + 1n;
    await unprovable(input);
  });
  test('wrong Merkle sibling on the receiver path', async () => {
    const input = structuredClone(valid.input);
    const siblings = input['bSiblings'] as bigint[][];
    siblings[1]![0] = siblings[1]![0]! + 1n;
    await unprovable(input);
  });
  test('inflated withdrawal: larger amount under the same signature', async () => {
    await unprovable(tamper(valid.input, 'amount', 2, (a) => a + 1n));
  });
  test('inflated forced exit: the account claims a larger balance', async () => {
    await unprovable(tamper(valid.input, 'aBalance', 3, (b) => b + 1n));
  });
  test('nonce exhausted: an account at nonce 2^32 - 1 cannot sign another transfer', async () => {
    const MAX = (1n << 32n) - 1n;
    // The twin refuses such a batch, so the input is built here: one transfer from account 1 (at `nonce`) to 2, then
    // padding on account 0, with every path taken from the state as it evolves. At nonce MAX - 1 the same procedure
    // gives an input the circuit accepts, so the rejection at MAX is the nonce rule and nothing else.
    const inputAt = (nonce: bigint): { input: CircuitInput; publicInput: bigint } => {
      const start = genesis(SMALL.depth, 4, 1_000_000n);
      start.set(1, { ...start.get(1), nonce });
      const before = genesis(SMALL.depth, 4, 1_000_000n);
      before.set(1, { ...before.get(1), nonce: MAX - 1n });
      const template = buildBatchWitness(
        SMALL,
        header,
        before,
        feeCredit([transfer(1, 2, 1000n, 10n, Number(MAX - 1n))]),
      );
      const signed = transfer(1, 2, 1000n, 10n, Number(nonce));
      if (signed.kind !== 'transfer') throw new Error('unreachable');
      const input = structuredClone(template.input);
      const post = start.clone();
      input['oldRoot'] = start.root;
      (input['aNonce'] as bigint[])[0] = nonce;
      (input['s'] as bigint[])[0] = signed.tx.sig.S;
      (input['r8x'] as bigint[])[0] = signed.tx.sig.R8.x;
      (input['r8y'] as bigint[])[0] = signed.tx.sig.R8.y;
      (input['aSiblings'] as bigint[][])[0] = post.siblings(1);
      post.set(1, { ...post.get(1), balance: post.get(1).balance - 1010n, nonce: nonce + 1n });
      (input['bSiblings'] as bigint[][])[0] = post.siblings(2);
      post.set(2, { ...post.get(2), balance: post.get(2).balance + 1000n });
      for (let j = 1; j < SMALL.slots; j++) {
        (input['aSiblings'] as bigint[][])[j] = post.siblings(0);
        (input['bSiblings'] as bigint[][])[j] = post.siblings(0);
      }
      input['feeSiblings'] = post.siblings(0);
      return { input, publicInput: template.publicInput };
    };
    const honest = inputAt(MAX - 1n);
    assert.equal(await circuitOutput(honest.input), honest.publicInput);
    await unprovable(inputAt(MAX).input);
  });
  test('a forced exit cannot be dodged by pointing at another account', async () => {
    // Slot 0 rejects a forced exit of account 1 (wrong nonce); its A path is account 1's. Renaming the item's account
    // to 3 while A stays at 1 would let the prover "reject" account 3's exit without looking at account 3.
    const rejected = buildBatchWitness(SMALL, header, tree, feeCredit([forcedExit(0, 1, 5, false)]));
    assert.equal(await circuitOutput(rejected.input), rejected.publicInput);
    await unprovable(tamper(rejected.input, 'itemAccount', 0, 3n));
  });
  test('a deposit cannot take over an account with another key', async () => {
    const other = buildBatchWitness(SMALL, header, tree, feeCredit([deposit(0, 3, 4, 10n)]));
    await unprovable(tamper(other.input, 'aIndex', 0, 2n));
  });
  test('skipped L1 queue item: the public input commits to a queue hash Bitcoin does not have', async () => {
    const items = itemsOf([deposit(0, 4, 5, 10n), deposit(1, 5, 6, 20n)]);
    const queue = new L1Queue();
    for (const item of items) queue.push(item);
    // The sequencer leaves item 0 out and consumes item 1 in its place. The circuit computes the chain over what it
    // was given, so its public input commits to H(Q_0, q_1) for the range [0, 1), while Bitcoin's Q_1 is H(Q_0, q_0):
    // no proof for the public input the verifier rebuilds from Bitcoin can come out of this witness.
    const skipping = buildBatchWitness(
      SMALL,
      header,
      tree,
      feeCredit([{ ...deposit(1, 5, 6, 20n), queueIndex: 0 } as Op]),
    );
    assert.equal(skipping.queueEnd, 1);
    assert.notEqual(skipping.queueEndHash, queue.chainAt(1));
    assert.equal(await circuitOutput(skipping.input), skipping.publicInput);
    const honest = buildBatchWitness(SMALL, header, tree, feeCredit([deposit(0, 4, 5, 10n)]));
    assert.equal(honest.queueEndHash, queue.chainAt(1));
    assert.notEqual(skipping.publicInput, honest.publicInput);
  });
});

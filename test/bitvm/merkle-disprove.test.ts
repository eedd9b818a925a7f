import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr } from '@noble/curves/secp256k1.js';
import { verifyInput, STANDARD_FLAGS, txid, ScriptError, type TxOutput } from '../../src/bitcoin/index.ts';
import {
  merklePathComputation,
  merklePathValues,
  merkleRootFromPath,
  nodeName,
  siblingName,
  leafName,
  chunkComputation,
  chunkCommitments,
  disproveOutput,
  taprootTree,
  buildAssertTransaction,
  buildDisproveTransaction,
  wrongSteps,
  valueParams,
  deriveSecretKey,
  generatePublicKey,
  WinternitzSigner,
  MemoryKeyStore,
  runScript,
  txSize,
  DisproveGameError,
  type Computation,
  type DisproveLeaf,
  type TaprootTree,
  type Prevout,
} from '../../src/bitvm/index.ts';

const DEPTH = 16;
const INDEX = 0b1011_0010_1100_0101;
const bytes32 = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + seed * 101 + 13) & 255);
const leafValue = bytes32(1);
const siblings = Array.from({ length: DEPTH }, (_, level) => bytes32(level + 2));
const root = merkleRootFromPath(leafValue, siblings, INDEX);
const payTo = Uint8Array.from([0x51, 0x20, ...new Uint8Array(32).fill(7)]);
const DISPROVE_VALUE = 50_000n;

let computation: Computation;
let leaves: DisproveLeaf[];
let tree: TaprootTree;
let disprovePrevout: Prevout;
const disprovePrevouts: TxOutput[] = [];
const secretKeys = new Map<string, Uint8Array>();
const publicKeys = new Map<string, Uint8Array[]>();
const masterSeed = new Uint8Array(32).fill(42);

/** Signs every committed value with a fresh guarded signer (a new assertion uses new keys in real life). */
async function signAll(values: ReadonlyMap<string, Uint8Array>): Promise<Map<string, Uint8Array[]>> {
  const signer = new WinternitzSigner(new MemoryKeyStore());
  const out = new Map<string, Uint8Array[]>();
  for (const value of computation.values)
    out.set(
      value.name,
      await signer.sign(
        valueParams(value),
        secretKeys.get(value.name) as Uint8Array,
        values.get(value.name) as Uint8Array,
      ),
    );
  return out;
}

/** Spends the disprove output through `leafIndex` and verifies the input with Keel's script engine. */
function tryDisprove(
  signatures: ReadonlyMap<string, Uint8Array[]>,
  leafIndex: number,
): { ok: boolean; error?: string } {
  const tx = buildDisproveTransaction({
    prevout: disprovePrevout,
    tree,
    leaves,
    leafIndex,
    signatures,
    payTo,
    fee: 20_000n,
  });
  try {
    verifyInput({ tx, index: 0, prevouts: disprovePrevouts, flags: STANDARD_FLAGS });
    return { ok: true };
  } catch (err) {
    if (err instanceof ScriptError) return { ok: false, error: err.code };
    throw err;
  }
}

function corrupt(values: ReadonlyMap<string, Uint8Array>, name: string, byte: number): Map<string, Uint8Array> {
  const copy = new Map(values);
  const changed = (values.get(name) as Uint8Array).slice();
  changed[byte % 32] = (changed[byte % 32] as number) ^ (1 << (byte % 8));
  copy.set(name, changed);
  return copy;
}

describe(`depth-${DEPTH} BLAKE3 Merkle path: assert and disprove`, () => {
  let honest: Map<string, Uint8Array>;
  let honestSignatures: Map<string, Uint8Array[]>;

  before(async () => {
    computation = merklePathComputation({ depth: DEPTH, index: INDEX, root });
    for (const value of computation.values) {
      const sk = deriveSecretKey(masterSeed, value.name);
      secretKeys.set(value.name, sk);
      publicKeys.set(value.name, generatePublicKey(valueParams(value), sk));
    }
    leaves = chunkComputation(computation, publicKeys);
    tree = disproveOutput(leaves);
    honest = merklePathValues(leafValue, siblings, INDEX);
    honestSignatures = await signAll(honest);
  });

  test('the chunker covers every step once and every leaf fits standard limits', () => {
    assert.deepEqual(
      leaves.flatMap((l) => l.steps),
      computation.steps.map((_, i) => i),
    );
    assert.equal(computation.values.length, 1 + DEPTH + DEPTH - 1);
    for (const leaf of leaves) {
      assert.ok(leaf.peakStack <= 1000, `leaf ${leaf.steps} peak ${leaf.peakStack}`);
      const tx = buildDisproveTransaction({
        prevout: { txid: new Uint8Array(32), vout: 0, value: DISPROVE_VALUE },
        tree,
        leaves,
        leafIndex: leaves.indexOf(leaf),
        signatures: honestSignatures,
        payTo,
        fee: 1000n,
      });
      assert.ok(txSize(tx).weight <= 400_000, `weight ${txSize(tx).weight}`);
      const stack = tx.inputs[0]?.witness.slice(0, -2) ?? [];
      assert.ok(stack.length <= 1000 && stack.every((item) => item.length <= 80), 'witness items standard');
    }
  });

  test('the assert transaction publishes every committed value and verifies on the script engine', () => {
    const operatorSecret = new Uint8Array(32).fill(5);
    const operatorKey = schnorr.getPublicKey(operatorSecret);
    const groups = chunkCommitments(computation, publicKeys, operatorKey);
    assert.deepEqual(
      groups.flatMap((g) => g.values),
      computation.values.map((v) => v.name),
    );
    const inputs = groups.map((group, vout) => ({
      prevout: { txid: new Uint8Array(32).fill(1), vout, value: 20_000n },
      tree: taprootTree([group.script.bytes]),
      group,
    }));
    const { tx, prevouts } = buildAssertTransaction({
      inputs,
      signatures: honestSignatures,
      disprove: { script: tree.outputScript, value: DISPROVE_VALUE },
      operatorSecretKey: operatorSecret,
    });
    assert.ok(txSize(tx).weight <= 400_000, `assert weight ${txSize(tx).weight}`);
    for (let index = 0; index < tx.inputs.length; index++) verifyInput({ tx, index, prevouts, flags: STANDARD_FLAGS });
    // A different operator key must not be able to publish (the Schnorr check binds the transaction).
    const forged = buildAssertTransaction({
      inputs,
      signatures: honestSignatures,
      disprove: { script: tree.outputScript, value: DISPROVE_VALUE },
      operatorSecretKey: new Uint8Array(32).fill(6),
    });
    assert.throws(() => verifyInput({ tx: forged.tx, index: 0, prevouts, flags: STANDARD_FLAGS }), ScriptError);

    disprovePrevout = { txid: txid(tx), vout: 0, value: DISPROVE_VALUE };
    disprovePrevouts.push({ value: DISPROVE_VALUE, script: tree.outputScript });
  });

  test('an honest assertion is disprovable by no leaf', () => {
    assert.deepEqual(wrongSteps(computation, honest), []);
    leaves.forEach((_, leafIndex) => {
      const result = tryDisprove(honestSignatures, leafIndex);
      assert.equal(result.ok, false, `leaf ${leafIndex} disproved an honest assertion`);
      assert.equal(result.error, 'EVAL_FALSE', `leaf ${leafIndex} failed for another reason`);
    });
  });

  for (let level = 1; level < DEPTH; level++) {
    test(`corrupting intermediate node ${level} is disprovable`, async () => {
      const bad = corrupt(honest, nodeName(level), level * 5);
      const signatures = await signAll(bad);
      const expected = wrongSteps(computation, bad);
      assert.ok(expected.includes(level - 1), 'the step that produced it is wrong');
      // The leaves re-executing the steps that read or write the value decide exactly as the reference does.
      const touched = leaves
        .map((leaf, i) => ({ leaf, i }))
        .filter(({ leaf }) => leaf.values.includes(nodeName(level)));
      assert.ok(touched.length >= 1);
      for (const { leaf, i } of touched) {
        const shouldWin = leaf.steps.some((s) => expected.includes(s));
        assert.equal(tryDisprove(signatures, i).ok, shouldWin, `leaf ${i} (steps ${leaf.steps})`);
      }
      const producer = leaves.findIndex((leaf) => leaf.steps.includes(level - 1));
      assert.equal(tryDisprove(signatures, producer).ok, true);
    });
  }

  test('a wrong leaf or sibling with honestly recomputed nodes is caught by the last step (root mismatch)', async () => {
    for (const name of [leafName, siblingName(9)]) {
      const values = new Map(honest);
      const changed = (values.get(name) as Uint8Array).slice();
      changed[0] = (changed[0] as number) ^ 0xff;
      values.set(name, changed);
      const recomputed = merklePathValues(
        values.get(leafName) as Uint8Array,
        siblings.map((_, i) => values.get(siblingName(i + 1)) as Uint8Array),
        INDEX,
      );
      assert.deepEqual(wrongSteps(computation, recomputed), [DEPTH - 1]);
      const signatures = await signAll(recomputed);
      assert.equal(tryDisprove(signatures, leaves.length - 1).ok, true);
      assert.equal(tryDisprove(signatures, 0).ok, false);
    }
  });

  test('peak stack on the interpreter stays under 1,000 items', () => {
    const result = runScript(
      leaves[0]?.script as DisproveLeaf['script'],
      leaves[0]?.values.flatMap((n) => honestSignatures.get(n) ?? []) ?? [],
    );
    assert.equal(result.ok, false);
    assert.ok(
      result.maxStackItems <= 1000 && result.maxStackItems <= (leaves[0]?.peakStack ?? 0),
      `${result.maxStackItems}`,
    );
  });

  test('bad statements are typed errors', () => {
    assert.throws(() => merklePathComputation({ depth: 0, index: 0, root }), DisproveGameError);
    assert.throws(() => merklePathComputation({ depth: 4, index: 16, root }), DisproveGameError);
    assert.throws(() => merklePathComputation({ depth: 4, index: 0, root: new Uint8Array(31) }), DisproveGameError);
  });
});

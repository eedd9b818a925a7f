import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  merklePathComputation,
  merklePathValues,
  merkleRootFromPath,
  nodeName,
  chunkComputation,
  wrongSteps,
  valueParams,
  deriveSecretKey,
  generatePublicKey,
  signUnguarded,
  runScript,
  analyzeScript,
  DisproveGameError,
  type Computation,
  type DisproveLeaf,
} from '../../src/bitvm/index.ts';

const DEPTH = 4;
const INDEX = 0b0110;
const bytes32 = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + seed * 29) & 255);
const leafValue = bytes32(100);
const siblings = Array.from({ length: DEPTH }, (_, i) => bytes32(i));

describe('chunker: packing several steps into one leaf', () => {
  let computation: Computation;
  const secretKeys = new Map<string, Uint8Array>();
  const publicKeys = new Map<string, Uint8Array[]>();
  let packed: DisproveLeaf[];

  before(() => {
    computation = merklePathComputation({
      depth: DEPTH,
      index: INDEX,
      root: merkleRootFromPath(leafValue, siblings, INDEX),
    });
    for (const value of computation.values) {
      const sk = deriveSecretKey(new Uint8Array(16).fill(1), value.name);
      secretKeys.set(value.name, sk);
      publicKeys.set(value.name, generatePublicKey(valueParams(value), sk));
    }
    packed = chunkComputation(computation, publicKeys, {
      maxTxWeight: 400_000,
      maxStackItems: 1000,
      maxStepsPerLeaf: DEPTH,
    });
  });

  const witness = (values: ReadonlyMap<string, Uint8Array>, leaf: DisproveLeaf) =>
    leaf.values.flatMap((name) =>
      signUnguarded(
        valueParams({ name, bytes: 32 }),
        secretKeys.get(name) as Uint8Array,
        values.get(name) as Uint8Array,
      ),
    );

  test('packs consecutive steps while the stack limit allows, and never splits a step', () => {
    assert.ok(packed.length < DEPTH, `expected packing, got ${packed.length} leaves`);
    assert.deepEqual(
      packed.flatMap((leaf) => leaf.steps),
      [0, 1, 2, 3],
    );
    for (const leaf of packed) {
      assert.ok(leaf.peakStack <= 1000);
      // The static analyser agrees with the tracker: the leaf consumes exactly its witness and leaves one item.
      const report = analyzeScript(leaf.script);
      assert.equal(report.inputs, leaf.witnessItems);
      assert.equal(report.netDepth, 1 - leaf.witnessItems);
      assert.ok(report.peakDepth + leaf.witnessItems <= leaf.peakStack + 1);
    }
  });

  test('a packed leaf accepts no honest assertion and catches every corrupted node it covers', () => {
    const honest = merklePathValues(leafValue, siblings, INDEX);
    for (const leaf of packed) {
      const result = runScript(leaf.script, witness(honest, leaf));
      assert.equal(result.ok, false);
      assert.equal(result.error, 'EVAL_FALSE');
      assert.ok(result.maxStackItems <= leaf.peakStack);
    }
    for (let level = 1; level < DEPTH; level++) {
      const bad = new Map(honest);
      const changed = (bad.get(nodeName(level)) as Uint8Array).slice();
      changed[31] = (changed[31] as number) ^ 0x01;
      bad.set(nodeName(level), changed);
      const wrong = wrongSteps(computation, bad);
      for (const leaf of packed.filter((l) => l.values.includes(nodeName(level)))) {
        const expected = leaf.steps.some((s) => wrong.includes(s));
        assert.equal(
          runScript(leaf.script, witness(bad, leaf)).ok,
          expected,
          `node ${level}, leaf steps ${leaf.steps}`,
        );
      }
    }
  });

  test('tighter limits give smaller leaves; impossible limits are a typed error', () => {
    const single = chunkComputation(computation, publicKeys, {
      maxTxWeight: 400_000,
      maxStackItems: 700,
      maxStepsPerLeaf: DEPTH,
    });
    assert.ok(single.length > packed.length, 'a tighter stack limit needs more leaves');
    assert.deepEqual(
      single.flatMap((leaf) => leaf.steps),
      [0, 1, 2, 3],
    );
    for (const leaf of single) assert.ok(leaf.peakStack <= 700, `peak ${leaf.peakStack}`);
    assert.throws(
      () => chunkComputation(computation, publicKeys, { maxTxWeight: 400_000, maxStackItems: 400, maxStepsPerLeaf: 1 }),
      DisproveGameError,
    );
    assert.throws(
      () => chunkComputation(computation, publicKeys, { maxTxWeight: 50_000, maxStackItems: 1000, maxStepsPerLeaf: 1 }),
      DisproveGameError,
    );
  });
});

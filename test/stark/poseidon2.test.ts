import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  EXTERNAL_ROUND_CONSTANTS,
  INTERNAL_DIAGONAL_MINUS_ONE,
  INTERNAL_ROUND_CONSTANTS,
  grainPoseidon2Constants,
  P,
  poseidon2,
  poseidon2Compress,
  poseidon2Hash,
} from '../../src/stark/index.ts';

interface VectorFile {
  internalDiagonalMinusOne: string[];
  externalRoundConstants: string[][];
  internalRoundConstants: string[];
  vectors: { name: string; input: number[]; output: number[] }[];
}

const file = JSON.parse(
  readFileSync(new URL('../vectors/poseidon2/babybear-width16-horizenlabs.json', import.meta.url), 'utf8'),
) as VectorFile;

describe('Poseidon2 BabyBear width 16 (Horizen Labs instance)', () => {
  test('constants in src match the published constants', () => {
    assert.deepEqual([...INTERNAL_DIAGONAL_MINUS_ONE], file.internalDiagonalMinusOne.map(Number));
    assert.deepEqual(
      EXTERNAL_ROUND_CONSTANTS.map((r) => [...r]),
      file.externalRoundConstants.map((r) => r.map(Number)),
    );
    assert.deepEqual([...INTERNAL_ROUND_CONSTANTS], file.internalRoundConstants.map(Number));
  });

  for (const vector of file.vectors) {
    test(`reference vector: ${vector.name}`, () => {
      assert.deepEqual([...poseidon2(vector.input)], vector.output);
    });
  }

  test('rejects malformed states', () => {
    assert.throws(() => poseidon2(new Array(15).fill(0)), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => poseidon2([P, ...new Array(15).fill(0)]), { code: 'INVALID_ARGUMENT' });
  });
});

describe('Poseidon2 hashes for the rollup state tree', () => {
  test('compress is the truncated permutation of left ‖ right', () => {
    const left = [1, 2, 3, 4, 5, 6, 7, 8];
    const right = [9, 10, 11, 12, 13, 14, 15, 16];
    assert.deepEqual([...poseidon2Compress(left, right)], [...poseidon2([...left, ...right]).slice(0, 8)]);
    assert.notDeepEqual([...poseidon2Compress(right, left)], [...poseidon2Compress(left, right)]);
    assert.throws(() => poseidon2Compress([1], right), { code: 'INVALID_ARGUMENT' });
  });

  test('the sponge separates lengths and is deterministic', () => {
    const a = poseidon2Hash([1, 2, 3]);
    assert.deepEqual(a, poseidon2Hash([1, 2, 3]));
    assert.notDeepEqual(a, poseidon2Hash([1, 2, 3, 0]));
    assert.notDeepEqual(poseidon2Hash([]), poseidon2Hash([0]));
    assert.equal(poseidon2Hash(new Array(20).fill(7)).length, 8);
  });
});

describe('Poseidon2 round constants from the Grain LFSR', () => {
  test('regenerating the constants reproduces the published ones', () => {
    const { external, internal } = grainPoseidon2Constants({
      fieldType: 1,
      sboxType: 0,
      fieldBits: 31,
      width: 16,
      roundsFull: 8,
      roundsPartial: 13,
      prime: P,
    });
    assert.deepEqual(
      external,
      EXTERNAL_ROUND_CONSTANTS.map((r) => [...r]),
    );
    assert.deepEqual(internal, [...INTERNAL_ROUND_CONSTANTS]);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  POSEIDON2_BLOCK_CONSTRAINTS,
  POSEIDON2_BLOCK_WIDTH,
  Poseidon2ChainAir,
  SBOX_COUNT,
  StarkError,
  baseAlgebra,
  fillPoseidon2Block,
  poseidon2,
  poseidon2ChainTrace,
  poseidon2RowConstraints,
  poseidon2RowConstraintsBase,
  prove,
  verify,
} from '../../src/stark/index.ts';

const P = 2013265921;
const randomState = () => Uint32Array.from({ length: 16 }, () => Math.floor(Math.random() * P));

describe('Poseidon2 AIR', () => {
  test('a filled block holds the permutation output and satisfies both constraint twins', () => {
    for (let k = 0; k < 5; k++) {
      const input = randomState();
      const row = new Uint32Array(POSEIDON2_BLOCK_WIDTH);
      fillPoseidon2Block(input, row, 0);
      assert.deepEqual(row.subarray(16 + SBOX_COUNT), poseidon2(input));
      const fast = new Uint32Array(POSEIDON2_BLOCK_CONSTRAINTS);
      assert.equal(poseidon2RowConstraintsBase(row, 0, fast, 0), POSEIDON2_BLOCK_CONSTRAINTS);
      assert.ok(fast.every((v) => v === 0));
      // Corrupt one S-box output: both twins flag the same constraints.
      row[16 + 70] = (row[16 + 70]! + 1) % P;
      const generic: number[] = new Array<number>(POSEIDON2_BLOCK_CONSTRAINTS).fill(0);
      poseidon2RowConstraints(baseAlgebra, [...row], 0, generic, 0);
      poseidon2RowConstraintsBase(row, 0, fast, 0);
      assert.deepEqual([...fast], generic);
      assert.notEqual(fast[70], 0);
    }
  });

  test('completeness: a hash chain of 16 permutations proves and verifies', () => {
    const input = randomState();
    const { trace, output } = poseidon2ChainTrace(16, input);
    let expected: Uint32Array = input;
    for (let i = 0; i < 16; i++) expected = poseidon2(expected);
    assert.deepEqual(output, expected);
    const air = new Poseidon2ChainAir(16, input, output);
    const proof = prove(air, trace);
    assert.ok(verify(air, proof).securityBits >= 100);
    // A random sample of flipped bytes is rejected.
    for (let k = 0; k < 60; k++) {
      const bad = proof.slice();
      bad[Math.floor(Math.random() * bad.length)]! ^= 1 << (k % 8);
      assert.throws(() => verify(air, bad), StarkError);
    }
  });

  test('soundness: a wrong output or a corrupted S-box cannot be proven', () => {
    const input = randomState();
    const { trace, output } = poseidon2ChainTrace(8, input);
    const wrongOutput = output.slice();
    wrongOutput[3] = (wrongOutput[3]! + 1) % P;
    const lying = new Poseidon2ChainAir(8, input, wrongOutput);
    assert.throws(() => prove(lying, trace), { code: 'INVALID_TRACE' });
    assert.throws(() => verify(lying, prove(lying, trace, { unsafeSkipTraceCheck: true })), {
      code: 'VERIFICATION_FAILED',
    });

    const air = new Poseidon2ChainAir(8, input, output);
    const corrupted = { ...trace, columns: trace.columns.map((c) => c.slice()) };
    corrupted.columns[16 + 100]![4] = (corrupted.columns[16 + 100]![4]! + 5) % P;
    assert.throws(() => prove(air, corrupted), { code: 'INVALID_TRACE' });
    assert.throws(() => verify(air, prove(air, corrupted, { unsafeSkipTraceCheck: true })), {
      code: 'VERIFICATION_FAILED',
    });
  });
});

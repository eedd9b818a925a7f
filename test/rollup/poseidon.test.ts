// Cross-checks our Poseidon against circomlibjs (the reference twin of circomlib's Poseidon template).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { buildPoseidon } from 'circomlibjs';
import { FIELD_MODULUS, RollupError, poseidon, poseidon2 } from '../../src/rollup/index.ts';

type CircomPoseidon = Awaited<ReturnType<typeof buildPoseidon>>;
let ref: CircomPoseidon;
const refHash = (inputs: bigint[]): bigint => BigInt(ref.F.toString(ref(inputs)));

// Deterministic pseudo-random field elements (xorshift over BigInt), so failures reproduce.
function* elements(seed: bigint): Generator<bigint> {
  let x = seed;
  for (;;) {
    x ^= (x << 13n) & ((1n << 256n) - 1n);
    x ^= x >> 7n;
    x ^= (x << 17n) & ((1n << 256n) - 1n);
    yield x % FIELD_MODULUS;
  }
}

describe('Poseidon (circomlib)', () => {
  before(async () => {
    ref = await buildPoseidon();
  });
  for (let n = 1; n <= 16; n++) {
    it(`Poseidon(${n}) matches circomlibjs on edge and random inputs`, () => {
      const gen = elements(BigInt(n) * 0x9e3779b97f4a7c15n + 1n);
      const cases = [
        new Array<bigint>(n).fill(0n),
        new Array<bigint>(n).fill(FIELD_MODULUS - 1n),
        Array.from({ length: n }, (_, i) => BigInt(i + 1)),
        Array.from({ length: n }, () => gen.next().value),
        Array.from({ length: n }, () => gen.next().value),
      ];
      for (const inputs of cases) assert.equal(poseidon(inputs), refHash(inputs), `inputs ${inputs.join(',')}`);
    });
  }
  it('poseidon2 equals Poseidon(2)', () => {
    assert.equal(poseidon2(5n, 7n), refHash([5n, 7n]));
  });
  it('refuses non-field inputs and bad arity with a typed error', () => {
    for (const bad of [[FIELD_MODULUS], [-1n], [], new Array<bigint>(17).fill(1n)]) {
      assert.throws(
        () => poseidon(bad),
        (e: unknown) => e instanceof RollupError && e.code === 'INVALID_PARAMETER',
      );
    }
  });
});

import { FIELD_MODULUS as P } from '../../src/rollup/index.ts';

/** xorshift over 256 bits, reduced into the BN254 field (deterministic, so failures reproduce). */
export function* elements(seed: bigint): Generator<bigint> {
  let x = seed;
  const mask = (1n << 256n) - 1n;
  for (;;) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    yield x % P;
  }
}

/**
 * The BabyBear prime field, p = 15·2^27 + 1 = 2013265921.
 *
 * Why BabyBear: elements fit in 31 bits, so a·b mod p needs no BigInt: a float product gives the
 * quotient and Math.imul gives the remainder exactly (see `mul`); sums of many 16-bit-split products
 * stay exact in doubles for lazy reduction. The multiplicative group has 2-adicity 27, so
 * NTTs of any size we can hold in memory exist. Poseidon2 has published BabyBear instances (Horizen
 * Labs, Plonky3) to match. Mersenne-31 has only 2-adicity 1 (it needs circle STARKs), and Goldilocks'
 * 64-bit products would need BigInt or four-limb arithmetic in JS.
 *
 * Elements are plain numbers in [0, p). Hot loops store them in Uint32Array.
 */
import { StarkError } from './errors.ts';

export const P = 2013265921;
const INV_P = 1 / P;
/** A generator of the multiplicative group (used as the coset shift of the LDE domain). */
export const GENERATOR = 31;
export const TWO_ADICITY = 27;

/**
 * Reduces an exact integer |x| < 2^52 to [0, p). The float quotient can be off by one when x sits
 * within a few units of a multiple of p, which the two fix-ups absorb.
 */
export function reduce(x: number): number {
  let r = x - Math.floor(x * INV_P) * P;
  if (r < 0) r += P;
  else if (r >= P) r -= P;
  return r;
}

export function add(a: number, b: number): number {
  const s = a + b;
  return s >= P ? s - P : s;
}

export function sub(a: number, b: number): number {
  const s = a - b;
  return s < 0 ? s + P : s;
}

export function neg(a: number): number {
  return a === 0 ? 0 : P - a;
}

/**
 * a·b mod p for a, b in [0, p). The float product a·b (error ≤ 2^9) gives the quotient q, exact or
 * off by one near a multiple of p; the remainder a·b − q·p then lies in (−2^10, p + 2^10), inside
 * the int32 range, so it is computed exactly modulo 2^32 with Math.imul.
 */
export function mul(a: number, b: number): number {
  const q = Math.floor(a * b * INV_P);
  let r = (Math.imul(a, b) - Math.imul(q, P)) | 0;
  if (r < 0) r += P;
  else if (r >= P) r -= P;
  return r;
}

export function square(a: number): number {
  return mul(a, a);
}

export function pow(base: number, exponent: number | bigint): number {
  let e = BigInt(exponent);
  if (e < 0n) throw new StarkError('INVALID_ARGUMENT', 'negative exponent');
  let result = 1;
  let b = base;
  while (e > 0n) {
    if (e & 1n) result = mul(result, b);
    b = mul(b, b);
    e >>= 1n;
  }
  return result;
}

export function inv(a: number): number {
  if (a === 0) throw new StarkError('INVALID_ARGUMENT', 'inverse of zero in BabyBear');
  return pow(a, P - 2);
}

export function isCanonical(a: number): boolean {
  return Number.isInteger(a) && a >= 0 && a < P;
}

/** Maps any integer (possibly negative or ≥ p) to its canonical representative. */
export function fromInt(x: number | bigint): number {
  if (typeof x === 'bigint') {
    const r = x % BigInt(P);
    return Number(r < 0n ? r + BigInt(P) : r);
  }
  if (!Number.isSafeInteger(x)) throw new StarkError('INVALID_ARGUMENT', `not a safe integer: ${x}`);
  const r = x % P;
  return r < 0 ? r + P : r;
}

/** A primitive 2^logN-th root of unity. */
export function rootOfUnity(logN: number): number {
  if (!Number.isInteger(logN) || logN < 0 || logN > TWO_ADICITY) {
    throw new StarkError('INVALID_ARGUMENT', `no 2^${logN}-th root of unity in BabyBear`);
  }
  // GENERATOR^((p-1)/2^27) has order exactly 2^27; square it down to the wanted order.
  let w = pow(GENERATOR, (P - 1) / 2 ** TWO_ADICITY);
  for (let i = logN; i < TWO_ADICITY; i++) w = mul(w, w);
  return w;
}

/** Inverts every element of `values` in place with one field inversion (Montgomery's trick). */
export function batchInverse(values: Uint32Array): Uint32Array {
  const n = values.length;
  if (n === 0) return values;
  const prefix = new Uint32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    if (values[i] === 0) throw new StarkError('INVALID_ARGUMENT', `batch inverse: zero at index ${i}`);
    prefix[i] = acc;
    acc = mul(acc, values[i]!);
  }
  let accInv = inv(acc);
  for (let i = n - 1; i >= 0; i--) {
    const v = values[i]!;
    values[i] = mul(accInv, prefix[i]!);
    accInv = mul(accInv, v);
  }
  return values;
}

/** Powers 1, x, x^2, …, x^(n-1). */
export function powers(x: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    out[i] = acc;
    acc = mul(acc, x);
  }
  return out;
}

/**
 * The degree-4 extension of BabyBear, F_p[X]/(X^4 − 11) (≈ 2^124 elements). FRI folding, DEEP and
 * constraint-combination challenges are drawn here, because the 31-bit base field alone would give
 * a cheating prover a 2^-31 chance per challenge.
 *
 * An element is four base coefficients [c0, c1, c2, c3] meaning c0 + c1·X + c2·X^2 + c3·X^3. The
 * functions below work on small arrays (verifier, tests); hot loops use the `*At` variants that read
 * and write interleaved Uint32Arrays without allocating.
 */
import { StarkError } from './errors.ts';
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P, add, inv: baseInv, isCanonical, mul: baseMul, neg: baseNeg, reduce, sub } = fieldModule;

export type Ext = readonly [number, number, number, number];
export const EXT_DEGREE = 4;
/** X^4 = W in the extension. */
export const W = 11;

export const EXT_ZERO: Ext = [0, 0, 0, 0];
export const EXT_ONE: Ext = [1, 0, 0, 0];

export function ext(c0: number, c1 = 0, c2 = 0, c3 = 0): Ext {
  return [c0, c1, c2, c3];
}

export function extIsCanonical(a: Ext): boolean {
  return a.length === 4 && a.every(isCanonical);
}

export function extEq(a: Ext, b: Ext): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

export function extAdd(a: Ext, b: Ext): Ext {
  return [add(a[0], b[0]), add(a[1], b[1]), add(a[2], b[2]), add(a[3], b[3])];
}

export function extSub(a: Ext, b: Ext): Ext {
  return [sub(a[0], b[0]), sub(a[1], b[1]), sub(a[2], b[2]), sub(a[3], b[3])];
}

export function extNeg(a: Ext): Ext {
  return [baseNeg(a[0]), baseNeg(a[1]), baseNeg(a[2]), baseNeg(a[3])];
}

export function extScale(a: Ext, s: number): Ext {
  return [baseMul(a[0], s), baseMul(a[1], s), baseMul(a[2], s), baseMul(a[3], s)];
}

/**
 * Σ a_i·b_i mod p over four pairs, each b split into 16-bit halves: the partial sums stay below
 * 2^49, so they are exact doubles and one reduction per half suffices.
 */
function dot4(a0: number, b0: number, a1: number, b1: number, a2: number, b2: number, a3: number, b3: number): number {
  const hi = a0 * (b0 >>> 16) + a1 * (b1 >>> 16) + a2 * (b2 >>> 16) + a3 * (b3 >>> 16);
  const lo = a0 * (b0 & 0xffff) + a1 * (b1 & 0xffff) + a2 * (b2 & 0xffff) + a3 * (b3 & 0xffff);
  return reduce(reduce(hi) * 65536 + lo);
}

function times11(x: number): number {
  return reduce(x * W);
}

export function extMul(a: Ext, b: Ext): Ext {
  const [a0, a1, a2, a3] = a;
  const [b0, b1, b2, b3] = b;
  const w1 = times11(b1);
  const w2 = times11(b2);
  const w3 = times11(b3);
  return [
    dot4(a0, b0, a1, w3, a2, w2, a3, w1),
    dot4(a0, b1, a1, b0, a2, w3, a3, w2),
    dot4(a0, b2, a1, b1, a2, b0, a3, w3),
    dot4(a0, b3, a1, b2, a2, b1, a3, b0),
  ];
}

export function extSquare(a: Ext): Ext {
  return extMul(a, a);
}

export function extPow(a: Ext, e: bigint): Ext {
  let result: Ext = EXT_ONE;
  let b = a;
  let k = e;
  while (k > 0n) {
    if (k & 1n) result = extMul(result, b);
    b = extMul(b, b);
    k >>= 1n;
  }
  return result;
}

const EXT_ORDER_MINUS_2 = BigInt(P) ** 4n - 2n;

export function extInv(a: Ext): Ext {
  if (a[0] === 0 && a[1] === 0 && a[2] === 0 && a[3] === 0) {
    throw new StarkError('INVALID_ARGUMENT', 'inverse of zero in the extension field');
  }
  if (a[1] === 0 && a[2] === 0 && a[3] === 0) return [baseInv(a[0]), 0, 0, 0];
  return extPow(a, EXT_ORDER_MINUS_2);
}

export function extDiv(a: Ext, b: Ext): Ext {
  return extMul(a, extInv(b));
}

/** Embeds a base element. */
export function extFromBase(a: number): Ext {
  return [a, 0, 0, 0];
}

// ---- allocation-free variants on interleaved Uint32Arrays (4 words per element) ----

/** out[o..o+4) = a[ai..ai+4) · b[bi..bi+4). `out` may alias either input. */
export function extMulAt(
  out: Uint32Array,
  o: number,
  a: ArrayLike<number>,
  ai: number,
  b: ArrayLike<number>,
  bi: number,
): void {
  const a0 = a[ai]!,
    a1 = a[ai + 1]!,
    a2 = a[ai + 2]!,
    a3 = a[ai + 3]!;
  const b0 = b[bi]!,
    b1 = b[bi + 1]!,
    b2 = b[bi + 2]!,
    b3 = b[bi + 3]!;
  const w1 = times11(b1);
  const w2 = times11(b2);
  const w3 = times11(b3);
  out[o] = dot4(a0, b0, a1, w3, a2, w2, a3, w1);
  out[o + 1] = dot4(a0, b1, a1, b0, a2, w3, a3, w2);
  out[o + 2] = dot4(a0, b2, a1, b1, a2, b0, a3, w3);
  out[o + 3] = dot4(a0, b3, a1, b2, a2, b1, a3, b0);
}

/** Inverts n interleaved extension elements in place with one inversion. */
export function extBatchInverse(values: Uint32Array): void {
  const n = values.length / 4;
  if (n === 0) return;
  const prefix = new Uint32Array(values.length);
  const acc = new Uint32Array([1, 0, 0, 0]);
  for (let i = 0; i < n; i++) {
    if (values[4 * i] === 0 && values[4 * i + 1] === 0 && values[4 * i + 2] === 0 && values[4 * i + 3] === 0) {
      throw new StarkError('INVALID_ARGUMENT', `extension batch inverse: zero at index ${i}`);
    }
    prefix.set(acc, 4 * i);
    extMulAt(acc, 0, acc, 0, values, 4 * i);
  }
  const accInv = extInv([acc[0]!, acc[1]!, acc[2]!, acc[3]!]);
  const running = new Uint32Array(accInv);
  const tmp = new Uint32Array(4);
  for (let i = n - 1; i >= 0; i--) {
    tmp.set(values.subarray(4 * i, 4 * i + 4));
    extMulAt(values, 4 * i, running, 0, prefix, 4 * i);
    extMulAt(running, 0, running, 0, tmp, 0);
  }
}

export function extAt(a: ArrayLike<number>, i: number): Ext {
  return [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
}

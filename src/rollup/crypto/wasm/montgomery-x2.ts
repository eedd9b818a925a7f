import { Body, I32, OP, SIMD, V128, uleb } from './emit.ts';
import { LIMBS, assertKernelModulus, emitToWords, limbsOf } from './montgomery.ts';

/**
 * Two-lane Montgomery arithmetic modulo q < 2^254 in WebAssembly SIMD: two independent field elements (lane A and
 * lane B) share every instruction. The limb scheme is the scalar kernel's (`montgomery.ts`: 9 limbs of 29 bits,
 * R = 2^261); a pair is stored interleaved, limb j of A at byte 8j and limb j of B at 8j + 4 (PAIR_BYTES in all), so
 * `v128.load64_zero` puts [A_j, B_j] in the i32 lanes 0 and 1 that `i64x2.extmul_low_i32x4_u` multiplies into two
 * 64-bit products. Additions and the conditional subtractions work on the same packed layout in i32x4 lanes.
 *
 * Reduction is lazy. Every value these functions produce is below 2q (not below q), with limbs below 2^29:
 *  - mul / dot: the Montgomery result (Σ a_k·b_k + M·q) / R with M < R is below Σ a_k·b_k / R + q. With a_k, b_k < 2q
 *    and q < 2^254 (so q / R < 2^-7), Σ a_k·b_k / R < n · 4q · 2^-7 = q · n / 32, so the result is below 2q for any
 *    n ≤ 6 products, without the final subtraction;
 *  - add: a + b < 4q, minus 2q when it is at least 2q, is below 2q;
 *  - reduce brings a value below 2q to its canonical residue (minus q when at least q).
 * Accumulators: in `dot` of n products, limb column c of the double-width sum collects at most 9 iterations × (n + 1)
 * products (n of a·b and one of m·q), each below 2^58, plus the carry from column c − 1, which is below 2^64 / 2^29.
 * For n ≤ 6 that is at most 63 · 2^58 + 2^35 < 2^64: no unsigned i64 lane overflows. Only the carry of the lowest
 * column moves per iteration (shr_u by 29), and the division by 2^29 is a renaming of locals, as in the scalar kernel.
 */
export const PAIR_BYTES = 8 * LIMBS;
const BITS = 29;
const MASK = (1 << BITS) - 1;
export const MAX_DOT = 6;

/** −q^-1 mod 2^29 (Newton iteration). */
function negInv(q: bigint): number {
  const mask = (1n << BigInt(BITS)) - 1n;
  let inv = 1n;
  for (let i = 0; i < 6; i++) inv = (inv * (2n - q * inv)) & mask;
  return Number(-inv & mask);
}

const splat = (f: Body, v: number): Body => f.v128x4([v, v, v, v]);
const loadPair = (f: Body, ptr: number, j: number): Body => f.simdMem(SIMD.v128Load64Zero, ptr, 8 * j, 3);
/** Stores i32 lanes 0, 1 of the vector on the stack as limb pair j. */
const storePair = (f: Body, j: number): Body => f.simd(SIMD.v128Store64Lane, 3, ...uleb(8 * j), 0);
/** Byte shuffle taking i32 lanes 0 and 2 of a vector (the low halves of its i64 lanes) into i32 lanes 0 and 1. */
const LOW_HALVES = [0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11];

/** Constants of the modulus the generated code needs. */
type Modulus = { q: bigint; limbs: number[]; qinv: number };

function modulus(q: bigint): Modulus {
  assertKernelModulus(q);
  if (q >= 1n << 254n) throw new RangeError('the lazy two-lane kernel needs q < 2^254');
  return { q, limbs: limbsOf(q).map(Number), qinv: negInv(q) };
}

/** Pushes limb pair j of an operand. */
type Source = (j: number) => void;

/**
 * Emits Σ_k a_k·b_k / R for the terms [a_k, b_k] (a_k as packed locals, b_k as a source read once per row) and
 * returns its normalised limbs as packed locals ([A_j, B_j] in i32 lanes 0, 1).
 */
function montDot(f: Body, mod: Modulus, terms: readonly (readonly [number[], Source])[]): number[] {
  let t = mod.limbs.map(() => f.local(V128));
  let zero = t.map(() => true);
  const bi = f.local(V128);
  const m = f.local(V128);
  const accumulate = (j: number): void => {
    f.simd(SIMD.i64x2ExtmulLowI32x4U);
    if (!zero[j]) f.get(t[j]!).simd(SIMD.i64x2Add);
    zero[j] = false;
    f.set(t[j]!);
  };
  for (let i = 0; i < LIMBS; i++) {
    for (const [a, b] of terms) {
      b(i);
      f.set(bi);
      for (let j = 0; j < LIMBS; j++) {
        f.get(a[j]!).get(bi);
        accumulate(j);
      }
    }
    // m = t0 · (−q^-1) mod 2^29 per lane: only the low 32 bits of t0 matter, so an i32 multiply suffices.
    f.get(t[0]!);
    splat(f, mod.qinv).simd(SIMD.i32x4Mul).tee(m);
    f.get(m).simd(SIMD.i8x16Shuffle, ...LOW_HALVES);
    splat(f, MASK).simd(SIMD.v128And).set(m);
    for (let j = 0; j < LIMBS; j++) {
      f.get(m);
      splat(f, mod.limbs[j]!);
      accumulate(j);
    }
    // t0 is now a multiple of 2^29 in each lane: pass its carry up and rename the limbs.
    f.get(t[1]!).get(t[0]!).i32(BITS).simd(SIMD.i64x2ShrU).simd(SIMD.i64x2Add).set(t[1]!);
    t = [...t.slice(1), t[0]!];
    zero = [...zero.slice(1), true];
  }
  return normaliseAndPack(f, t);
}

/** Carry-propagates i64x2 limbs (the value is below 2q < 2^255, so nothing leaves the top limb) and packs them. */
function normaliseAndPack(f: Body, t: readonly number[]): number[] {
  const c = f.local(V128);
  const out = t.map(() => f.local(V128));
  for (let j = 0; j < LIMBS; j++) {
    if (j > 0) f.get(t[j]!).get(c).simd(SIMD.i64x2Add).set(t[j]!);
    if (j < LIMBS - 1) f.get(t[j]!).i32(BITS).simd(SIMD.i64x2ShrU).set(c);
    f.get(t[j]!)
      .get(t[j]!)
      .simd(SIMD.i8x16Shuffle, ...LOW_HALVES);
    splat(f, MASK).simd(SIMD.v128And).set(out[j]!);
  }
  return out;
}

const fromMemory =
  (f: Body, ptr: number): Source =>
  (j) => {
    loadPair(f, ptr, j);
  };

function loadLocals(f: Body, ptr: number): number[] {
  return Array.from({ length: LIMBS }, (_, j) => {
    const x = f.local(V128);
    loadPair(f, ptr, j).set(x);
    return x;
  });
}

function storeLocals(f: Body, dst: number, x: readonly number[]): void {
  for (let j = 0; j < LIMBS; j++) {
    f.get(dst).get(x[j]!);
    storePair(f, j);
  }
}

/**
 * dst ← Σ_k a_k·b_k / R (mod q, below 2q) for n pairs of pointers: one Montgomery reduction for the whole sum.
 * Parameters: dst, a_0, b_0, …, a_{n−1}, b_{n−1}; dst may alias any input. n = 1 is the plain product.
 */
export function dotX2Body(q: bigint, n: number): Body {
  const mod = modulus(q);
  if (!Number.isInteger(n) || n < 1 || n > MAX_DOT) throw new RangeError(`dot of 1..${MAX_DOT} products`);
  const f = new Body([I32, ...new Array<typeof I32>(2 * n).fill(I32)]);
  const terms = Array.from({ length: n }, (_, k) => [loadLocals(f, 1 + 2 * k), fromMemory(f, 2 + 2 * k)] as const);
  storeLocals(f, 0, montDot(f, mod, terms));
  return f;
}

/**
 * Lane-wise conditional subtraction on packed limbs held in i32x4 locals x (normalised, value below 2^256, so the
 * top limb is below 2^24 and the final borrow is 0 or −1): stores x − k·q if that is not negative, else x.
 */
function subtractIfAtLeast(f: Body, dst: number, x: number[], kq: number[]): void {
  const u = x.map(() => f.local(V128));
  const c = f.local(V128);
  for (let j = 0; j < LIMBS; j++) {
    f.get(x[j]!);
    splat(f, kq[j]!).simd(SIMD.i32x4Sub);
    if (j > 0) f.get(c).simd(SIMD.i32x4Add);
    f.tee(u[j]!).i32(BITS).simd(SIMD.i32x4ShrS).set(c);
    f.get(u[j]!);
    splat(f, MASK).simd(SIMD.v128And).set(u[j]!);
  }
  // c is 0 where x ≥ kq (keep u) and −1 where x < kq (keep x): bitselect takes its first operand where c is set.
  for (let j = 0; j < LIMBS; j++) {
    f.get(dst).get(x[j]!).get(u[j]!).get(c).simd(SIMD.v128Bitselect);
    storePair(f, j);
  }
}

function multipleLimbs(q: bigint, k: bigint): number[] {
  return limbsOf(k * q).map(Number);
}

/** dst ← a + b, below 2q when a and b are (see the module comment). */
export function addX2Body(q: bigint): Body {
  modulus(q);
  const f = new Body([I32, I32, I32]);
  const [dst, pa, pb] = [0, 1, 2];
  const x = Array.from({ length: LIMBS }, () => f.local(V128));
  const c = f.local(V128);
  for (let j = 0; j < LIMBS; j++) {
    loadPair(f, pa, j);
    loadPair(f, pb, j).simd(SIMD.i32x4Add);
    if (j > 0) f.get(c).simd(SIMD.i32x4Add);
    f.tee(x[j]!);
    if (j < LIMBS - 1) f.i32(BITS).simd(SIMD.i32x4ShrU).set(c).get(x[j]!);
    splat(f, MASK).simd(SIMD.v128And).set(x[j]!);
  }
  subtractIfAtLeast(f, dst, x, multipleLimbs(q, 2n));
  return f;
}

/** dst ← the canonical residue of src (below 2q). */
export function reduceX2Body(q: bigint): Body {
  modulus(q);
  const f = new Body([I32, I32]);
  const [dst, src] = [0, 1];
  const x = Array.from({ length: LIMBS }, () => f.local(V128));
  for (let j = 0; j < LIMBS; j++) loadPair(f, src, j).set(x[j]!);
  subtractIfAtLeast(f, dst, x, multipleLimbs(q, 1n));
  return f;
}

/**
 * dst (pair) ← two 32-byte little-endian integers at srcA and srcB (each followed by 8 zero bytes, as the scalar
 * kernel's I/O slots), split into 29-bit limbs.
 */
export function fromWordsX2Body(): Body {
  const f = new Body([I32, I32, I32]);
  const [dst, srcA, srcB] = [0, 1, 2];
  for (let k = 0; k < LIMBS; k++) {
    const bit = BITS * k;
    for (const [src, lane] of [
      [srcA, 0],
      [srcB, 4],
    ] as const) {
      f.get(dst)
        .get(src)
        .op(OP.i64Load, 0, ...uleb(bit >> 3));
      f.i64(BigInt(bit & 7))
        .op(OP.i64ShrU)
        .i64(BigInt(MASK))
        .op(OP.i64And);
      f.op(OP.i64Store32, 2, ...uleb(8 * k + lane));
    }
  }
  return f;
}

/** dstA, dstB (32-byte little-endian integers + 8 zero bytes) ← the two lanes of the pair at src (limbs < 2^29). */
export function toWordsX2Body(): Body {
  const f = new Body([I32, I32, I32]);
  const [dstA, dstB, src] = [0, 1, 2];
  emitToWords(f, dstA, src, (k) => 8 * k);
  emitToWords(f, dstB, src, (k) => 8 * k + 4);
  return f;
}

/** Pair layout of the same value in both lanes (constants: the permutation's matrices and round constants). */
export function pairLimbs(v: bigint): number[] {
  return limbsOf(v).flatMap((l) => [Number(l), Number(l)]);
}

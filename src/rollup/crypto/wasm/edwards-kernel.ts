import { Body, I32 } from './emit.ts';
import { ADD, FE_BYTES, FieldKernel, KernelModule, MONT_R, MUL, SUB, sqrBody } from './montgomery.ts';

/**
 * Twisted Edwards arithmetic (a·x² + y² = 1 + d·x²·y²) in extended coordinates (X : Y : Z : T), T = XY/Z, over the
 * WebAssembly Montgomery kernel. Points live in numbered slots of linear memory (Montgomery form).
 *
 * When −a is a square, x ↦ x·sqrt(−a) maps the curve onto −x² + y² = 1 + d'·x²·y² with d' = −d/a, and the kernel
 * works there, where the cheapest formulas hold (Hisil–Wong–Carter–Dawson 2008, a = −1): `add` is the unified
 * addition add-2008-hwcd-3 (9 products instead of 11), `double` is dbl-2008-hwcd (4 squarings and 4 products), and
 * both are complete because −1 is a square and d' is not (d' is a square exactly when d is, since a and −1 are
 * squares; true of Baby Jubjub). The map fixes the identity and the points with x = 0, so identity and x = 0 tests
 * read the same, and `load` applies it on the way in at no cost (x is scaled by the same product that converts it
 * to Montgomery form).
 *
 * A point written by `load` also keeps Y − X, Y + X and 2d'·T (a "cached" affine point, Z = 1): adding it to an
 * extended point (`addLoaded`) costs 7 products, and subtracting it the same. Those extra elements are stale in a
 * slot written by anything else, so only `load`ed slots (or their `negate`) may be the cached operand. Built for
 * batch signature verification: a multi-scalar multiplication (Pippenger, signed-digit buckets) and small-weight
 * bucket sums, where noble's BigInt points spend most of their time reducing products.
 */
const FE = FE_BYTES;
/** X, Y, Z, T, then the cached Y − X, Y + X, 2d'·T. */
const POINT = 7 * FE;
const [PADD, PDBL, MADD, MSUB, SQR] = [5, 6, 7, 8, 9];
const K2D = KernelModule.reserved;
const XSCALE = K2D + FE;
const SCRATCH = XSCALE + FE;
/** Odd multiples ±P, ±3P, …, ±15P for `multiply` (width-5 NAF). */
const WNAF_WIDTH = 5;
const WNAF_TABLE = SCRATCH + 10 * FE;
const WNAF_ENTRIES = 1 << (WNAF_WIDTH - 2);
const SLOTS_AT = WNAF_TABLE + 2 * WNAF_ENTRIES * POINT;
const ZERO = KernelModule.ZERO;

const X = (pt: number) => [pt, 0] as const;
const Y = (pt: number) => [pt, FE] as const;
const Z = (pt: number) => [pt, 2 * FE] as const;
const T = (pt: number) => [pt, 3 * FE] as const;
const YMX = (pt: number) => [pt, 4 * FE] as const;
const YPX = (pt: number) => [pt, 5 * FE] as const;
const KT = (pt: number) => [pt, 6 * FE] as const;
const [A, B, C, D, E, F, G, H, U, V] = Array.from({ length: 10 }, (_, i) => SCRATCH + i * FE) as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G; written last, after every input was read, so dst may alias one. */
function finish(f: Body, dst: number): void {
  f.call(MUL, X(dst), E, F);
  f.call(MUL, Y(dst), G, H);
  f.call(MUL, T(dst), E, H);
  f.call(MUL, Z(dst), F, G);
}

/** E = B − A, F = D − C, G = D + C, H = B + A (a = −1). */
function middle(f: Body): void {
  f.call(SUB, E, B, A);
  f.call(SUB, F, D, C);
  f.call(ADD, G, D, C);
  f.call(ADD, H, B, A);
}

/** add-2008-hwcd-3: A = (Y1−X1)(Y2−X2), B = (Y1+X1)(Y2+X2), C = T1·2d'·T2, D = 2·Z1·Z2. */
function paddBody(): Body {
  const f = new Body([I32, I32, I32]);
  const [dst, p, q] = [0, 1, 2];
  f.call(SUB, U, Y(p), X(p));
  f.call(SUB, V, Y(q), X(q));
  f.call(MUL, A, U, V);
  f.call(ADD, U, Y(p), X(p));
  f.call(ADD, V, Y(q), X(q));
  f.call(MUL, B, U, V);
  f.call(MUL, C, T(p), T(q));
  f.call(MUL, C, C, K2D);
  f.call(MUL, D, Z(p), Z(q));
  f.call(ADD, D, D, D);
  middle(f);
  finish(f, dst);
  return f;
}

/** dbl-2008-hwcd with a = −1: D = −A, E = (X+Y)² − A − B, G = B − A, F = G − 2Z², H = −A − B. */
function pdblBody(): Body {
  const f = new Body([I32, I32]);
  const [dst, p] = [0, 1];
  f.call(SQR, A, X(p));
  f.call(SQR, B, Y(p));
  f.call(SQR, C, Z(p));
  f.call(ADD, C, C, C);
  f.call(ADD, U, X(p), Y(p));
  f.call(SQR, E, U);
  f.call(ADD, V, A, B);
  f.call(SUB, E, E, V);
  f.call(SUB, G, B, A);
  f.call(SUB, F, G, C);
  f.call(SUB, H, ZERO, V);
  finish(f, dst);
  return f;
}

/** dst ← p ± q for a cached q (Z = 1); −q swaps Y − X with Y + X and negates 2d'·T. */
function maddBody(subtract: boolean): Body {
  const f = new Body([I32, I32, I32]);
  const [dst, p, q] = [0, 1, 2];
  f.call(SUB, U, Y(p), X(p));
  f.call(MUL, A, U, subtract ? YPX(q) : YMX(q));
  f.call(ADD, U, Y(p), X(p));
  f.call(MUL, B, U, subtract ? YMX(q) : YPX(q));
  f.call(MUL, C, T(p), KT(q));
  f.call(ADD, D, Z(p), Z(p));
  f.call(SUB, E, B, A);
  f.call(subtract ? ADD : SUB, F, D, C);
  f.call(subtract ? SUB : ADD, G, D, C);
  f.call(ADD, H, B, A);
  finish(f, dst);
  return f;
}

export type AffinePoint = { x: bigint; y: bigint };

/** Signed digits of k (little-endian) with |digit| < 2^(width−1), odd or zero (width-w non-adjacent form). */
function wnaf(k: bigint, width: number): Int8Array {
  const out: number[] = [];
  const full = 1n << BigInt(width);
  const half = full >> 1n;
  for (let v = k; v > 0n; v >>= 1n) {
    if (v & 1n) {
      let d = v & (full - 1n);
      if (d >= half) d -= full;
      v -= d;
      out.push(Number(d));
    } else out.push(0);
  }
  return Int8Array.from(out);
}

/** Little-endian 32-bit words of a non-negative scalar (as hexadecimal) below 2^(32·count). */
function words(hex: string, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0, end = hex.length; end > 0 && i < count; i++, end -= 8)
    out[i] = parseInt(hex.slice(Math.max(0, end - 8), end), 16);
  return out;
}

export class EdwardsKernel extends KernelModule {
  readonly slots: number;
  private readonly paddFn: (d: number, p: number, q: number) => void;
  private readonly pdblFn: (d: number, p: number) => void;
  private readonly maddFn: (d: number, p: number, q: number) => void;
  private readonly msubFn: (d: number, p: number, q: number) => void;
  private lastWnaf: { k: bigint; digits: Int8Array } | undefined;

  constructor(q: bigint, curve: { a: bigint; d: bigint }, slots: number) {
    super(
      q,
      [paddBody(), pdblBody(), maddBody(false), maddBody(true), sqrBody(q)],
      new Map([
        [PADD, 'padd'],
        [PDBL, 'pdbl'],
        [MADD, 'madd'],
        [MSUB, 'msub'],
      ]),
      SLOTS_AT + slots * POINT,
    );
    this.slots = slots;
    this.paddFn = this.fn('padd');
    this.pdblFn = this.fn('pdbl');
    this.maddFn = this.fn('madd');
    this.msubFn = this.fn('msub');
    // x' = x·μ with μ² = −a: the curve becomes a' = −1, d' = −d/a.
    const field = new FieldKernel(q);
    const a = ((curve.a % q) + q) % q;
    const mu = field.sqrt(q - a);
    if (a === 0n || mu === undefined)
      throw new RangeError('the Edwards kernel needs a curve with −a a non-zero square');
    const dPrime = field.mul(q - (((curve.d % q) + q) % q), field.pow(a, q - 2n));
    this.put(K2D, field.mul(field.add(dPrime, dPrime), MONT_R % q));
    this.put(XSCALE, field.mul(mu, (MONT_R * MONT_R) % q));
  }

  private at(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) throw new RangeError(`point slot ${slot}`);
    return SLOTS_AT + slot * POINT;
  }

  /** Loads an affine point (canonical coordinates, on the curve: the caller checked) as a cached point. */
  load(slot: number, p: AffinePoint): void {
    const at = this.at(slot);
    this.put(at, p.x);
    this.put(at + FE, p.y);
    this.mulFn(at, at, XSCALE);
    this.mulFn(at + FE, at + FE, KernelModule.R2);
    this.copyElement(at + 2 * FE, KernelModule.MONT_ONE);
    this.mulFn(at + 3 * FE, at, at + FE);
    this.subFn(at + 4 * FE, at + FE, at);
    this.addFn(at + 5 * FE, at + FE, at);
    this.mulFn(at + 6 * FE, at + 3 * FE, K2D);
  }

  setIdentity(slot: number): void {
    const at = this.at(slot);
    this.copyElement(at, ZERO);
    this.copyElement(at + FE, KernelModule.MONT_ONE);
    this.copyElement(at + 2 * FE, KernelModule.MONT_ONE);
    this.copyElement(at + 3 * FE, ZERO);
  }

  copy(dst: number, src: number): void {
    const s = this.at(src) / 4;
    this.u32.copyWithin(this.at(dst) / 4, s, s + POINT / 4);
  }

  /** dst ← p + q (any of them may be the same slot). */
  add(dst: number, p: number, q: number): void {
    this.paddFn(this.at(dst), this.at(p), this.at(q));
  }

  /** dst ← 2·p. */
  double(dst: number, p: number): void {
    this.pdblFn(this.at(dst), this.at(p));
  }

  /** dst ← p + q, or p − q if `subtract`, for a `load`ed q (dst may be p). */
  addLoaded(dst: number, p: number, q: number, subtract = false): void {
    (subtract ? this.msubFn : this.maddFn)(this.at(dst), this.at(p), this.at(q));
  }

  /** dst ← −src: (−X, Y, Z, −T); the cached elements of a loaded point follow (Y − X and Y + X swap). */
  negate(dst: number, src: number): void {
    const d = this.at(dst);
    const s = this.at(src);
    if (d !== s) this.copy(dst, src);
    this.negateRaw(d);
  }

  private negateRaw(at: number): void {
    this.subFn(at, ZERO, at);
    this.subFn(at + 3 * FE, ZERO, at + 3 * FE);
    this.copyElement(U, at + 4 * FE);
    this.copyElement(at + 4 * FE, at + 5 * FE);
    this.copyElement(at + 5 * FE, U);
    this.subFn(at + 6 * FE, ZERO, at + 6 * FE);
  }

  /** The identity (0, 1): X = 0 and Y = Z (values are kept fully reduced, so limbs compare exactly). */
  isIdentity(slot: number): boolean {
    const at = this.at(slot);
    return this.equal(at, ZERO) && this.equal(at + FE, at + 2 * FE);
  }

  /** Affine x is 0 (the identity or the point of order 2): X = 0, as Z ≠ 0. */
  xIsZero(slot: number): boolean {
    return this.equal(this.at(slot), ZERO);
  }

  /** dst ← k·src for k ≥ 0 (width-5 NAF over a private table of odd multiples; dst may be src). */
  multiply(dst: number, src: number, k: bigint): void {
    if (k < 0n) throw new RangeError('multiply needs k ≥ 0');
    const digits = this.lastWnaf?.k === k ? this.lastWnaf.digits : wnaf(k, WNAF_WIDTH);
    this.lastWnaf = { k, digits };
    const s = this.at(src);
    const d = this.at(dst);
    const entry = (j: number) => WNAF_TABLE + j * POINT;
    // entry j = (2j+1)·P, entry WNAF_ENTRIES + j = −(2j+1)·P.
    this.u32.copyWithin(entry(0) / 4, s / 4, s / 4 + POINT / 4);
    const twice = entry(2 * WNAF_ENTRIES - 1);
    this.pdblFn(twice, entry(0));
    for (let j = 1; j < WNAF_ENTRIES; j++) this.paddFn(entry(j), entry(j - 1), twice);
    for (let j = 0; j < WNAF_ENTRIES; j++) {
      this.u32.copyWithin(entry(WNAF_ENTRIES + j) / 4, entry(j) / 4, entry(j) / 4 + POINT / 4);
      this.negateRaw(entry(WNAF_ENTRIES + j));
    }
    this.setIdentity(dst);
    for (let i = digits.length - 1; i >= 0; i--) {
      this.pdblFn(d, d);
      const x = digits[i]!;
      if (x > 0) this.paddFn(d, d, entry((x - 1) >> 1));
      else if (x < 0) this.paddFn(d, d, entry(WNAF_ENTRIES + ((-x - 1) >> 1)));
    }
  }

  /** The Pippenger window that minimises bucket additions plus the per-window bucket sums (signed digits). */
  static window(bitLengths: readonly number[]): number {
    const top = bitLengths.reduce((m, b) => Math.max(m, b), 1) + 1;
    let best = 1;
    let bestCost = Infinity;
    for (let c = 2; c <= 14; c++) {
      let cost = Math.ceil(top / c) * (1 << c) + top;
      for (const b of bitLengths) cost += Math.ceil((b + 1) / c);
      if (cost < bestCost) [best, bestCost] = [c, cost];
    }
    return best;
  }

  /**
   * dst ← Σ scalars[i]·slot(points[i]) by Pippenger's bucket method with signed c-bit digits (2^(c−1) buckets; a
   * negative digit subtracts the point, free on Edwards curves). Points must be `load`ed slots; scalars are ≥ 0 and
   * below 2^bits. Uses the slots from `scratchFrom` on: 2^(c−1) + 2 of them, where c is `window` if given, else
   * `EdwardsKernel.window` of the scalars' bit lengths (at most 14).
   */
  msm(
    dst: number,
    points: readonly number[],
    scalars: readonly bigint[],
    bits: number,
    scratchFrom: number,
    window?: number,
  ): void {
    const n = points.length;
    if (scalars.length !== n) throw new RangeError('msm needs one scalar per point');
    const hexes = scalars.map((s) => {
      if (s < 0n) throw new RangeError('msm scalar out of range');
      return s.toString(16);
    });
    const lengths = hexes.map((h) => (h === '0' ? 0 : 4 * h.length - Math.clz32(parseInt(h[0]!, 16)) + 28));
    for (const len of lengths) if (len > bits) throw new RangeError('msm scalar out of range');
    const c = window ?? EdwardsKernel.window(lengths);
    const buckets = 1 << (c - 1);
    const windows = Math.ceil((bits + 1) / c);
    const running = scratchFrom + buckets + 1;
    const windowSum = running + 1;
    this.at(windowSum);
    // Signed digits d_w in (−2^(c−1), 2^(c−1)], with a carry into the next window.
    const digits = new Int16Array(n * windows);
    const wordCount = Math.ceil((windows * c) / 32) + 1;
    const mask = (1 << c) - 1;
    for (let i = 0; i < n; i++) {
      const ws = words(hexes[i]!, wordCount);
      let carry = 0;
      const used = Math.ceil((lengths[i]! + 1) / c);
      for (let w = 0; w < used; w++) {
        const bit = w * c;
        const lo = ws[bit >>> 5]! >>> (bit & 31);
        const hi = (bit & 31) + c > 32 ? ws[(bit >>> 5) + 1]! << (32 - (bit & 31)) : 0;
        let v = ((lo | hi) & mask) + carry;
        carry = v > buckets ? 1 : 0;
        if (carry) v -= 1 << c;
        digits[i * windows + w] = v;
      }
    }
    const at = (slot: number) => this.at(slot);
    const pointAt = points.map(at);
    const bucketAt = Array.from({ length: buckets + 1 }, (_, j) => (j === 0 ? 0 : at(scratchFrom + j)));
    const used = new Uint8Array(buckets + 1);
    const d0 = at(dst);
    const run = at(running);
    const sum = at(windowSum);
    this.setIdentity(dst);
    for (let w = windows - 1; w >= 0; w--) {
      if (w !== windows - 1) for (let k = 0; k < c; k++) this.pdblFn(d0, d0);
      used.fill(0);
      for (let i = 0; i < n; i++) {
        const v = digits[i * windows + w]!;
        if (v === 0) continue;
        const j = v > 0 ? v : -v;
        const b = bucketAt[j]!;
        if (used[j]) (v > 0 ? this.maddFn : this.msubFn)(b, b, pointAt[i]!);
        else {
          this.u32.copyWithin(b / 4, pointAt[i]! / 4, pointAt[i]! / 4 + POINT / 4);
          if (v < 0) this.negateRaw(b);
          used[j] = 1;
        }
      }
      // Σ j·bucket_j as a running sum from the top bucket down.
      let top = buckets;
      while (top > 0 && !used[top]) top--;
      if (top === 0) continue;
      this.u32.copyWithin(run / 4, bucketAt[top]! / 4, bucketAt[top]! / 4 + POINT / 4);
      this.u32.copyWithin(sum / 4, run / 4, run / 4 + POINT / 4);
      for (let j = top - 1; j >= 1; j--) {
        if (used[j]) this.paddFn(run, run, bucketAt[j]!);
        this.paddFn(sum, sum, run);
      }
      this.paddFn(d0, d0, sum);
    }
  }
}

import { Body, I32 } from './emit.ts';
import { ADD, FE_BYTES, KernelModule, MONT_R, MUL, SUB } from './montgomery.ts';

/**
 * Twisted Edwards arithmetic (a·x² + y² = 1 + d·x²·y²) in extended coordinates (X : Y : Z : T), T = XY/Z, over the
 * WebAssembly Montgomery kernel. Points live in numbered slots of linear memory (4 field elements each, Montgomery
 * form); the caller drives them with `add(dst, p, q)`, which is the complete unified addition (Hisil–Wong–Carter–
 * Dawson 2008, "add-2008-hwcd"), so doubling and the identity need no special case when a is a square and d is not
 * (true of Baby Jubjub). Built for batch signature verification: a multi-scalar multiplication (Pippenger, bucket
 * method) and small-weight bucket sums, where noble's BigInt points spend most of their time reducing products.
 */
const FE = FE_BYTES;
const POINT = 4 * FE;
const PADD = 5;
const CURVE_A = KernelModule.reserved;
const CURVE_D = CURVE_A + FE;
const SCRATCH = CURVE_D + FE;
const SLOTS_AT = SCRATCH + 10 * FE;
const ZERO = KernelModule.ZERO;

function paddBody(): Body {
  const f = new Body([I32, I32, I32]);
  const [dst, p, q] = [0, 1, 2];
  const X = (pt: number) => [pt, 0] as const;
  const Y = (pt: number) => [pt, FE] as const;
  const Z = (pt: number) => [pt, 2 * FE] as const;
  const T = (pt: number) => [pt, 3 * FE] as const;
  const [A, B, C, D, E, F, G, H, U, V] = Array.from({ length: 10 }, (_, i) => SCRATCH + i * FE) as number[];
  f.call(MUL, A!, X(p), X(q));
  f.call(MUL, B!, Y(p), Y(q));
  f.call(MUL, C!, T(p), T(q));
  f.call(MUL, C!, C!, CURVE_D);
  f.call(MUL, D!, Z(p), Z(q));
  f.call(ADD, U!, X(p), Y(p));
  f.call(ADD, V!, X(q), Y(q));
  f.call(MUL, E!, U!, V!);
  f.call(SUB, E!, E!, A!);
  f.call(SUB, E!, E!, B!);
  f.call(SUB, F!, D!, C!);
  f.call(ADD, G!, D!, C!);
  f.call(MUL, H!, A!, CURVE_A);
  f.call(SUB, H!, B!, H!);
  // Outputs last: every input has been read, so dst may be p or q.
  f.call(MUL, X(dst), E!, F!);
  f.call(MUL, Y(dst), G!, H!);
  f.call(MUL, T(dst), E!, H!);
  f.call(MUL, Z(dst), F!, G!);
  return f;
}

export type AffinePoint = { x: bigint; y: bigint };

export class EdwardsKernel extends KernelModule {
  readonly slots: number;
  private readonly paddFn: (d: number, p: number, q: number) => void;

  constructor(q: bigint, curve: { a: bigint; d: bigint }, slots: number) {
    super(q, [paddBody()], new Map([[PADD, 'padd']]), SLOTS_AT + slots * POINT);
    this.slots = slots;
    this.paddFn = this.fn('padd');
    this.put(CURVE_A, ((curve.a % q) * MONT_R) % q);
    this.put(CURVE_D, ((curve.d % q) * MONT_R) % q);
  }

  private at(slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) throw new RangeError(`point slot ${slot}`);
    return SLOTS_AT + slot * POINT;
  }

  /** Loads an affine point (canonical coordinates, on the curve: the caller checked). */
  load(slot: number, p: AffinePoint): void {
    const at = this.at(slot);
    this.put(at, p.x);
    this.put(at + FE, p.y);
    this.mulFn(at, at, KernelModule.R2);
    this.mulFn(at + FE, at + FE, KernelModule.R2);
    this.copyElement(at + 2 * FE, KernelModule.MONT_ONE);
    this.mulFn(at + 3 * FE, at, at + FE);
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

  /** dst ← −src: (−X, Y, Z, −T). */
  negate(dst: number, src: number): void {
    const d = this.at(dst);
    const s = this.at(src);
    if (d !== s) this.copy(dst, src);
    this.subFn(d, ZERO, s);
    this.subFn(d + 3 * FE, ZERO, s + 3 * FE);
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

  /** dst ← k·src for k ≥ 0 (double and add; dst must differ from src). */
  multiply(dst: number, src: number, k: bigint): void {
    if (dst === src) throw new RangeError('multiply needs distinct slots');
    this.setIdentity(dst);
    const bits = k.toString(2);
    for (let i = 0; i < bits.length && k > 0n; i++) {
      this.add(dst, dst, dst);
      if (bits.charCodeAt(i) === 49) this.add(dst, dst, src);
    }
  }

  /**
   * dst ← Σ scalars[i]·slot(points[i]) by Pippenger's bucket method with window c bits. Uses the slots from
   * `scratchFrom` on (2^c + 1 of them); scalars must be below 2^bits.
   */
  msm(dst: number, points: readonly number[], scalars: readonly bigint[], bits: number, scratchFrom: number): void {
    const n = points.length;
    const c = n < 32 ? 3 : n < 256 ? 6 : n < 2048 ? 8 : 10;
    const buckets = (1 << c) - 1;
    const windows = Math.ceil(bits / c);
    const running = scratchFrom + buckets + 1;
    const windowSum = running + 1;
    this.at(windowSum);
    const mask = BigInt(buckets);
    const digits = new Uint16Array(n * windows);
    for (let i = 0; i < n; i++) {
      let s = scalars[i]!;
      for (let w = 0; w < windows; w++, s >>= BigInt(c)) digits[i * windows + w] = Number(s & mask);
    }
    const used = new Uint8Array(buckets + 1);
    this.setIdentity(dst);
    for (let w = windows - 1; w >= 0; w--) {
      for (let k = 0; k < c; k++) this.add(dst, dst, dst);
      used.fill(0);
      for (let i = 0; i < n; i++) {
        const d = digits[i * windows + w]!;
        if (d === 0) continue;
        if (used[d]) this.add(scratchFrom + d, scratchFrom + d, points[i]!);
        else {
          this.copy(scratchFrom + d, points[i]!);
          used[d] = 1;
        }
      }
      // Σ d·bucket_d as a running sum from the top bucket down.
      let any = false;
      this.setIdentity(running);
      this.setIdentity(windowSum);
      for (let d = buckets; d >= 1; d--) {
        if (used[d]) {
          this.add(running, running, scratchFrom + d);
          any = true;
        }
        if (any) this.add(windowSum, windowSum, running);
      }
      if (any) this.add(dst, dst, windowSum);
    }
  }
}

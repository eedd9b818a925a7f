import { Body, I32, I64, OP, buildModule, instantiate, uleb } from './emit.ts';

/**
 * Montgomery arithmetic modulo an odd prime q < 2^255, as WebAssembly function bodies. A field element is 9 limbs
 * of 29 bits (one per 4-byte slot, FE_BYTES apart), R = 2^261. With 29-bit limbs a limb product is below 2^58, so
 * the multiplication accumulates whole rows in i64 locals without propagating carries (at most 9 iterations of two
 * products land in one limb: < 2^63) and only the lowest limb's carry moves per iteration; the division by 2^29 is a
 * renaming of locals at generation time. Outputs are fully reduced (below q) whenever inputs are.
 *
 * Every module built from these bodies starts with the same five functions (indices 0..4): mul, add, sub (dst, a, b;
 * dst may alias an input) and fromWords / toWords, which convert between a 32-byte little-endian integer (padded
 * with 8 zero bytes) and the limb form, so JavaScript moves values with four 64-bit writes.
 */
export const LIMBS = 9;
const BITS = 29;
const MASK = (1n << 29n) - 1n;
export const FE_BYTES = 40;
/** An integer in memory: 32 bytes little-endian plus 8 zero bytes (fromWords reads 8 bytes at a time). */
export const WORDS_BYTES = 40;
export const MONT_R = 1n << BigInt(LIMBS * BITS);
export const [MUL, ADD, SUB, FROM_WORDS, TO_WORDS] = [0, 1, 2, 3, 4];

export function limbsOf(x: bigint): bigint[] {
  return Array.from({ length: LIMBS }, (_, i) => (x >> BigInt(BITS * i)) & MASK);
}

/** −q^-1 mod 2^29 (Newton iteration). */
function negInv(q: bigint): bigint {
  let inv = 1n;
  for (let i = 0; i < 6; i++) inv = (inv * (2n - q * inv)) & MASK;
  return -inv & MASK;
}

export function assertKernelModulus(q: bigint): void {
  if (q % 2n === 0n || q < 3n || q >= 1n << 255n) throw new RangeError('the Montgomery kernel needs an odd q < 2^255');
}

/** Stores limbs t (each below 2^29, value below 2q) to dst, minus q if the value is at least q. */
function reduceAndStore(f: Body, dst: number, t: number[], q: bigint[]): void {
  const x = f.local(I64);
  const c = f.local(I64);
  const u = t.map(() => f.local(I64));
  for (let j = 0; j < LIMBS; j++) {
    f.get(t[j]!).i64(q[j]!).op(OP.i64Sub);
    if (j > 0) f.get(c).op(OP.i64Add);
    f.tee(x).i64(BigInt(BITS)).op(OP.i64ShrS).set(c);
    f.get(x).i64(MASK).op(OP.i64And).set(u[j]!);
  }
  // c = 0: t ≥ q, keep u = t − q; c = −1: t < q, keep t.
  for (let j = 0; j < LIMBS; j++) {
    f.get(dst).get(u[j]!).get(t[j]!).get(c).op(OP.i64Eqz, OP.select);
    f.op(OP.i64Store32, 2, ...uleb(4 * j));
  }
}

/** Carry-propagates unsigned limbs in place (the value is known to fit the 9 limbs). */
function normalise(f: Body, t: number[]): void {
  const c = f.local(I64);
  for (let j = 0; j < LIMBS; j++) {
    if (j > 0) f.get(t[j]!).get(c).op(OP.i64Add).set(t[j]!);
    if (j < LIMBS - 1) f.get(t[j]!).i64(BigInt(BITS)).op(OP.i64ShrU).set(c);
    f.get(t[j]!).i64(MASK).op(OP.i64And).set(t[j]!);
  }
}

export function mulBody(q: bigint): Body {
  assertKernelModulus(q);
  const ql = limbsOf(q);
  const qinv = negInv(q);
  const f = new Body([I32, I32, I32]);
  const [dst, pa, pb] = [0, 1, 2];
  const a = ql.map(() => f.local(I64));
  let t = ql.map(() => f.local(I64));
  let zero = t.map(() => true);
  const bi = f.local(I64);
  const m = f.local(I64);
  for (let j = 0; j < LIMBS; j++) f.load32(pa, 4 * j).set(a[j]!);
  for (let i = 0; i < LIMBS; i++) {
    f.load32(pb, 4 * i).set(bi);
    for (let j = 0; j < LIMBS; j++) {
      f.get(a[j]!).get(bi).op(OP.i64Mul);
      if (!zero[j]) f.get(t[j]!).op(OP.i64Add);
      f.set(t[j]!);
    }
    zero = zero.map(() => false);
    f.get(t[0]!).i64(qinv).op(OP.i64Mul).i64(MASK).op(OP.i64And).set(m);
    for (let j = 0; j < LIMBS; j++) f.get(m).i64(ql[j]!).op(OP.i64Mul).get(t[j]!).op(OP.i64Add).set(t[j]!);
    // t0 is now a multiple of 2^29: divide by 2^29 by passing its carry up and renaming the limbs.
    f.get(t[1]!).get(t[0]!).i64(BigInt(BITS)).op(OP.i64ShrU).op(OP.i64Add).set(t[1]!);
    t = [...t.slice(1), t[0]!];
    zero = [...zero.slice(1), true];
  }
  normalise(f, t);
  reduceAndStore(f, dst, t, ql);
  return f;
}

export function addBody(q: bigint): Body {
  assertKernelModulus(q);
  const ql = limbsOf(q);
  const f = new Body([I32, I32, I32]);
  const [dst, pa, pb] = [0, 1, 2];
  const t = ql.map(() => f.local(I64));
  for (let j = 0; j < LIMBS; j++)
    f.load32(pa, 4 * j)
      .load32(pb, 4 * j)
      .op(OP.i64Add)
      .set(t[j]!);
  normalise(f, t);
  reduceAndStore(f, dst, t, ql);
  return f;
}

/** a − b mod q: signed borrows, then q added back under the final borrow's mask. */
export function subBody(q: bigint): Body {
  assertKernelModulus(q);
  const ql = limbsOf(q);
  const f = new Body([I32, I32, I32]);
  const [dst, pa, pb] = [0, 1, 2];
  const t = ql.map(() => f.local(I64));
  const c = f.local(I64);
  const x = f.local(I64);
  for (let j = 0; j < LIMBS; j++) {
    f.load32(pa, 4 * j)
      .load32(pb, 4 * j)
      .op(OP.i64Sub);
    if (j > 0) f.get(c).op(OP.i64Add);
    f.tee(x).i64(BigInt(BITS)).op(OP.i64ShrS).set(c);
    f.get(x).i64(MASK).op(OP.i64And).set(t[j]!);
  }
  // c is 0 or −1 (all ones): add q & c.
  const mask = f.local(I64);
  f.get(c).set(mask);
  for (let j = 0; j < LIMBS; j++) {
    f.get(t[j]!).i64(ql[j]!).get(mask).op(OP.i64And).op(OP.i64Add);
    if (j > 0) f.get(c).op(OP.i64Add);
    f.tee(x).i64(BigInt(BITS)).op(OP.i64ShrU).set(c);
    f.get(dst)
      .get(x)
      .i64(MASK)
      .op(OP.i64And)
      .op(OP.i64Store32, 2, ...uleb(4 * j));
  }
  return f;
}

/** dst (limbs) ← src (32-byte little-endian integer, 8 zero bytes after it). */
export function fromWordsBody(): Body {
  const f = new Body([I32, I32]);
  const [dst, src] = [0, 1];
  for (let k = 0; k < LIMBS; k++) {
    const bit = BITS * k;
    f.get(dst)
      .get(src)
      .op(OP.i64Load, 0, ...uleb(bit >> 3));
    f.i64(BigInt(bit & 7))
      .op(OP.i64ShrU)
      .i64(MASK)
      .op(OP.i64And);
    f.op(OP.i64Store32, 2, ...uleb(4 * k));
  }
  return f;
}

/** dst (32-byte little-endian integer + 8 zero bytes) ← src (limbs, each below 2^29). */
export function toWordsBody(): Body {
  const f = new Body([I32, I32]);
  const [dst, src] = [0, 1];
  const acc = f.local(I64);
  let bits = 0;
  let word = 0;
  for (let k = 0; k < LIMBS; k++) {
    f.load32(src, 4 * k);
    if (bits > 0) f.i64(BigInt(bits)).op(OP.i64Shl).get(acc).op(OP.i64Or);
    f.set(acc);
    bits += BITS;
    while (bits >= 32 || (k === LIMBS - 1 && bits > 0 && word < 10)) {
      f.get(dst)
        .get(acc)
        .op(OP.i64Store32, 2, ...uleb(4 * word++));
      f.get(acc).i64(32n).op(OP.i64ShrU).set(acc);
      bits = Math.max(0, bits - 32);
    }
  }
  return f;
}

export function kernelBodies(q: bigint): Body[] {
  return [mulBody(q), addBody(q), subBody(q), fromWordsBody(), toWordsBody()];
}

type Fn3 = (d: number, a: number, b: number) => void;

/**
 * A kernel module's memory and its five field functions, with BigInt in and out through an I/O buffer. Subclasses
 * (the Poseidon and Edwards kernels) add functions from index 5 and lay out their own memory after `reserved`.
 */
export class KernelModule {
  readonly mulFn: Fn3;
  readonly addFn: Fn3;
  readonly subFn: Fn3;
  protected readonly words: BigUint64Array;
  protected readonly u32: Uint32Array;
  protected readonly fn: (name: string) => (...a: number[]) => void;
  private readonly fromWords: (d: number, s: number) => void;
  private readonly toWords: (d: number, s: number) => void;
  /** Addresses: the I/O buffer, R² mod q and 1 (plain), 0, R mod q (1 in Montgomery form). */
  static readonly IO = 0;
  static readonly R2 = WORDS_BYTES;
  static readonly ONE = WORDS_BYTES + FE_BYTES;
  static readonly ZERO = WORDS_BYTES + 2 * FE_BYTES;
  static readonly MONT_ONE = WORDS_BYTES + 3 * FE_BYTES;
  /** First free byte for the subclass. */
  static readonly reserved = WORDS_BYTES + 4 * FE_BYTES;

  constructor(
    readonly q: bigint,
    extra: readonly Body[],
    exportsByIndex: ReadonlyMap<number, string>,
    bytes: number,
  ) {
    const names = new Map<number, string>([
      [MUL, 'mul'],
      [ADD, 'add'],
      [SUB, 'sub'],
      [FROM_WORDS, 'fromWords'],
      [TO_WORDS, 'toWords'],
      ...exportsByIndex,
    ]);
    const { memory, fn } = instantiate(buildModule([...kernelBodies(q), ...extra], names, Math.ceil(bytes / 65536)));
    this.fn = fn;
    this.mulFn = fn('mul');
    this.addFn = fn('add');
    this.subFn = fn('sub');
    this.fromWords = fn('fromWords');
    this.toWords = fn('toWords');
    this.words = new BigUint64Array(memory.buffer);
    this.u32 = new Uint32Array(memory.buffer);
    this.put(KernelModule.R2, (MONT_R * MONT_R) % q);
    this.put(KernelModule.ONE, 1n);
    this.put(KernelModule.MONT_ONE, MONT_R % q);
  }

  /** Writes a canonical integer (below q, no Montgomery conversion) to the element at `at`. */
  put(at: number, v: bigint): void {
    const w = this.words;
    const k = KernelModule.IO / 8;
    w[k] = BigInt.asUintN(64, v);
    w[k + 1] = BigInt.asUintN(64, v >> 64n);
    w[k + 2] = BigInt.asUintN(64, v >> 128n);
    w[k + 3] = v >> 192n;
    w[k + 4] = 0n;
    this.fromWords(at, KernelModule.IO);
  }

  /** Reads the element at `at` as an integer (no Montgomery conversion). */
  take(at: number): bigint {
    this.toWords(KernelModule.IO, at);
    const w = this.words;
    const k = KernelModule.IO / 8;
    return w[k]! | (w[k + 1]! << 64n) | (w[k + 2]! << 128n) | (w[k + 3]! << 192n);
  }

  /** The elements at a and b are equal (limbs of reduced values compare exactly). */
  equal(a: number, b: number): boolean {
    const u = this.u32;
    const i = a / 4;
    const j = b / 4;
    for (let k = 0; k < LIMBS; k++) if (u[i + k] !== u[j + k]) return false;
    return true;
  }

  copyElement(dst: number, src: number): void {
    this.u32.copyWithin(dst / 4, src / 4, src / 4 + LIMBS);
  }
}

/**
 * BigInt-facing field operations on the kernel: `mul`, `add`, `pow`, `sqrt` modulo q, for callers outside the
 * generated permutation (tests, square roots and inversions when unpacking points).
 */
export class FieldKernel extends KernelModule {
  private readonly X = KernelModule.reserved;
  private readonly Y = this.X + FE_BYTES;
  private readonly ACC = this.Y + FE_BYTES;
  private readonly T = this.ACC + FE_BYTES;
  private readonly C = this.T + FE_BYTES;
  private readonly B = this.C + FE_BYTES;
  private readonly T2 = this.B + FE_BYTES;
  private ts: { odd: bigint; twoAdicity: number; rootOfUnity: bigint } | undefined;

  constructor(q: bigint) {
    super(q, [], new Map(), KernelModule.reserved + 8 * FE_BYTES);
  }

  /** a·b mod q for canonical a, b. */
  mul(a: bigint, b: bigint): bigint {
    this.put(this.X, a);
    this.put(this.Y, b);
    this.mulFn(this.X, this.X, KernelModule.R2);
    this.mulFn(this.X, this.X, this.Y);
    return this.take(this.X);
  }

  add(a: bigint, b: bigint): bigint {
    this.put(this.X, a);
    this.put(this.Y, b);
    this.addFn(this.X, this.X, this.Y);
    return this.take(this.X);
  }

  sub(a: bigint, b: bigint): bigint {
    this.put(this.X, a);
    this.put(this.Y, b);
    this.subFn(this.X, this.X, this.Y);
    return this.take(this.X);
  }

  /** base^exp mod q for canonical base and exp ≥ 0. */
  pow(base: bigint, exp: bigint): bigint {
    this.toMont(this.X, base);
    this.powAt(this.ACC, this.X, exp);
    this.mulFn(this.ACC, this.ACC, KernelModule.ONE);
    return this.take(this.ACC);
  }

  private toMont(at: number, v: bigint): void {
    this.put(at, v);
    this.mulFn(at, at, KernelModule.R2);
  }

  /** dst ← src^exp in Montgomery form (left-to-right square and multiply); dst must differ from src. */
  private powAt(dst: number, src: number, exp: bigint): void {
    this.copyElement(dst, KernelModule.MONT_ONE);
    const bits = exp.toString(2);
    for (let i = 0; i < bits.length && exp > 0n; i++) {
      this.mulFn(dst, dst, dst);
      if (bits.charCodeAt(i) === 49) this.mulFn(dst, dst, src);
    }
  }

  /**
   * A square root of n mod q, or undefined if n is not a square (Tonelli–Shanks, every product in the kernel).
   * Which of the two roots comes back is fixed by the algorithm; callers choose the sign they need.
   */
  sqrt(n: bigint): bigint | undefined {
    if (n === 0n) return 0n;
    const ts = (this.ts ??= tonelliShanks(this.q));
    const { X, ACC: R, T, C, B, T2 } = this;
    const one = KernelModule.MONT_ONE;
    this.toMont(X, n);
    this.powAt(R, X, (ts.odd - 1n) / 2n); // w = n^((Q−1)/2)
    this.mulFn(T, R, R);
    this.mulFn(T, T, X); // t = w²·n = n^Q
    this.mulFn(R, R, X); // r = w·n = n^((Q+1)/2)
    this.toMont(C, ts.rootOfUnity);
    let m = ts.twoAdicity;
    while (!this.equal(T, one)) {
      let i = 0;
      this.copyElement(T2, T);
      while (!this.equal(T2, one)) {
        this.mulFn(T2, T2, T2);
        if (++i === m) return undefined;
      }
      this.copyElement(B, C);
      for (let k = 0; k < m - i - 1; k++) this.mulFn(B, B, B);
      m = i;
      this.mulFn(C, B, B);
      this.mulFn(T, T, C);
      this.mulFn(R, R, B);
    }
    this.mulFn(R, R, KernelModule.ONE);
    return this.take(R);
  }
}

/** q − 1 = 2^s·Q with Q odd, and a primitive 2^s-th root of unity z^Q for the smallest non-residue z. */
function tonelliShanks(q: bigint): { odd: bigint; twoAdicity: number; rootOfUnity: bigint } {
  let odd = q - 1n;
  let s = 0;
  while ((odd & 1n) === 0n) {
    odd >>= 1n;
    s++;
  }
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    let x = b % q;
    for (let k = e; k > 0n; k >>= 1n) {
      if (k & 1n) r = (r * x) % q;
      x = (x * x) % q;
    }
    return r;
  };
  let z = 2n;
  while (pow(z, (q - 1n) / 2n) !== q - 1n) z++;
  return { odd, twoAdicity: s, rootOfUnity: pow(z, odd) };
}

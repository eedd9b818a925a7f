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
  emitToWords(f, 0, 1, (k) => 4 * k);
  return f;
}

/**
 * Emits the packing of nine 29-bit limbs (limb k at pointer-local `src` + `limbAt(k)`) into a 32-byte little-endian
 * integer plus 8 zero bytes at pointer-local `dst`; shared by the scalar and the two-lane layouts.
 */
export function emitToWords(f: Body, dst: number, src: number, limbAt: (k: number) => number): void {
  const acc = f.local(I64);
  let bits = 0;
  let word = 0;
  for (let k = 0; k < LIMBS; k++) {
    f.load32(src, limbAt(k));
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
}

/** Writes a canonical integer as the 32-byte little-endian + 8 zero bytes form at byte address `at`. */
export function writeWordsAt(words: BigUint64Array, at: number, v: bigint): void {
  const k = at / 8;
  words[k] = BigInt.asUintN(64, v);
  words[k + 1] = BigInt.asUintN(64, v >> 64n);
  words[k + 2] = BigInt.asUintN(64, v >> 128n);
  words[k + 3] = v >> 192n;
  words[k + 4] = 0n;
}

/** Reads the integer written by `writeWordsAt` (or a kernel's toWords) at byte address `at`. */
export function readWordsAt(words: BigUint64Array, at: number): bigint {
  const k = at / 8;
  return words[k]! | (words[k + 1]! << 64n) | (words[k + 2]! << 128n) | (words[k + 3]! << 192n);
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
    writeWordsAt(this.words, KernelModule.IO, v);
    this.fromWords(at, KernelModule.IO);
  }

  /** Reads the element at `at` as an integer (no Montgomery conversion). */
  take(at: number): bigint {
    this.toWords(KernelModule.IO, at);
    return readWordsAt(this.words, KernelModule.IO);
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
 * dst ← src^(2^n) for n ≥ 1: a loop of Montgomery squarings inside WebAssembly, so a long run of squarings (most of
 * an exponentiation) costs one call from JavaScript instead of one per squaring.
 */
/**
 * dst ← a² (Montgomery). The cross products a_i·a_j (i < j) are computed once and doubled: 45 limb products for the
 * square plus 90 for the reduction, where `mul` spends 171. Columns are summed whole (at most 5 doubled products
 * plus 9 reduction products and a carry: below 2^63), then reduced one limb at a time as in `mul`.
 */
export function sqrBody(q: bigint): Body {
  assertKernelModulus(q);
  const ql = limbsOf(q);
  const qinv = negInv(q);
  const f = new Body([I32, I32]);
  const [dst, pa] = [0, 1];
  const a = ql.map(() => f.local(I64));
  const t = Array.from({ length: 2 * LIMBS }, () => f.local(I64));
  const m = f.local(I64);
  for (let j = 0; j < LIMBS; j++) f.load32(pa, 4 * j).set(a[j]!);
  for (let k = 0; k < 2 * LIMBS - 1; k++) {
    let terms = 0;
    for (let i = Math.max(0, k - LIMBS + 1); 2 * i < k; i++) {
      f.get(a[i]!)
        .get(a[k - i]!)
        .op(OP.i64Mul);
      if (terms++ > 0) f.op(OP.i64Add);
    }
    if (terms > 0) f.i64(1n).op(OP.i64Shl);
    if (k % 2 === 0) {
      f.get(a[k / 2]!)
        .get(a[k / 2]!)
        .op(OP.i64Mul);
      if (terms > 0) f.op(OP.i64Add);
    }
    f.set(t[k]!);
  }
  f.i64(0n).set(t[2 * LIMBS - 1]!);
  for (let i = 0; i < LIMBS; i++) {
    f.get(t[i]!).i64(qinv).op(OP.i64Mul).i64(MASK).op(OP.i64And).set(m);
    for (let j = 0; j < LIMBS; j++)
      f.get(m)
        .i64(ql[j]!)
        .op(OP.i64Mul)
        .get(t[i + j]!)
        .op(OP.i64Add)
        .set(t[i + j]!);
    // t_i is now a multiple of 2^29: its carry moves up and the limb drops out.
    f.get(t[i + 1]!)
      .get(t[i]!)
      .i64(BigInt(BITS))
      .op(OP.i64ShrU)
      .op(OP.i64Add)
      .set(t[i + 1]!);
  }
  const top = t.slice(LIMBS);
  normalise(f, top);
  reduceAndStore(f, dst, top, ql);
  return f;
}

/**
 * dst ← src^(2^n) for n ≥ 1: a loop of Montgomery squarings inside WebAssembly, so a long run of squarings (most of
 * an exponentiation) costs one call from JavaScript instead of one per squaring. `sqr` is the index of `sqrBody`.
 */
export function sqrNBody(sqr: number): Body {
  const f = new Body([I32, I32, I32]);
  const [dst, src, n] = [0, 1, 2];
  f.call(sqr, [dst, 0], [src, 0]);
  // block { loop { if (--n == 0) break; dst ← dst² ; continue } }
  f.op(0x02, 0x40, 0x03, 0x40);
  f.get(n).i32(1).op(0x6b).tee(n).op(0x45, 0x0d, 1);
  f.call(sqr, [dst, 0], [dst, 0]);
  f.op(0x0c, 0, OP.end, OP.end);
  return f;
}
const [SQR, SQR_N] = [5, 6];

/** One step of a sliding-window exponentiation: square `squarings` times, then multiply by table entry `odd`. */
type PowStep = { squarings: number; odd: number };
const POW_WINDOW = 5;

/** Sliding-window schedule for exp > 0 over the odd powers src^1, src^3, …, src^(2^POW_WINDOW − 1). */
function powSchedule(exp: bigint): { first: number; steps: PowStep[] } {
  const bits = exp.toString(2);
  let first = -1;
  const steps: PowStep[] = [];
  let pending = 0;
  for (let i = 0; i < bits.length;) {
    if (bits[i] === '0') {
      pending++;
      i++;
      continue;
    }
    let j = Math.min(bits.length, i + POW_WINDOW);
    while (bits[j - 1] === '0') j--;
    const value = parseInt(bits.slice(i, j), 2);
    if (first < 0) first = (value - 1) / 2;
    else steps.push({ squarings: pending + (j - i), odd: (value - 1) / 2 });
    pending = 0;
    i = j;
  }
  if (pending > 0) steps.push({ squarings: pending, odd: -1 });
  return { first, steps };
}

/**
 * Square roots in a field with large 2-adicity s (BN254: s = 28) by Tonelli–Shanks with the discrete logarithm in the
 * 2^s-subgroup read from tables instead of found by repeated squaring: with w | s, the log is found w bits at a
 * time by looking up an element of the order-2^w subgroup, about s squarings plus s/w·(s/w+1)/2 products in all,
 * where the textbook loop spends about s²/4 squarings.
 */
type RootTables = {
  odd: bigint;
  s: number;
  /** window width w (a divisor of s, at most 8) and the number of windows k = s / w */
  w: number;
  k: number;
  /** address of table m, entry v: g^(−v·2^(m·w)) in Montgomery form, m < k, v < 2^w */
  table: (m: number, v: number) => number;
  /** key of an element of the order-2^w subgroup → its log to the base ζ = g^(2^(s−w)) */
  logs: Map<number, number>;
  powHalf: { first: number; steps: PowStep[] };
};

/**
 * BigInt-facing field operations on the kernel: `mul`, `add`, `pow`, `sqrt` modulo q, for callers outside the
 * generated permutation (tests, square roots and inversions when unpacking points), and `sqrtRatios`, which
 * unpacks a whole batch of points with one shared inversion.
 */
export class FieldKernel extends KernelModule {
  /** Most elements one `sqrtRatios` pass holds; longer inputs are done in chunks. */
  static readonly BATCH = 2048;
  private readonly X = KernelModule.reserved;
  private readonly Y = this.X + FE_BYTES;
  private readonly ACC = this.Y + FE_BYTES;
  private readonly T = this.ACC + FE_BYTES;
  private readonly C = this.T + FE_BYTES;
  private readonly B = this.C + FE_BYTES;
  private readonly T2 = this.B + FE_BYTES;
  private readonly R = this.T2 + FE_BYTES;
  private readonly ODD = this.R + FE_BYTES;
  private readonly U = this.ODD + (1 << (POW_WINDOW - 1)) * FE_BYTES;
  private readonly V = this.U + FieldKernel.BATCH * FE_BYTES;
  private readonly PRE = this.V + FieldKernel.BATCH * FE_BYTES;
  private readonly TABLES = this.PRE + FieldKernel.BATCH * FE_BYTES;
  private readonly sqrN: (d: number, s: number, n: number) => void;
  private roots: RootTables | undefined;
  private readonly invSchedule: { first: number; steps: PowStep[] };

  constructor(q: bigint) {
    const { w, k } = rootWindows(twoAdicity(q));
    const tables = KernelModule.reserved + (8 + (1 << (POW_WINDOW - 1)) + 3 * FieldKernel.BATCH) * FE_BYTES;
    super(
      q,
      [sqrBody(q), sqrNBody(SQR)],
      new Map([
        [SQR, 'sqr'],
        [SQR_N, 'sqrN'],
      ]),
      tables + k * (1 << w) * FE_BYTES,
    );
    this.sqrN = this.fn('sqrN');
    this.invSchedule = powSchedule(q - 2n);
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
    if (exp === 0n) this.copyElement(this.ACC, KernelModule.MONT_ONE);
    else this.powAt(this.ACC, this.X, exp === this.q - 2n ? this.invSchedule : powSchedule(exp));
    this.mulFn(this.ACC, this.ACC, KernelModule.ONE);
    return this.take(this.ACC);
  }

  private toMont(at: number, v: bigint): void {
    this.put(at, v);
    this.mulFn(at, at, KernelModule.R2);
  }

  /** dst ← src^exp in Montgomery form by the sliding-window schedule of exp > 0; dst must differ from src. */
  private powAt(dst: number, src: number, schedule: { first: number; steps: PowStep[] }): void {
    const odd = this.ODD;
    this.copyElement(odd, src);
    this.mulFn(dst, src, src);
    for (let j = 1; j < 1 << (POW_WINDOW - 1); j++) this.mulFn(odd + j * FE_BYTES, odd + (j - 1) * FE_BYTES, dst);
    this.copyElement(dst, schedule.first < 0 ? KernelModule.MONT_ONE : odd + schedule.first * FE_BYTES);
    for (const { squarings, odd: j } of schedule.steps) {
      if (squarings > 0) this.sqrN(dst, dst, squarings);
      if (j >= 0) this.mulFn(dst, dst, odd + j * FE_BYTES);
    }
  }

  /**
   * A square root of n mod q, or undefined if n is not a square. Which of the two roots comes back is fixed by the
   * algorithm; callers choose the sign they need.
   */
  sqrt(n: bigint): bigint | undefined {
    if (n === 0n) return 0n;
    this.rootTablesReady();
    this.toMont(this.X, n);
    if (!this.sqrtAt(this.R, this.X)) return undefined;
    this.mulFn(this.R, this.R, KernelModule.ONE);
    return this.take(this.R);
  }

  /**
   * For each i, an x with x² = u_i / v_i, or undefined if u_i / v_i is not a square or v_i = 0 (canonical inputs).
   * sqrt(u/v) = sqrt(u·v) / v, and all the 1/v share one inversion (Montgomery's trick), so each element costs one
   * exponentiation instead of two.
   */
  sqrtRatios(us: readonly bigint[], vs: readonly bigint[]): (bigint | undefined)[] {
    if (us.length !== vs.length) throw new RangeError('sqrtRatios needs as many numerators as denominators');
    this.rootTablesReady();
    const out: (bigint | undefined)[] = [];
    for (let from = 0; from < us.length; from += FieldKernel.BATCH)
      this.sqrtRatioChunk(us, vs, from, Math.min(us.length, from + FieldKernel.BATCH), out);
    return out;
  }

  private sqrtRatioChunk(
    us: readonly bigint[],
    vs: readonly bigint[],
    from: number,
    to: number,
    out: (bigint | undefined)[],
  ): void {
    const { U, V, PRE, ACC, T } = this;
    const at = (base: number, i: number): number => base + (i - from) * FE_BYTES;
    // Forward: U ← u·v (the radicand), V ← v, PRE ← running product of the non-zero v.
    const live: number[] = [];
    let last = KernelModule.MONT_ONE;
    for (let i = from; i < to; i++) {
      const v = vs[i]!;
      if (v === 0n) continue;
      this.toMont(at(V, i), v);
      this.toMont(at(U, i), us[i]!);
      this.mulFn(at(U, i), at(U, i), at(V, i));
      this.mulFn(at(PRE, i), last, at(V, i));
      last = at(PRE, i);
      live.push(i);
    }
    if (live.length > 0) {
      this.powAt(ACC, last, this.invSchedule);
      // Backward: V ← 1/v from the inverse of the running product.
      for (let j = live.length - 1; j >= 0; j--) {
        const i = live[j]!;
        this.mulFn(T, ACC, j > 0 ? at(PRE, live[j - 1]!) : KernelModule.MONT_ONE);
        this.mulFn(ACC, ACC, at(V, i));
        this.copyElement(at(V, i), T);
      }
    }
    for (let i = from; i < to; i++) {
      if (vs[i] === 0n) {
        out.push(undefined);
        continue;
      }
      if (us[i] === 0n) {
        out.push(0n);
        continue;
      }
      if (!this.sqrtAt(this.R, at(U, i))) {
        out.push(undefined);
        continue;
      }
      this.mulFn(this.R, this.R, at(V, i));
      this.mulFn(this.R, this.R, KernelModule.ONE);
      out.push(this.take(this.R));
    }
  }

  /** dst ← a square root of the non-zero Montgomery element at src; false if it is not a square. */
  private sqrtAt(dst: number, src: number): boolean {
    const rt = this.rootTablesReady();
    const { X, T, C } = this;
    this.copyElement(X, src);
    this.powAt(dst, X, rt.powHalf); // w = n^((Q−1)/2)
    this.mulFn(T, dst, X);
    this.mulFn(T, T, dst); // t = w²·n = n^Q, in the subgroup of order 2^s
    this.mulFn(dst, dst, X); // r = w·n = n^((Q+1)/2), and r² = n·t
    // t = g^e: find e from its w-bit digits, lowest first. P_j = t^(2^(w(k−1−j))) = ζ^(e_j) · Π_{i<j} g^(e_i·2^(…)).
    const { w, k, table, logs } = rt;
    const digits: number[] = [];
    for (let j = 0; j < k; j++) {
      const shift = w * (k - 1 - j);
      if (shift > 0) this.sqrN(C, T, shift);
      else this.copyElement(C, T);
      for (let i = 0; i < j; i++) if (digits[i]) this.mulFn(C, C, table(k - 1 - j + i, digits[i]!));
      const d = this.logOf(C, logs, rt);
      if (d === undefined) return false;
      digits.push(d);
    }
    // n is a square exactly when t is, i.e. when e is even; then sqrt(n) = r·g^(−e/2).
    if (digits[0]! & 1) return false;
    let e = 0n;
    for (let j = k - 1; j >= 0; j--) e = (e << BigInt(w)) | BigInt(digits[j]!);
    let half = e >> 1n;
    const mask = BigInt((1 << w) - 1);
    for (let m = 0; m < k && half > 0n; m++, half >>= BigInt(w)) {
      const v = Number(half & mask);
      if (v) this.mulFn(dst, dst, table(m, v));
    }
    return true;
  }

  /** log to the base ζ of the element at `at` (in the order-2^w subgroup), by table lookup. */
  private logOf(at: number, logs: Map<number, number>, rt: RootTables): number | undefined {
    const v = logs.get(this.keyOf(at));
    if (v === undefined) return undefined;
    // The key is 53 bits of the element; confirm the whole element (ζ^v = g^(−(2^w−v)·2^(s−w)) = table k−1).
    return this.equal(at, rt.table(rt.k - 1, ((1 << rt.w) - v) % (1 << rt.w))) ? v : undefined;
  }

  private keyOf(at: number): number {
    const i = at / 4;
    return this.u32[i]! * 0x1000000 + (this.u32[i + 1]! & 0xffffff);
  }

  /** Built on first use, before any caller's operands are in the scratch elements (building uses them). */
  private rootTablesReady(): RootTables {
    return (this.roots ??= this.rootTables());
  }

  private rootTables(): RootTables {
    const q = this.q;
    const s = twoAdicity(q);
    const odd = (q - 1n) >> BigInt(s);
    let z = 2n;
    while (this.pow(z, (q - 1n) / 2n) !== q - 1n) z++;
    const g = this.pow(z, odd);
    const { w, k } = rootWindows(s);
    const size = 1 << w;
    const table = (m: number, v: number): number => this.TABLES + (m * size + v) * FE_BYTES;
    // base_m = g^(−2^(m·w)), table m = its powers 0 .. 2^w − 1.
    this.toMont(this.Y, this.pow(g, q - 2n));
    for (let m = 0; m < k; m++) {
      if (m > 0) this.sqrN(this.Y, this.Y, w);
      this.copyElement(table(m, 0), KernelModule.MONT_ONE);
      for (let v = 1; v < size; v++) this.mulFn(table(m, v), table(m, v - 1), this.Y);
    }
    const logs = new Map<number, number>();
    for (let u = 0; u < size; u++) logs.set(this.keyOf(table(k - 1, u)), (size - u) % size);
    return { odd, s, w, k, table, logs, powHalf: powSchedule((odd - 1n) / 2n) };
  }
}

function twoAdicity(q: bigint): number {
  let s = 0;
  for (let o = q - 1n; (o & 1n) === 0n; o >>= 1n) s++;
  return s;
}

/** The widest window w ≤ 8 that divides s, and k = s / w windows. */
function rootWindows(s: number): { w: number; k: number } {
  let w = Math.min(8, s);
  while (s % w !== 0) w--;
  return { w, k: s / w };
}

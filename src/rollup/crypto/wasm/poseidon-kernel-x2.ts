import { P } from '../field.ts';
import { ROUNDS_F, params } from '../poseidon-constants.ts';
import { Body, I32, buildModule, instantiate } from './emit.ts';
import { MONT_R, WORDS_BYTES, readWordsAt, writeWordsAt } from './montgomery.ts';
import {
  MAX_DOT,
  PAIR_BYTES,
  addX2Body,
  dotX2Body,
  fromWordsX2Body,
  pairLimbs,
  reduceX2Body,
  toWordsX2Body,
} from './montgomery-x2.ts';

/**
 * Two circomlib Poseidon hashes of width t at once, one per SIMD lane, as one straight-line WebAssembly function
 * (`hash`) over the two-lane kernel of `montgomery-x2.ts`. Same optimised schedule as the scalar kernel
 * (`poseidon-kernel.ts`), with two savings that lazy reduction allows: each matrix row is one `dot` (the t products
 * summed before a single Montgomery reduction), and the last full round computes only the element the hash returns.
 * Every intermediate value stays below 2q (see `montgomery-x2.ts`); the output is fully reduced before it leaves.
 */
export const MAX_X2_WIDTH = MAX_DOT;

// Function indices in the module: dot_1..dot_t at 0..t−1, then these.
const names = ['add', 'reduce', 'fromWords', 'toWords', 'hash'] as const;

export class PoseidonKernelX2 {
  readonly t: number;
  private readonly hashFn: () => void;
  private readonly words: BigUint64Array;
  /** I/O: t − 1 input slots per lane (A then B), then one output slot per lane, WORDS_BYTES each. */
  private readonly inA: number;
  private readonly inB: number;
  private readonly outA: number;
  private readonly outB: number;

  constructor(t: number) {
    if (!Number.isInteger(t) || t < 2 || t > MAX_X2_WIDTH) throw new RangeError(`two-lane Poseidon needs t in 2..6`);
    this.t = t;
    const o = params(t);
    const [ADD, REDUCE, FROM_WORDS, TO_WORDS, HASH] = names.map((_, i) => t + i) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const dot = (n: number): number => n - 1;

    let next = 0;
    const io = (count: number): number => {
      const at = next;
      next += count * WORDS_BYTES;
      return at;
    };
    this.inA = io(t - 1);
    this.inB = io(t - 1);
    this.outA = io(1);
    this.outB = io(1);
    const data: [number, number[]][] = [];
    const place = (values: readonly bigint[]): number[] =>
      values.map((v) => {
        const at = next;
        next += PAIR_BYTES;
        data.push([at, pairLimbs(v)]);
        return at;
      });
    const mont = (values: readonly bigint[]): number[] => place(values.map((v) => (v * MONT_R) % P));
    const fullC = o.fullC.map((row) => mont(row));
    const M = o.M.map((row) => mont(row));
    const M0 = o.M0.map((row) => mont(row));
    // Partial rounds run in a loop over their constants, laid out round by round: [c, row (t), col (t − 1)], which
    // keeps the generated function small.
    const partialAt = next;
    for (let r = 0; r < o.rp; r++) mont([o.partialC[r]!, ...o.sparseRow[r]!, ...o.sparseCol[r]!]);
    const partialStride = 2 * t * PAIR_BYTES;
    const partialEnd = next;
    const [R2, ONE, ZERO] = place([(MONT_R * MONT_R) % P, 1n, 0n]) as [number, number, number];
    const S = place(new Array<bigint>(t).fill(0n));
    const T = place(new Array<bigint>(t).fill(0n));
    const [w] = place([0n]) as [number];

    // Measured here (V8 11.3, x64), separate small functions beat larger fused ones by 5-15% per hash: an S-box with
    // its round constant and three products in one body, all column updates of a partial round in one body, or a
    // dedicated squaring (45 instead of 81 limb products). With only 16 SIMD registers, larger live sets spill.
    const f = new Body([]);
    type Arg = number | readonly [number, number];
    const mul = (d: number, a: Arg, b: Arg): Body => f.call(dot(1), d, a, b);
    const sbox = (d: number, s: number, c: Arg): void => {
      f.call(ADD, d, s, c);
      mul(w, d, d);
      mul(w, w, w);
      mul(d, w, d);
    };
    const dotRow = (d: number, m: readonly number[], x: readonly number[]): Body =>
      f.call(dot(m.length), d, ...m.flatMap((mk, k) => [mk, x[k]!]));
    const fullRound = (c: number[], m: number[][], state: readonly number[], outputs: number): void => {
      for (let i = 0; i < t; i++) sbox(T[i]!, state[i]!, c[i]!);
      for (let i = 0; i < outputs; i++) dotRow(S[i]!, m[i]!, T);
    };
    for (let i = 1; i < t; i++) {
      f.call(FROM_WORDS, S[i]!, this.inA + (i - 1) * WORDS_BYTES, this.inB + (i - 1) * WORDS_BYTES);
      mul(S[i]!, S[i]!, R2);
    }
    const half = ROUNDS_F / 2;
    // The capacity element is 0: the first round reads it from the ZERO constant instead of writing S0.
    const first = [ZERO, ...S.slice(1)];
    for (let r = 0; r < half; r++) fullRound(fullC[r]!, r === half - 1 ? M0 : M, r === 0 ? first : S, t);
    const p = f.local(I32);
    f.i32(partialAt).set(p);
    const at = (k: number): readonly [number, number] => [p, k * PAIR_BYTES];
    const row = Array.from({ length: t }, (_, j) => at(1 + j));
    const col = Array.from({ length: t - 1 }, (_, i) => at(1 + t + i));
    f.loopPointer(p, partialStride, partialEnd, () => {
      sbox(T[0]!, S[0]!, at(0));
      f.call(dot(t), S[0]!, ...row.flatMap((rj, j) => [rj, j === 0 ? T[0]! : S[j]!]));
      for (let i = 1; i < t; i++) {
        mul(w, col[i - 1]!, T[0]!);
        f.call(ADD, S[i]!, S[i]!, w);
      }
    });
    for (let r = half; r < ROUNDS_F; r++) fullRound(fullC[r]!, M, S, r === ROUNDS_F - 1 ? 1 : t);
    // Out of Montgomery form (·1/R gives a value at most q), then canonical.
    mul(S[0]!, S[0]!, ONE);
    f.call(REDUCE, S[0]!, S[0]!);
    f.call(TO_WORDS, this.outA, this.outB, S[0]!);

    const bodies = [
      ...Array.from({ length: t }, (_, k) => dotX2Body(P, k + 1)),
      addX2Body(P),
      reduceX2Body(P),
      fromWordsX2Body(),
      toWordsX2Body(),
      f,
    ];
    const { memory, fn } = instantiate(buildModule(bodies, new Map([[HASH, 'hash']]), Math.ceil(next / 65536)));
    this.hashFn = fn('hash');
    this.words = new BigUint64Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    for (const [at, limbs] of data) u32.set(limbs, at / 4);
  }

  private write(at: number, v: bigint): void {
    writeWordsAt(this.words, at, v);
  }

  private read(at: number): bigint {
    return readWordsAt(this.words, at);
  }

  /**
   * circomlib Poseidon(t − 1) of `a` (lane A) and `b` (lane B), each t − 1 canonical field elements (unchecked:
   * the public API validates). Returns [hash(a), hash(b)].
   */
  hashPair(a: readonly bigint[], b: readonly bigint[]): [bigint, bigint] {
    for (let i = 0; i < this.t - 1; i++) {
      this.write(this.inA + i * WORDS_BYTES, a[i]!);
      this.write(this.inB + i * WORDS_BYTES, b[i]!);
    }
    this.hashFn();
    return [this.read(this.outA), this.read(this.outB)];
  }
}

const kernels: (PoseidonKernelX2 | undefined)[] = [];

export function poseidonKernelX2(t: number): PoseidonKernelX2 {
  return (kernels[t] ??= new PoseidonKernelX2(t));
}

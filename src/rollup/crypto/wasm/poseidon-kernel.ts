import { P } from '../field.ts';
import { ROUNDS_F, params } from '../poseidon-constants.ts';
import { Body } from './emit.ts';
import {
  ADD,
  FE_BYTES,
  FROM_WORDS,
  KernelModule,
  MONT_R,
  MUL,
  TO_WORDS,
  WORDS_BYTES,
  readWordsAt,
  writeWordsAt,
} from './montgomery.ts';

/**
 * The Poseidon permutation of width t as one straight-line WebAssembly function, generated at first use. Every
 * constant sits in Montgomery form at a fixed address, so the code is a flat sequence of calls to the field kernel
 * (`mul`, `add`) with constant pointers: no loops, no bounds logic, no allocation. It computes exactly the optimised
 * permutation of `poseidon-constants.ts` (the BigInt reference in `poseidon.ts` follows the same schedule).
 */
const PERMUTE = 5;

export class PoseidonKernel extends KernelModule {
  readonly t: number;
  private readonly permuteFn: () => void;
  /** The state as 32-byte integers (I/O), one WORDS_BYTES slot per element. */
  private readonly ioAt: number;

  constructor(t: number) {
    const layout = PoseidonKernel.layout(t);
    super(P, [layout.body], new Map([[PERMUTE, 'permute']]), layout.bytes);
    this.t = t;
    this.permuteFn = this.fn('permute');
    for (const [at, v] of layout.data) this.put(at, v);
    this.ioAt = layout.io;
  }

  private static layout(t: number): { body: Body; data: [number, bigint][]; bytes: number; io: number } {
    const o = params(t);
    let next = KernelModule.reserved;
    const data: [number, bigint][] = [];
    const place = (values: readonly bigint[]): number[] =>
      values.map((v) => {
        const at = next;
        next += FE_BYTES;
        data.push([at, (v * MONT_R) % P]);
        return at;
      });
    const fullC = o.fullC.map((row) => place(row));
    const partialC = place(o.partialC);
    const M = o.M.map((row) => place(row));
    const M0 = o.M0.map((row) => place(row));
    const row = o.sparseRow.map((r) => place(r));
    const col = o.sparseCol.map((c) => place(c));
    const S = place(new Array<bigint>(t).fill(0n));
    const T = place(new Array<bigint>(t).fill(0n));
    const [w] = place([0n]) as [number];
    const io = next;
    next += t * WORDS_BYTES;
    const IO = (i: number): number => io + i * WORDS_BYTES;

    const f = new Body([]);
    const mul = (d: number, a: number, b: number): Body => f.call(MUL, d, a, b);
    const add = (d: number, a: number, b: number): Body => f.call(ADD, d, a, b);
    const pow5 = (x: number): void => {
      mul(w, x, x);
      mul(w, w, w);
      mul(x, w, x);
    };
    const fullRound = (c: number[], m: number[][]): void => {
      for (let i = 0; i < t; i++) {
        add(T[i]!, S[i]!, c[i]!);
        pow5(T[i]!);
      }
      for (let i = 0; i < t; i++) {
        mul(S[i]!, m[i]![0]!, T[0]!);
        for (let j = 1; j < t; j++) {
          mul(w, m[i]![j]!, T[j]!);
          add(S[i]!, S[i]!, w);
        }
      }
    };
    for (let i = 0; i < t; i++) {
      f.call(FROM_WORDS, S[i]!, IO(i));
      mul(S[i]!, S[i]!, KernelModule.R2);
    }
    const half = ROUNDS_F / 2;
    for (let r = 0; r < half; r++) fullRound(fullC[r]!, r === half - 1 ? M0 : M);
    for (let r = 0; r < o.rp; r++) {
      // s0 goes through the S-box into T0; S0 then accumulates the sparse row, the others gain col·s0.
      add(T[0]!, S[0]!, partialC[r]!);
      pow5(T[0]!);
      mul(S[0]!, row[r]![0]!, T[0]!);
      for (let j = 1; j < t; j++) {
        mul(w, row[r]![j]!, S[j]!);
        add(S[0]!, S[0]!, w);
      }
      for (let i = 1; i < t; i++) {
        mul(w, col[r]![i - 1]!, T[0]!);
        add(S[i]!, S[i]!, w);
      }
    }
    for (let r = half; r < ROUNDS_F; r++) fullRound(fullC[r]!, M);
    for (let i = 0; i < t; i++) {
      mul(S[i]!, S[i]!, KernelModule.ONE);
      f.call(TO_WORDS, IO(i), S[i]!);
    }
    return { body: f, data, bytes: next, io };
  }

  private writeWords(i: number, v: bigint): void {
    writeWordsAt(this.words, this.ioAt + i * WORDS_BYTES, v);
  }

  private readWords(i: number): bigint {
    return readWordsAt(this.words, this.ioAt + i * WORDS_BYTES);
  }

  /** Full permutation; every element of `state` must be a canonical field element. */
  permute(state: readonly bigint[]): bigint[] {
    for (let i = 0; i < this.t; i++) this.writeWords(i, state[i]!);
    this.permuteFn();
    return Array.from({ length: this.t }, (_, i) => this.readWords(i));
  }

  /** circomlib Poseidon(t − 1): capacity 0, then the inputs; returns element 0. */
  hash(inputs: readonly bigint[]): bigint {
    this.writeWords(0, 0n);
    for (let i = 1; i < this.t; i++) this.writeWords(i, inputs[i - 1]!);
    this.permuteFn();
    return this.readWords(0);
  }
}

const kernels: (PoseidonKernel | undefined)[] = [];

export function poseidonKernel(t: number): PoseidonKernel {
  return (kernels[t] ??= new PoseidonKernel(t));
}

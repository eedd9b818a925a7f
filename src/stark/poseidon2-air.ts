/**
 * The Poseidon2 AIR: one permutation per row.
 *
 * Row layout (173 columns): the 16 input words, the 141 S-box outputs in round order (4 full rounds
 * × 16, 13 partial rounds × 1, 4 full rounds × 16), and the 16 output words. Storing every S-box
 * output keeps the state between S-boxes a linear form of the row, so each S-box is one degree-7
 * constraint "column = (linear form + round constant)^7"; the output words are degree-1 checks.
 *
 * `poseidon2RowConstraints` is the reusable gadget (a batch AIR hashing Merkle paths places several
 * of these blocks side by side in a wider row). `Poseidon2ChainAir` uses it to prove a hash chain:
 * row i+1's input is row i's output, row 0's input and the last row's output are public.
 */
import type { Air, Algebra, BoundaryConstraint, Trace } from './air.ts';
import { StarkError } from './errors.ts';
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P, isCanonical, sub } = fieldModule;
import { wordsToBytes } from './hash.ts';
import * as poseidon2_constantsModule from './poseidon2-constants.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const {
  EXTERNAL_ROUND_CONSTANTS,
  INTERNAL_DIAGONAL_MINUS_ONE,
  INTERNAL_ROUND_CONSTANTS,
  POSEIDON2_ROUNDS_FULL,
  POSEIDON2_ROUNDS_PARTIAL,
} = poseidon2_constantsModule;
import * as poseidon2Module from './poseidon2.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { SBOX_COUNT, externalLinearLayer, internalLinearLayer, poseidon2Permute, sbox } = poseidon2Module;

export const POSEIDON2_BLOCK_WIDTH = 16 + SBOX_COUNT + 16;
/** Row constraints one Poseidon2 block contributes (S-boxes, then output words). */
export const POSEIDON2_BLOCK_CONSTRAINTS = SBOX_COUNT + 16;

function externalGeneric<T>(alg: Algebra<T>, s: T[]): void {
  const two = alg.constant(2);
  const four = alg.constant(4);
  for (let i = 0; i < 16; i += 4) {
    const t0 = alg.add(s[i]!, s[i + 1]!);
    const t1 = alg.add(s[i + 2]!, s[i + 3]!);
    const t2 = alg.add(alg.mul(two, s[i + 1]!), t1);
    const t3 = alg.add(alg.mul(two, s[i + 3]!), t0);
    const t4 = alg.add(alg.mul(four, t1), t3);
    const t5 = alg.add(alg.mul(four, t0), t2);
    s[i] = alg.add(t3, t5);
    s[i + 1] = t5;
    s[i + 2] = alg.add(t2, t4);
    s[i + 3] = t4;
  }
  for (let l = 0; l < 4; l++) {
    const sum = alg.add(alg.add(s[l]!, s[4 + l]!), alg.add(s[8 + l]!, s[12 + l]!));
    for (let j = l; j < 16; j += 4) s[j] = alg.add(s[j]!, sum);
  }
}

function internalGeneric<T>(alg: Algebra<T>, s: T[]): void {
  let sum: T = s[0]!;
  for (let i = 1; i < 16; i++) sum = alg.add(sum, s[i]!);
  for (let i = 0; i < 16; i++) s[i] = alg.add(alg.mul(s[i]!, alg.constant(INTERNAL_DIAGONAL_MINUS_ONE[i]!)), sum);
}

function pow7<T>(alg: Algebra<T>, x: T): T {
  const x2 = alg.mul(x, x);
  const x4 = alg.mul(x2, x2);
  return alg.mul(alg.mul(x4, x2), x);
}

/**
 * Writes the 157 constraints of one Poseidon2 block whose columns start at `col` in `row`, into
 * `out` from `offset`. Returns the offset after the last constraint written.
 */
export function poseidon2RowConstraints<T>(
  alg: Algebra<T>,
  row: readonly T[],
  col: number,
  out: T[],
  offset: number,
): number {
  const s: T[] = row.slice(col, col + 16);
  let w = col + 16;
  let o = offset;
  externalGeneric(alg, s);
  const half = POSEIDON2_ROUNDS_FULL / 2;
  for (let r = 0; r < POSEIDON2_ROUNDS_FULL; r++) {
    if (r === half) {
      for (let r2 = 0; r2 < POSEIDON2_ROUNDS_PARTIAL; r2++) {
        const witness = row[w++]!;
        out[o++] = alg.sub(witness, pow7(alg, alg.add(s[0]!, alg.constant(INTERNAL_ROUND_CONSTANTS[r2]!))));
        s[0] = witness;
        internalGeneric(alg, s);
      }
    }
    const rc = EXTERNAL_ROUND_CONSTANTS[r]!;
    for (let i = 0; i < 16; i++) {
      const witness = row[w++]!;
      out[o++] = alg.sub(witness, pow7(alg, alg.add(s[i]!, alg.constant(rc[i]!))));
      s[i] = witness;
    }
    externalGeneric(alg, s);
  }
  for (let i = 0; i < 16; i++) out[o++] = alg.sub(row[w + i]!, s[i]!);
  return o;
}

const scratch = new Uint32Array(16);

/** The base-field twin of `poseidon2RowConstraints`, for the prover's hot loop. */
export function poseidon2RowConstraintsBase(row: Uint32Array, col: number, out: Uint32Array, offset: number): number {
  const s = scratch;
  for (let i = 0; i < 16; i++) s[i] = row[col + i]!;
  let w = col + 16;
  let o = offset;
  externalLinearLayer(s);
  const half = POSEIDON2_ROUNDS_FULL / 2;
  for (let r = 0; r < POSEIDON2_ROUNDS_FULL; r++) {
    if (r === half) {
      for (let r2 = 0; r2 < POSEIDON2_ROUNDS_PARTIAL; r2++) {
        const witness = row[w++]!;
        const x = s[0]! + INTERNAL_ROUND_CONSTANTS[r2]!;
        out[o++] = sub(witness, sbox(x >= P ? x - P : x));
        s[0] = witness;
        internalLinearLayer(s);
      }
    }
    const rc = EXTERNAL_ROUND_CONSTANTS[r]!;
    for (let i = 0; i < 16; i++) {
      const witness = row[w++]!;
      const x = s[i]! + rc[i]!;
      out[o++] = sub(witness, sbox(x >= P ? x - P : x));
      s[i] = witness;
    }
    externalLinearLayer(s);
  }
  for (let i = 0; i < 16; i++) out[o++] = sub(row[w + i]!, s[i]!);
  return o;
}

/** Fills one block (input, S-box outputs, output) of a trace row from the input state. */
export function fillPoseidon2Block(input: ArrayLike<number>, target: Uint32Array, offset: number): void {
  const state = Uint32Array.from(input);
  target.set(state, offset);
  const sboxes = target.subarray(offset + 16, offset + 16 + SBOX_COUNT);
  poseidon2Permute(state, sboxes);
  target.set(state, offset + 16 + SBOX_COUNT);
}

export class Poseidon2ChainAir implements Air {
  readonly name = 'keel/poseidon2-chain/v1';
  readonly traceWidth = POSEIDON2_BLOCK_WIDTH;
  readonly degree = 7;
  readonly numRowConstraints = POSEIDON2_BLOCK_CONSTRAINTS;
  readonly numTransitionConstraints = 16;

  constructor(
    readonly traceLength: number,
    readonly input: Uint32Array,
    readonly output: Uint32Array,
  ) {
    if (input.length !== 16 || output.length !== 16) throw new StarkError('INVALID_ARGUMENT', 'states have 16 words');
    for (const v of [...input, ...output]) {
      if (!isCanonical(v)) throw new StarkError('INVALID_ARGUMENT', 'state word is not a BabyBear element');
    }
  }

  periodicColumns(): readonly Uint32Array[] {
    return [];
  }

  boundaryConstraints(): readonly BoundaryConstraint[] {
    const out: BoundaryConstraint[] = [];
    const last = this.traceLength - 1;
    for (let i = 0; i < 16; i++) out.push({ column: i, row: 0, value: this.input[i]! });
    for (let i = 0; i < 16; i++) out.push({ column: 16 + SBOX_COUNT + i, row: last, value: this.output[i]! });
    return out;
  }

  publicInputBytes(): Uint8Array {
    const words = new Uint32Array(32);
    words.set(this.input, 0);
    words.set(this.output, 16);
    return wordsToBytes(words);
  }

  evaluate<T>(alg: Algebra<T>, cur: readonly T[], next: readonly T[], _periodic: readonly T[], out: T[]): void {
    let o = poseidon2RowConstraints(alg, cur, 0, out, 0);
    for (let i = 0; i < 16; i++) out[o++] = alg.sub(next[i]!, cur[16 + SBOX_COUNT + i]!);
  }

  evaluateBase(cur: Uint32Array, next: Uint32Array, _periodic: Uint32Array, out: Uint32Array): void {
    let o = poseidon2RowConstraintsBase(cur, 0, out, 0);
    for (let i = 0; i < 16; i++) out[o++] = sub(next[i]!, cur[16 + SBOX_COUNT + i]!);
  }
}

/** A trace of `length` chained permutations from `input`, and the final output. */
export function poseidon2ChainTrace(length: number, input: ArrayLike<number>): { trace: Trace; output: Uint32Array } {
  const width = POSEIDON2_BLOCK_WIDTH;
  const columns = Array.from({ length: width }, () => new Uint32Array(length));
  const row = new Uint32Array(width);
  let state = Uint32Array.from(input);
  for (let i = 0; i < length; i++) {
    fillPoseidon2Block(state, row, 0);
    for (let c = 0; c < width; c++) columns[c]![i] = row[c]!;
    state = row.slice(16 + SBOX_COUNT, width);
  }
  return { trace: { width, length, columns }, output: state };
}

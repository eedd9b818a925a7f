/**
 * Poseidon2 over BabyBear, width 16 (the Horizen Labs instance; constants in poseidon2-constants.ts),
 * and the hashes built on it for Merkle trees over the STARK field:
 *  - `poseidon2Compress`: 2-to-1 compression of two 8-element digests (truncated permutation);
 *  - `poseidon2Hash`: a sponge (rate 8, capacity 8) for leaves of any length, with the input length
 *    in the capacity so inputs of different lengths never collide by padding.
 * A digest is 8 field elements (≈248 bits, ≈124-bit collision resistance).
 */
import { StarkError } from './errors.ts';
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P, add, isCanonical, mul, reduce } = fieldModule;
import * as poseidon2_constantsModule from './poseidon2-constants.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const {
  EXTERNAL_ROUND_CONSTANTS,
  INTERNAL_DIAGONAL_MINUS_ONE,
  INTERNAL_ROUND_CONSTANTS,
  POSEIDON2_ROUNDS_FULL,
  POSEIDON2_ROUNDS_PARTIAL,
  POSEIDON2_WIDTH,
} = poseidon2_constantsModule;

export const DIGEST_ELEMENTS = 8;
const HALF_FULL = POSEIDON2_ROUNDS_FULL / 2;

export function sbox(x: number): number {
  const x2 = mul(x, x);
  const x4 = mul(x2, x2);
  return mul(mul(x4, x2), x);
}

/** The 4×4 block [[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]] on each quarter, then add the column sums. */
export function externalLinearLayer(state: Uint32Array | number[]): void {
  for (let i = 0; i < 16; i += 4) {
    const x0 = state[i]!,
      x1 = state[i + 1]!,
      x2 = state[i + 2]!,
      x3 = state[i + 3]!;
    const t0 = x0 + x1;
    const t1 = x2 + x3;
    const t2 = 2 * x1 + t1;
    const t3 = 2 * x3 + t0;
    const t4 = 4 * t1 + t3;
    const t5 = 4 * t0 + t2;
    state[i] = reduce(t3 + t5);
    state[i + 1] = reduce(t5);
    state[i + 2] = reduce(t2 + t4);
    state[i + 3] = reduce(t4);
  }
  for (let l = 0; l < 4; l++) {
    const s = state[l]! + state[4 + l]! + state[8 + l]! + state[12 + l]!;
    for (let j = l; j < 16; j += 4) state[j] = reduce(state[j]! + s);
  }
}

export function internalLinearLayer(state: Uint32Array | number[]): void {
  let sum = 0;
  for (let i = 0; i < 16; i++) sum += state[i]!;
  sum = reduce(sum);
  for (let i = 0; i < 16; i++) state[i] = add(mul(state[i]!, INTERNAL_DIAGONAL_MINUS_ONE[i]!), sum);
}

/**
 * The permutation, optionally recording every S-box output (64 + 13 + 64 = 141 values, in round
 * order) for the AIR's trace.
 */
export function poseidon2Permute(state: Uint32Array, sboxOutputs?: Uint32Array): void {
  let w = 0;
  externalLinearLayer(state);
  for (let r = 0; r < POSEIDON2_ROUNDS_FULL; r++) {
    if (r === HALF_FULL) {
      for (let r2 = 0; r2 < POSEIDON2_ROUNDS_PARTIAL; r2++) {
        state[0] = sbox(add(state[0]!, INTERNAL_ROUND_CONSTANTS[r2]!));
        if (sboxOutputs) sboxOutputs[w++] = state[0]!;
        internalLinearLayer(state);
      }
    }
    const rc = EXTERNAL_ROUND_CONSTANTS[r]!;
    for (let i = 0; i < 16; i++) {
      state[i] = sbox(add(state[i]!, rc[i]!));
      if (sboxOutputs) sboxOutputs[w++] = state[i]!;
    }
    externalLinearLayer(state);
  }
}

export const SBOX_COUNT = POSEIDON2_ROUNDS_FULL * POSEIDON2_WIDTH + POSEIDON2_ROUNDS_PARTIAL;

function checkElements(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!isCanonical(values[i]!)) throw new StarkError('INVALID_ARGUMENT', `${what}[${i}] is not a BabyBear element`);
  }
}

export function poseidon2(input: ArrayLike<number>): Uint32Array {
  if (input.length !== POSEIDON2_WIDTH)
    throw new StarkError('INVALID_ARGUMENT', 'Poseidon2 state must have 16 elements');
  checkElements(input, 'state');
  const state = Uint32Array.from(input);
  poseidon2Permute(state);
  return state;
}

/** 2-to-1 compression for Merkle trees: the first 8 words of Poseidon2(left ‖ right). */
export function poseidon2Compress(left: ArrayLike<number>, right: ArrayLike<number>): Uint32Array {
  if (left.length !== DIGEST_ELEMENTS || right.length !== DIGEST_ELEMENTS) {
    throw new StarkError('INVALID_ARGUMENT', 'Poseidon2 compression takes two 8-element digests');
  }
  checkElements(left, 'left');
  checkElements(right, 'right');
  const state = new Uint32Array(16);
  state.set(Array.from(left), 0);
  state.set(Array.from(right), 8);
  poseidon2Permute(state);
  return state.slice(0, 8);
}

/** Sponge hash of any number of field elements (leaves); the length sits in capacity word 8. */
export function poseidon2Hash(input: ArrayLike<number>): Uint32Array {
  checkElements(input, 'input');
  const state = new Uint32Array(16);
  state[8] = input.length % P;
  if (input.length === 0) poseidon2Permute(state);
  for (let off = 0; off < input.length; off += 8) {
    for (let i = 0; i < 8 && off + i < input.length; i++) state[i] = input[off + i]!;
    poseidon2Permute(state);
  }
  return state.slice(0, 8);
}

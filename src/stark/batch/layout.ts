/**
 * Column layout of the batch AIR (see README "Batch AIR"). A row holds two Poseidon2 blocks (A and B),
 * per-row registers, and the constants of the segment (one account update) it belongs to.
 */
import { POSEIDON2_BLOCK_WIDTH } from '../poseidon2-air.ts';
import { SBOX_COUNT } from '../poseidon2.ts';

export const BLOCK_A = 0;
export const BLOCK_B = POSEIDON2_BLOCK_WIDTH;
/** Offset of a block's 16 output words from the block's first column. */
export const OUT = 16 + SBOX_COUNT;

// Per-row registers.
export const DIR = 2 * POSEIDON2_BLOCK_WIDTH;
export const SIB = DIR + 1;
export const IDX = SIB + 8;
export const ROOT = IDX + 1;
export const DATA = ROOT + 8;
export const WDR = DATA + 8;

// Segment constants (equal on every row of a segment).
export const CONSTS = WDR + 8;
export const OLD_KEY = CONSTS;
export const NEW_KEY = OLD_KEY + 8;
export const OLD_BAL = NEW_KEY + 8;
export const OLD_NONCE = OLD_BAL + 3;
export const NEW_BAL = OLD_NONCE + 2;
export const NEW_NONCE = NEW_BAL + 3;
/** One flag per segment kind, kind k at FLAGS + k − 1. */
export const FLAGS = NEW_NONCE + 2;
export const AMOUNT = FLAGS + 7;
export const FEE = AMOUNT + 3;
export const EXTRA = FEE + 3;
export const FRESH = EXTRA + 8;
export const INV = FRESH + 1;
export const CARRY0 = INV + 1;
export const CARRY1 = CARRY0 + 1;
export const NONCE_CARRY = CARRY1 + 1;
/** 63 bits of the new balance (limb k's bit j at BAL_BITS + 21k + j). */
export const BAL_BITS = NONCE_CARRY + 1;
/** 16 bits of the new nonce's low limb. */
export const NONCE_BITS = BAL_BITS + 63;
export const WIDTH = NONCE_BITS + 16;

/** Periodic columns (period = segment length). */
export const PER_LEAF = 0;
export const PER_TO_PATH = 1;
export const PER_WEIGHT = 2;
export const PER_ROOT = 3;
export const PER_D1 = 4;
export const PER_D2 = 5;
export const PER_NOT_END = 6;
export const PERIODIC_COUNT = 7;

/** Rows per segment: leaf row, `depth` path rows, two digest rows, at least one spare row. */
export function segmentLength(depth: number): number {
  let s = 1;
  while (s < depth + 4) s *= 2;
  return s;
}

import type { Transaction } from './transaction.ts';

/** Below this, nLockTime and CLTV operands are block heights; at or above, UNIX times. */
export const LOCKTIME_THRESHOLD = 500_000_000;
export const SEQUENCE_FINAL = 0xffffffff;
/** BIP68 bits. */
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
export const SEQUENCE_LOCKTIME_GRANULARITY = 9;

/**
 * Core's IsFinalTx: whether `tx` may be included in a block at `height` whose lock-time cutoff is
 * `blockTime` (the median time past of the previous block, under BIP113).
 */
export function isFinalTx(tx: Transaction, height: number, blockTime: number): boolean {
  if (tx.locktime === 0) return true;
  const cutoff = tx.locktime < LOCKTIME_THRESHOLD ? height : blockTime;
  if (tx.locktime < cutoff) return true;
  for (const input of tx.inputs) if (input.sequence !== SEQUENCE_FINAL) return false;
  return true;
}

/** The last height and time at which a transaction is still locked; -1 means no constraint. */
export interface SequenceLocks {
  minHeight: number;
  minTime: number;
}

/**
 * Core's CalculateSequenceLocks (BIP68). `prevoutHeights[i]` is the height of the block that created the coin
 * spent by input i (the next block's height for an unconfirmed coin); `medianTimePastAt(h)` returns the median
 * time past of the block at height h. Returns locks with no constraint when BIP68 does not apply (version < 2).
 */
export function sequenceLocks(
  tx: Transaction,
  prevoutHeights: readonly number[],
  medianTimePastAt: (height: number) => number,
): SequenceLocks {
  let minHeight = -1;
  let minTime = -1;
  if (tx.version >>> 0 < 2) return { minHeight, minTime };
  if (prevoutHeights.length !== tx.inputs.length) throw new RangeError('prevoutHeights must match the input count');
  for (let i = 0; i < tx.inputs.length; i++) {
    const sequence = tx.inputs[i].sequence >>> 0;
    if (sequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) continue;
    const coinHeight = prevoutHeights[i];
    const value = sequence & SEQUENCE_LOCKTIME_MASK;
    if (sequence & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      // Time locks count from the median time past of the block before the coin's block.
      const coinTime = medianTimePastAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(minTime, coinTime + value * (1 << SEQUENCE_LOCKTIME_GRANULARITY) - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + value - 1);
    }
  }
  return { minHeight, minTime };
}

/**
 * Core's EvaluateSequenceLocks: whether the locks allow inclusion in a block at `height` whose previous block has
 * median time past `prevMedianTimePast`.
 */
export function checkSequenceLocks(locks: SequenceLocks, height: number, prevMedianTimePast: number): boolean {
  return !(locks.minHeight >= height || locks.minTime >= prevMedianTimePast);
}

import { poseidon2 } from './crypto/poseidon.ts';
import { fail } from './errors.ts';
import { l1ItemHash } from './tx/message.ts';
import type { L1Item } from './tx/types.ts';

/** Protocol §5.2: an L1 item older than this many Bitcoin blocks must be consumed before any L2 transaction. */
export const FORCED_INCLUSION_BLOCKS = 432;

export type QueueEntry = {
  index: number;
  item: L1Item;
  hash: bigint;
  /** chain value after this item */ chain: bigint;
};

/**
 * The hash-chained queue of deposits and forced exits, in L1 order (protocol §5.1). `consumed` is the index of the
 * first item no block has taken yet.
 */
/** One link of the queue's hash chain (protocol §5): chain' = H(chain, itemHash). */
export function queueChainStep(chain: bigint, itemHash: bigint): bigint {
  return poseidon2(chain, itemHash);
}

/** The chain after `items`, starting from `chain` (what a batch's queueHashStart → queueHashEnd commits to). */
export function queueChainOver(chain: bigint, items: Iterable<L1Item>): bigint {
  let out = chain;
  for (const item of items) out = queueChainStep(out, l1ItemHash(item));
  return out;
}

export class L1Queue {
  private readonly entries: QueueEntry[] = [];
  private consumedUpTo = 0;

  get length(): number {
    return this.entries.length;
  }

  get consumed(): number {
    return this.consumedUpTo;
  }

  /** Chain value Q_n before item n (Q_0 = 0). */
  chainAt(n: number): bigint {
    if (n === 0) return 0n;
    const e = this.entries[n - 1];
    if (!e) fail('INVALID_PARAMETER', `queue position ${n} is beyond the queue`);
    return e.chain;
  }

  /** Appends the next item; L1 order is enforced by height (the caller orders within a block). */
  push(item: L1Item): QueueEntry {
    const last = this.entries[this.entries.length - 1];
    if (last && item.l1Height < last.item.l1Height)
      fail('QUEUE_ORDER', `L1 item at height ${item.l1Height} after one at height ${last.item.l1Height}`);
    const hash = l1ItemHash(item);
    const entry: QueueEntry = {
      index: this.entries.length,
      item,
      hash,
      chain: queueChainStep(this.chainAt(this.entries.length), hash),
    };
    this.entries.push(entry);
    return entry;
  }

  get(index: number): QueueEntry | undefined {
    return this.entries[index];
  }

  /** Items not yet consumed whose L1 height is at most `maxHeight` (confirmed enough to take). */
  pending(maxHeight = Infinity): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (let i = this.consumedUpTo; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.item.l1Height > maxHeight) break;
      out.push(e);
    }
    return out;
  }

  markConsumed(upTo: number): void {
    if (upTo < this.consumedUpTo || upTo > this.entries.length)
      fail('QUEUE_ORDER', `cannot consume the queue up to ${upTo}`);
    this.consumedUpTo = upTo;
  }

  /** Whether item `n` is overdue at L1 height `tip`. */
  isOverdue(n: number, tip: number): boolean {
    const e = this.entries[n];
    return e !== undefined && n >= this.consumedUpTo && e.item.l1Height + FORCED_INCLUSION_BLOCKS <= tip;
  }
}

/**
 * Forced inclusion (protocol §5.2) for one block: `consumedBefore`..`consumedAfter` is the range the block takes
 * (before its first L2 transaction). Every item overdue at `blockL1Height` must be in that range.
 */
export function checkForcedInclusion(
  queue: L1Queue,
  consumedBefore: number,
  consumedAfter: number,
  blockL1Height: number,
): void {
  for (let n = consumedAfter; n < queue.length; n++) {
    const e = queue.get(n)!;
    if (e.item.l1Height + FORCED_INCLUSION_BLOCKS > blockL1Height) break;
    fail(
      'FORCED_INCLUSION',
      `L1 item ${n} is overdue and must be consumed first`,
      `item height ${e.item.l1Height}, block L1 height ${blockL1Height}, block consumes ${consumedBefore}..${consumedAfter}`,
    );
  }
}

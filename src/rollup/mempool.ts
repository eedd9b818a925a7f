import { fail } from './errors.ts';
import type { L2Transaction } from './tx/types.ts';

export type MempoolEntry = {
  id: string;
  tx: L2Transaction;
  bytes: Uint8Array;
  receivedAt: number;
};

export type MempoolLimits = { maxSize: number; maxPerAccount: number };

/**
 * Pending L2 transactions: per account a gap-free run of nonces starting at the account's nonce; across accounts
 * the block builder takes the highest fee first. Bounded in total and per account. A transaction with the same
 * (from, nonce) replaces the queued one only with a strictly higher fee.
 */
export class Mempool {
  private readonly byId = new Map<string, MempoolEntry>();
  /** Per account, entries by nonce offset from the first queued nonce. */
  private readonly byAccount = new Map<number, MempoolEntry[]>();

  constructor(readonly limits: MempoolLimits) {}

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): MempoolEntry | undefined {
    return this.byId.get(id);
  }

  queued(from: number): readonly MempoolEntry[] {
    return this.byAccount.get(from) ?? [];
  }

  /**
   * Where `tx` would go: the nonce it must carry at most, what the queued earlier ones spend, and the entry it
   * would replace. Throws the policy errors; does not change anything.
   */
  plan(tx: L2Transaction, accountNonce: number): { spent: bigint; replaces?: MempoolEntry } {
    const queue = this.queued(tx.from);
    const offset = tx.nonce - accountNonce;
    if (offset < 0 || offset > queue.length)
      fail('WRONG_NONCE', `nonce ${tx.nonce} is not next`, `account nonce ${accountNonce}, ${queue.length} queued`);
    let spent = 0n;
    for (let i = 0; i < offset; i++) spent += queue[i]!.tx.amount + queue[i]!.tx.fee;
    const existing = queue[offset];
    if (existing) {
      if (tx.fee <= existing.tx.fee)
        fail(
          'REPLACEMENT_UNDERPRICED',
          `a transaction with nonce ${tx.nonce} is queued; replacing it needs a higher fee`,
        );
      return { spent, replaces: existing };
    }
    if (queue.length >= this.limits.maxPerAccount)
      fail('ACCOUNT_LIMIT', `account ${tx.from} already has ${queue.length} queued transactions`);
    if (this.byId.size >= this.limits.maxSize) fail('MEMPOOL_FULL', 'the mempool is full');
    return { spent };
  }

  /** Inserts after `plan` succeeded (the caller has persisted the entry). Returns the replaced entry. */
  insert(entry: MempoolEntry, accountNonce: number): MempoolEntry | undefined {
    if (this.byId.has(entry.id)) fail('DUPLICATE', `transaction ${entry.id} is already queued`);
    let queue = this.byAccount.get(entry.tx.from);
    if (!queue) this.byAccount.set(entry.tx.from, (queue = []));
    const offset = entry.tx.nonce - accountNonce;
    const replaced = queue[offset];
    if (replaced) this.byId.delete(replaced.id);
    queue[offset] = entry;
    this.byId.set(entry.id, entry);
    return replaced;
  }

  /** Drops what a block included (nonces below `newNonce`) and returns nothing; used after each block. */
  advance(from: number, newNonce: number): void {
    const queue = this.byAccount.get(from);
    if (!queue) return;
    while (queue.length > 0 && queue[0]!.tx.nonce < newNonce) this.byId.delete(queue.shift()!.id);
    if (queue.length === 0) this.byAccount.delete(from);
  }

  /** Removes an entry and every later one of the same account (they can no longer execute). */
  dropFrom(entry: MempoolEntry): MempoolEntry[] {
    const queue = this.byAccount.get(entry.tx.from);
    if (!queue) return [];
    const at = queue.findIndex((e) => e.id === entry.id);
    if (at < 0) return [];
    const dropped = queue.splice(at);
    for (const e of dropped) this.byId.delete(e.id);
    if (queue.length === 0) this.byAccount.delete(entry.tx.from);
    return dropped;
  }

  /**
   * Block order: repeatedly the highest-fee account head (ties: earliest received), then that account's next
   * nonce. `take` is called per candidate and says whether it was included; a refused candidate ends its account.
   */
  select(max: number, take: (entry: MempoolEntry) => boolean): void {
    const heap = new FeeHeap();
    for (const queue of this.byAccount.values()) if (queue[0]) heap.push({ entry: queue[0], pos: 0 });
    let count = 0;
    while (count < max && heap.size > 0) {
      const { entry, pos } = heap.pop()!;
      if (!take(entry)) continue;
      count++;
      const next = this.byAccount.get(entry.tx.from)?.[pos + 1];
      if (next) heap.push({ entry: next, pos: pos + 1 });
    }
  }

  *entries(): IterableIterator<MempoolEntry> {
    yield* this.byId.values();
  }
}

type HeapItem = { entry: MempoolEntry; pos: number };

function before(a: HeapItem, b: HeapItem): boolean {
  if (a.entry.tx.fee !== b.entry.tx.fee) return a.entry.tx.fee > b.entry.tx.fee;
  return a.entry.receivedAt < b.entry.receivedAt;
}

class FeeHeap {
  private items: HeapItem[] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: HeapItem): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      swap(a, i, p);
      i = p;
    }
  }
  pop(): HeapItem | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        swap(a, i, m);
        i = m;
      }
    }
    return top;
  }
}

/** In place, without the temporary array a destructuring swap allocates (the heap moves tens of thousands a block). */
function swap(a: HeapItem[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

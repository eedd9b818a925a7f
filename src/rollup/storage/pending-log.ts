import { fail } from '../errors.ts';
import type { MempoolEntry } from '../mempool.ts';
import { decodeTransaction, transactionId } from '../tx/encoding.ts';
import type { KvOp } from './kv.ts';
import { keys, readU64, writeU64 } from './layout.ts';
import { concatAll } from './records.ts';

type Group = { number: number; live: Set<MempoolEntry> };

/**
 * Accepted transactions in the store, one record per group commit ('p' u64 group → the group's transactions)
 * rather than one per transaction, so that acceptance costs the store one write per flush instead of a write
 * and a later deletion per transaction.
 *
 * A record lives while any of its transactions is still pending. When the last one leaves (included, dropped,
 * replaced) the record is deleted; when some leave for good (dropped, replaced) it is rewritten without them. Both
 * go in the atomic batch of the next block the sequencer builds after that, so a transaction included in block N
 * stays in its record until block N is stored, and a crash never loses an acknowledged transaction.
 */
export class PendingLog {
  private readonly groups = new Map<number, Group>();
  private readonly groupOf = new Map<MempoolEntry, Group>();
  /** Accepted since the last flush; their record is written by the next flush. */
  private unwritten = new Set<MempoolEntry>();
  /** Of those, the ones that already left: included (still written, for safety) or dropped (left out). */
  private readonly leftEarly = new Map<MempoolEntry, 'included' | 'dropped'>();
  private readonly dirty = new Set<Group>();
  private nextGroup = 0;

  /** An accepted transaction; it goes into the record the next `flush` writes. */
  add(entry: MempoolEntry): void {
    this.unwritten.add(entry);
  }

  /** A transaction leaves the pool: included in a block, or dropped / replaced for good. */
  release(entry: MempoolEntry, how: 'included' | 'dropped'): void {
    const group = this.groupOf.get(entry);
    if (!group) {
      if (this.unwritten.has(entry)) this.leftEarly.set(entry, how);
      return;
    }
    this.groupOf.delete(entry);
    group.live.delete(entry);
    if (how === 'dropped' || group.live.size === 0) this.dirty.add(group);
  }

  /** The record of everything accepted since the last call (one put), for the store's group commit. */
  flush(): KvOp[] {
    if (this.unwritten.size === 0) return [];
    const entries = [...this.unwritten].filter((e) => this.leftEarly.get(e) !== 'dropped');
    const group: Group = { number: this.nextGroup++, live: new Set() };
    for (const e of entries)
      if (!this.leftEarly.has(e)) {
        group.live.add(e);
        this.groupOf.set(e, group);
      }
    this.unwritten = new Set();
    this.leftEarly.clear();
    if (entries.length === 0) return [];
    this.groups.set(group.number, group);
    if (group.live.size === 0) this.dirty.add(group);
    return [{ type: 'put', key: keys.pending(group.number), value: encodeGroup(entries) }];
  }

  /** Deletions and rewrites of records whose transactions left; for the next block's atomic batch. */
  tidy(): KvOp[] {
    const ops: KvOp[] = [];
    for (const group of this.dirty) {
      if (group.live.size === 0) {
        this.groups.delete(group.number);
        ops.push({ type: 'del', key: keys.pending(group.number) });
      } else {
        ops.push({ type: 'put', key: keys.pending(group.number), value: encodeGroup([...group.live]) });
      }
    }
    this.dirty.clear();
    return ops;
  }

  /**
   * Restart: the transactions of a stored record, all counted as pending; `release(entry, 'dropped')` the ones
   * not readmitted to the pool, and `tidy` rewrites or deletes their records.
   */
  read(group: number, bytes: Uint8Array): MempoolEntry[] {
    this.nextGroup = Math.max(this.nextGroup, group + 1);
    const entries: MempoolEntry[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 9 > bytes.length || at + 9 + bytes[at + 8]! > bytes.length)
        fail('STORAGE', `the stored pending transactions of group ${group} are truncated`);
      const length = bytes[at + 8]!;
      // A copy: the store may hand out Buffers over memory it reuses.
      const tx = new Uint8Array(bytes.subarray(at + 9, at + 9 + length));
      entries.push({
        id: transactionId(tx),
        tx: decodeTransaction(tx),
        bytes: tx,
        receivedAt: readU64(bytes, at),
      });
      at += 9 + length;
    }
    const record: Group = { number: group, live: new Set(entries) };
    this.groups.set(group, record);
    for (const e of entries) this.groupOf.set(e, record);
    return entries;
  }
}

/** (u64 received-at ms ‖ u8 length ‖ canonical transaction) per transaction. */
function encodeGroup(entries: readonly MempoolEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) parts.push(writeU64(e.receivedAt), Uint8Array.of(e.bytes.length), e.bytes);
  return concatAll(parts);
}

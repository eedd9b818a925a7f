import { layout, type BatchOp, type KVStore } from '../storage/index.ts';
import { decodeTransaction, encodeTransaction } from '../tx/index.ts';
import { MempoolRejectError } from './errors.ts';
import type { Mempool } from './mempool.ts';

/**
 * Keeps the mempool in the store, so a transaction the node acknowledged survives a crash or restart (Core only
 * saves its mempool on a clean shutdown). Entries are keyed by arrival order, so parents reload before children.
 */
export class MempoolJournal {
  private readonly keys = new Map<string, Uint8Array>();
  private next = 0n;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(
    private readonly store: KVStore,
    private readonly mempool: Mempool,
  ) {}

  /** Re-admits the stored transactions (those no longer valid are dropped), then journals every change. */
  static async open(store: KVStore, mempool: Mempool, log: (line: string) => void = () => {}): Promise<MempoolJournal> {
    const journal = new MempoolJournal(store, mempool);
    const stored: [Uint8Array, Uint8Array][] = [];
    for await (const entry of store.entries(Uint8Array.of(layout.PREFIX.mempool))) stored.push(entry);
    await store.write(stored.map(([key]) => ({ type: 'del', key })));
    mempool.addListener({
      txAdded: (e) => {
        const key = layout.mempoolKey(journal.next++);
        journal.keys.set(e.id, key);
        journal.enqueue([{ type: 'put', key, value: encodeTransaction(e.tx) }]);
      },
      txRemoved: (e) => {
        const key = journal.keys.get(e.id);
        if (!key) return;
        journal.keys.delete(e.id);
        journal.enqueue([{ type: 'del', key }]);
      },
    });
    let restored = 0;
    for (const [, raw] of stored) {
      try {
        mempool.accept(decodeTransaction(raw));
        restored++;
      } catch (err) {
        if (!(err instanceof MempoolRejectError)) throw err;
      }
    }
    await journal.flush();
    if (stored.length) log(`mempool: restored ${restored} of ${stored.length} saved transactions`);
    return journal;
  }

  private enqueue(ops: BatchOp[]): void {
    this.writes = this.writes.then(
      () => this.store.write(ops),
      (err) => {
        this.failure = err;
      },
    );
  }

  /** Resolves once every change so far is in the store (call before acknowledging a transaction). */
  async flush(): Promise<void> {
    await this.writes;
    if (this.failure) throw this.failure;
  }
}

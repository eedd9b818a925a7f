import { ClassicLevel } from 'classic-level';
import { prefixEnd, type BatchOp, type KVStore } from './store.ts';

export interface LevelStoreOptions {
  /**
   * fsync every batch. Without it a killed process loses nothing (the OS holds the written log), but a power cut
   * may lose the last batches. Default true.
   */
  sync?: boolean;
}

/** LevelDB through classic-level; every `write` is one atomic LevelDB batch. */
export class LevelStore implements KVStore {
  private constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly sync: boolean,
  ) {}

  static async open(location: string, options: LevelStoreOptions = {}): Promise<LevelStore> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    return new LevelStore(db, options.sync ?? true);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const value = await this.db.get(key);
    return value ? plain(value) : undefined;
  }

  async write(ops: BatchOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.db.batch(ops, { sync: this.sync });
  }

  async *entries(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    const lt = prefixEnd(prefix);
    const range = lt ? { gte: prefix, lt } : { gte: prefix };
    for await (const [key, value] of this.db.iterator(range)) yield [plain(key), plain(value)];
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** LevelDB hands out Buffers, whose slice() is a view; plain copies keep callers' slice().reverse() safe. */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

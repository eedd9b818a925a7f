import { ClassicLevel } from 'classic-level';
import { RollupError } from '../errors.ts';

export type KvOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** The store the rollup needs: point reads, atomic multi-key writes, prefix scans. */
export interface KvStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** All or nothing. */
  write(ops: readonly KvOp[]): Promise<void>;
  scan(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** In-memory backend for tests (same semantics, nothing survives the process). */
export class MemoryStore implements KvStore {
  private readonly map = new Map<string, Uint8Array>();
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.map.get(hex(key));
  }
  async write(ops: readonly KvOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.map.set(hex(op.key), op.value.slice());
      else this.map.delete(hex(op.key));
    }
  }
  async *scan(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    const p = hex(prefix);
    const keys = [...this.map.keys()].filter((k) => k.startsWith(p)).sort();
    for (const k of keys) yield [Uint8Array.from(Buffer.from(k, 'hex')), this.map.get(k)!];
  }
  async close(): Promise<void> {}
}

/**
 * LevelDB backend. Writes go to LevelDB's log before the promise resolves, so they survive a killed process;
 * `sync: true` also fsyncs them, for power loss, at a cost per write.
 */
export class LevelStore implements KvStore {
  private constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly sync: boolean,
  ) {}

  static async open(path: string, opts: { sync?: boolean } = {}): Promise<LevelStore> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (cause) {
      throw new RollupError('STORAGE', `cannot open the database at ${path}`, { cause });
    }
    return new LevelStore(db, opts.sync ?? false);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.db.get(key)) ?? undefined;
  }

  async write(ops: readonly KvOp[]): Promise<void> {
    if (ops.length === 0) return;
    // A chained batch: the array form copies and re-encodes every operation in JavaScript first, which cost the
    // sequencer several microseconds a transaction (a block writes one location record per transaction).
    const batch = this.db.batch();
    try {
      for (const op of ops) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    } catch (err) {
      await batch.close();
      throw err;
    }
    await batch.write({ sync: this.sync });
  }

  async *scan(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    const upper = prefix.slice();
    upper[upper.length - 1]!++;
    for await (const [k, v] of this.db.iterator({ gte: prefix, lt: upper })) yield [k, v];
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

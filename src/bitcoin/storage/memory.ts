import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { BatchOp, KVStore } from './store.ts';

/** In-memory store with the same semantics as the LevelDB one (tests, benchmarks). */
export class MemoryStore implements KVStore {
  private readonly map = new Map<string, Uint8Array>();
  private closed = false;

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const value = this.map.get(bytesToHex(key));
    return value && value.slice();
  }

  async write(ops: BatchOp[]): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    // Values are copied so later mutation by the caller cannot reach stored state.
    for (const op of ops) {
      if (op.type === 'put') this.map.set(bytesToHex(op.key), op.value.slice());
      else this.map.delete(bytesToHex(op.key));
    }
  }

  async *entries(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    const p = bytesToHex(prefix);
    const keys = [...this.map.keys()].filter((k) => k.startsWith(p)).sort();
    for (const k of keys) {
      const v = this.map.get(k);
      if (v) yield [hexToBytes(k), v.slice()];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  get size(): number {
    return this.map.size;
  }
}

/** One write in an atomic batch. */
export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/**
 * The key-value store the node persists into. Every state transition (connecting or disconnecting one block) is one
 * `write` call, so a crash at any point leaves the store at a block boundary.
 */
export interface KVStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Applies every op or none. */
  write(ops: BatchOp[]): Promise<void>;
  /** Every entry whose key starts with `prefix`, in ascending key order. */
  entries(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

/** The smallest key strictly greater than every key starting with `prefix` (undefined: no upper bound). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

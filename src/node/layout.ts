/**
 * Keys the node layer adds to the rollup's store (src/rollup/storage/layout.ts owns every other prefix):
 *
 *   'W' 'scan'   → u32 height ‖ block hash (32, RPC display order): the last Bitcoin block the L1 watcher took.
 *
 * The cursor is written in the same atomic batch as the last queue item of its block (or alone for a block without
 * deposits), so after a crash the queue and the cursor always agree.
 */
export const WATCHER_PREFIX = 0x57; // 'W'

export const watcherKeys = {
  scan: (): Uint8Array => Uint8Array.from([WATCHER_PREFIX, ...new TextEncoder().encode('scan')]),
};

export type ScanCursor = { height: number; hash: string };

export function encodeCursor(c: ScanCursor): Uint8Array {
  const out = new Uint8Array(36);
  new DataView(out.buffer).setUint32(0, c.height);
  out.set(Buffer.from(c.hash, 'hex'), 4);
  return out;
}

export function decodeCursor(b: Uint8Array): ScanCursor {
  return {
    height: new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0),
    hash: Buffer.from(b.subarray(4, 36)).toString('hex'),
  };
}

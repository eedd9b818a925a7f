/**
 * Key layout of the rollup store (one LevelDB, bcoin style: a one-byte prefix per record kind, big-endian numbers
 * so that iteration order is numeric order).
 *
 *   'M' 'tip'                         → u64 number of blocks committed (the next block number)
 *   'M' 'genesis'                     → genesis parameters (JSON: depth, chainId, fee account key, trees, storage version)
 *   'a' u32 chunk                     → (u32 index ‖ account)* of the non-empty accounts with index / 1024 = chunk;
 *                                       account = ax(32) ‖ ay(32) ‖ balance u64 ‖ nonce u32   (checkpoint)
 *   'n' u8 tree u8 level u32 chunk    → (u32 index ‖ digest)* of the non-default nodes of that tree (hasher position)
 *                                       and level with index / 1024 = chunk; absent = empty subtrees (checkpoint)
 *   'L' u64 number                    → every account and tree node block `number` changed, since the checkpoint
 *                                       (see state-log.ts)
 *   'b' u64 number                    → block (see block.ts: header ‖ operations)
 *   't' txid(32)                      → u64 block ‖ u32 position ‖ u64 batch: where an L2 transaction was included
 *   'p' u64 group                     → (u64 received-at ms ‖ u8 length ‖ canonical transaction)*: the transactions
 *                                       one group commit accepted, less those that left (see pending-log.ts)
 *   'q' u64 index                     → L1 queue item (canonical encoding)
 *   'B' u64 number                    → batch record (JSON, bigints as hex)
 *
 * A block is committed with one atomic batch: the block, its 't' entries, its 'L' record (or, every so many blocks,
 * the checkpoint: the 'a' and 'n' records of every chunk changed since the last one, and the deletion of the 'L'
 * records it folds in), the 'p' records rewritten or deleted because their transactions left in earlier blocks, and
 * the new 'tip'. The state at the tip is the checkpoint with the 'L' records replayed over it in block order. An
 * accepted transaction's 'p' record is written before the node acknowledges it, and outlives the block that
 * includes it, so after a crash every acknowledged transaction is either in a block or still pending.
 */
/** Accounts, or nodes of one tree level, per checkpoint record ('a', 'n'). */
export const CHECKPOINT_CHUNK = 1024;

export const PREFIX = {
  meta: 0x4d, // 'M'
  account: 0x61, // 'a'
  node: 0x6e, // 'n'
  block: 0x62, // 'b'
  txIndex: 0x74, // 't'
  pending: 0x70, // 'p'
  queue: 0x71, // 'q'
  batch: 0x42, // 'B'
  stateLog: 0x4c, // 'L'
} as const;

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}
function u64(v: number): number[] {
  return [...u32(Math.floor(v / 2 ** 32)), ...u32(v >>> 0)];
}

export const keys = {
  tip: (): Uint8Array => Uint8Array.from([PREFIX.meta, ...new TextEncoder().encode('tip')]),
  genesis: (): Uint8Array => Uint8Array.from([PREFIX.meta, ...new TextEncoder().encode('genesis')]),
  accountChunk: (chunk: number): Uint8Array => Uint8Array.from([PREFIX.account, ...u32(chunk)]),
  nodeChunk: (tree: number, level: number, chunk: number): Uint8Array =>
    Uint8Array.from([PREFIX.node, tree, level, ...u32(chunk)]),
  block: (n: number): Uint8Array => Uint8Array.from([PREFIX.block, ...u64(n)]),
  txIndex: (txid: Uint8Array): Uint8Array => prefixed(PREFIX.txIndex, txid),
  pending: (group: number): Uint8Array => Uint8Array.from([PREFIX.pending, ...u64(group)]),
  queue: (n: number): Uint8Array => Uint8Array.from([PREFIX.queue, ...u64(n)]),
  batch: (n: number): Uint8Array => Uint8Array.from([PREFIX.batch, ...u64(n)]),
  stateLog: (n: number): Uint8Array => Uint8Array.from([PREFIX.stateLog, ...u64(n)]),
};

function prefixed(prefix: number, id: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + id.length);
  key[0] = prefix;
  key.set(id, 1);
  return key;
}

/** The 't' record: where a transaction was included. Written for every transaction of every block, so directly. */
export function encodeTxLocation(loc: { block: number; position: number; batch: number }): Uint8Array {
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(loc.block / 2 ** 32));
  view.setUint32(4, loc.block >>> 0);
  view.setUint32(8, loc.position);
  view.setUint32(12, Math.floor(loc.batch / 2 ** 32));
  view.setUint32(16, loc.batch >>> 0);
  return out;
}

export function decodeTxLocation(b: Uint8Array): { block: number; position: number; batch: number } {
  return { block: readU64(b, 0), position: readU32(b, 8), batch: readU64(b, 12) };
}

export function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) >>> 0) + (b[off + 1]! << 16) + (b[off + 2]! << 8) + b[off + 3]!;
}
export function readU64(b: Uint8Array, off: number): number {
  return readU32(b, off) * 2 ** 32 + readU32(b, off + 4);
}
export function writeU64(v: number): Uint8Array {
  return Uint8Array.from(u64(v));
}
export function writeU32(v: number): Uint8Array {
  return Uint8Array.from(u32(v));
}

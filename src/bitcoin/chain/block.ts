import { bytesToHex } from '@noble/hashes/utils.js';
import {
  ByteReader,
  ByteWriter,
  decodeTransaction,
  encodeTransaction,
  hash256,
  hashToHex,
  TxError,
  type Transaction,
} from '../tx/index.ts';

export interface BlockHeader {
  version: number;
  /** Internal byte order. */
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

export interface Block {
  header: BlockHeader;
  txs: Transaction[];
}

export const HEADER_SIZE = 80;

export function encodeHeader(h: BlockHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setInt32(0, h.version, true);
  out.set(h.prevHash, 4);
  out.set(h.merkleRoot, 36);
  view.setUint32(68, h.time >>> 0, true);
  view.setUint32(72, h.bits >>> 0, true);
  view.setUint32(76, h.nonce >>> 0, true);
  return out;
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length < HEADER_SIZE) throw new TxError('TRUNCATED', `block header needs 80 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  return {
    version: view.getInt32(0, true),
    prevHash: bytes.slice(4, 36),
    merkleRoot: bytes.slice(36, 68),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  };
}

/** Block hash in internal byte order. */
export function blockHash(h: BlockHeader): Uint8Array {
  return hash256(encodeHeader(h));
}

export function blockHashHex(h: BlockHeader): string {
  return hashToHex(blockHash(h));
}

/** Byte offset just past the transaction starting at `start`, found by walking its structure. */
function transactionEnd(r: ByteReader): number {
  r.u32('version');
  let nIn = r.compactSize('input count');
  let witness = false;
  if (nIn === 0) {
    const flag = r.u8('witness flag');
    if (flag === 0) return r.pos; // Decoding will reject this shape; let it report the reason.
    witness = true;
    nIn = r.compactSize('input count');
  }
  for (let i = 0; i < nIn; i++) {
    r.bytes(36, 'prevout');
    r.varBytes('scriptSig');
    r.u32('sequence');
  }
  const nOut = r.compactSize('output count');
  for (let i = 0; i < nOut; i++) {
    r.bytes(8, 'value');
    r.varBytes('script');
  }
  if (witness) {
    for (let i = 0; i < nIn; i++) {
      const items = r.compactSize('witness item count');
      for (let j = 0; j < items; j++) r.varBytes('witness item');
    }
  }
  r.u32('locktime');
  return r.pos;
}

export function decodeBlock(bytes: Uint8Array): Block {
  const header = decodeHeader(bytes);
  const r = new ByteReader(bytes);
  r.pos = HEADER_SIZE;
  const count = r.compactSize('transaction count');
  if (count * 60 > r.remaining) throw new TxError('COUNT_TOO_LARGE', `${count} transactions cannot fit`);
  const txs: Transaction[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    const end = transactionEnd(r);
    txs.push(decodeTransaction(bytes.subarray(start, end)));
  }
  if (r.remaining !== 0) throw new TxError('TRAILING_BYTES', `${r.remaining} bytes after the block`);
  return { header, txs };
}

export function encodeBlock(block: Block, opts: { witness?: boolean } = {}): Uint8Array {
  const w = new ByteWriter(1024);
  w.bytes(encodeHeader(block.header));
  w.compactSize(block.txs.length);
  for (const tx of block.txs) w.bytes(encodeTransaction(tx, { witness: opts.witness ?? true }));
  return w.finish().slice();
}

export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && bytesToHex(a) === bytesToHex(b);
}

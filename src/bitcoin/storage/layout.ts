import { ByteReader, ByteWriter } from '../tx/index.ts';

/**
 * Key layout of the node's store (all keys are bytes; hashes are 32 bytes in internal byte order):
 *
 *   'h' + blockhash            -> block index entry: header (80) | height u32 | status u8 | nTx u32 | sequence u32
 *   'b' + blockhash            -> full block, consensus serialization with witnesses
 *   'u' + blockhash            -> undo data: the coins the block spent, in input order (absent for genesis)
 *   'c' + txid + vout (u32 BE) -> unspent coin: height u32 | coinbase u8 | value i64 | script (var bytes)
 *   't' + txid                 -> txindex: hash of the active-chain block that holds the transaction
 *   'T'                        -> hash of the tip of the active chain
 *   'm' + sequence (u64 BE)    -> a mempool transaction (raw, with witness), in arrival order
 *
 * A block is stored with its index entry in one batch when it is accepted. Connecting or disconnecting a block
 * writes its coin changes, undo data, txindex changes, status and the new tip in one atomic batch, so the store is
 * always at a block boundary, whatever moment the process dies. Mempool entries are written as they come and go; a
 * restart re-checks them against the chain.
 */
export const PREFIX = {
  entry: 0x68, // 'h'
  block: 0x62, // 'b'
  undo: 0x75, // 'u'
  coin: 0x63, // 'c'
  txIndex: 0x74, // 't'
  tip: 0x54, // 'T'
  mempool: 0x6d, // 'm'
} as const;

export function mempoolKey(sequence: bigint): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = PREFIX.mempool;
  new DataView(k.buffer).setBigUint64(1, sequence, false);
  return k;
}

export function key(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 1);
  const out = new Uint8Array(len);
  out[0] = prefix;
  let pos = 1;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function coinKey(txid: Uint8Array, vout: number): Uint8Array {
  const k = new Uint8Array(37);
  k[0] = PREFIX.coin;
  k.set(txid, 1);
  new DataView(k.buffer).setUint32(33, vout, false);
  return k;
}

export interface StoredCoin {
  value: bigint;
  script: Uint8Array;
  height: number;
  coinbase: boolean;
}

export function writeCoin(w: ByteWriter, coin: StoredCoin): void {
  w.u32(coin.height);
  w.u8(coin.coinbase ? 1 : 0);
  w.i64(coin.value);
  w.varBytes(coin.script);
}

export function readCoin(r: ByteReader): StoredCoin {
  const height = r.u32('coin height');
  const coinbase = r.u8('coin flags') === 1;
  const value = r.i64('coin value');
  const script = r.varBytes('coin script').slice();
  return { height, coinbase, value, script };
}

export function encodeCoin(coin: StoredCoin): Uint8Array {
  const w = new ByteWriter(coin.script.length + 20);
  writeCoin(w, coin);
  return w.finish().slice();
}

export function decodeCoin(bytes: Uint8Array): StoredCoin {
  return readCoin(new ByteReader(bytes));
}

export function encodeUndo(spent: StoredCoin[]): Uint8Array {
  const w = new ByteWriter(64 * spent.length + 8);
  w.compactSize(spent.length);
  for (const coin of spent) writeCoin(w, coin);
  return w.finish().slice();
}

export function decodeUndo(bytes: Uint8Array): StoredCoin[] {
  const r = new ByteReader(bytes);
  const n = r.compactSize('undo count');
  const out: StoredCoin[] = [];
  for (let i = 0; i < n; i++) out.push(readCoin(r));
  return out;
}

export interface StoredEntry {
  header: Uint8Array;
  height: number;
  status: number;
  nTx: number;
  sequence: number;
}

export function encodeEntry(e: StoredEntry): Uint8Array {
  const out = new Uint8Array(80 + 13);
  out.set(e.header, 0);
  const view = new DataView(out.buffer);
  view.setUint32(80, e.height, true);
  out[84] = e.status;
  view.setUint32(85, e.nTx, true);
  view.setUint32(89, e.sequence, true);
  return out;
}

export function decodeEntry(bytes: Uint8Array): StoredEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return {
    header: bytes.slice(0, 80),
    height: view.getUint32(80, true),
    status: bytes[84],
    nTx: view.getUint32(85, true),
    sequence: view.getUint32(89, true),
  };
}

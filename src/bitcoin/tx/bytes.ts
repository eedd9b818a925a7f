import { TxError } from './errors.ts';

/** Consensus limit on a serialized transaction and on any vector count (Core's MAX_SIZE). */
export const MAX_SIZE = 0x02000000;

/** Growable byte sink; one allocation per doubling rather than per field. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v | 0, true);
    this.length += 4;
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt.asUintN(64, v), true);
    this.length += 8;
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, v), true);
    this.length += 8;
  }
  compactSize(n: number): void {
    if (n < 0xfd) this.u8(n);
    else if (n <= 0xffff) {
      this.u8(0xfd);
      this.reserve(2);
      this.view.setUint16(this.length, n, true);
      this.length += 2;
    } else if (n <= 0xffffffff) {
      this.u8(0xfe);
      this.u32(n);
    } else {
      this.u8(0xff);
      this.u64(BigInt(n));
    }
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  varBytes(b: Uint8Array): void {
    this.compactSize(b.length);
    this.bytes(b);
  }
  /** The written bytes (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Strict little-endian reader: every read past the end is a TRUNCATED TxError. */
export class ByteReader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length)
      throw new TxError('TRUNCATED', `need ${n} bytes for ${what} at offset ${this.pos}`);
  }
  u8(what = 'byte'): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(what = 'i32'): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i64(what = 'i64'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** Canonical CompactSize, bounded by MAX_SIZE like Core's ReadCompactSize. */
  compactSize(what = 'count'): number {
    const first = this.u8(what);
    let n: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      this.need(2, what);
      n = this.view.getUint16(this.pos, true);
      this.pos += 2;
      if (n < 0xfd) throw new TxError('BAD_COMPACT_SIZE', `non-canonical ${what}`);
    } else if (first === 0xfe) {
      n = this.u32(what);
      if (n < 0x10000) throw new TxError('BAD_COMPACT_SIZE', `non-canonical ${what}`);
    } else {
      const big = this.i64(what);
      if (big < 0x100000000n) throw new TxError('BAD_COMPACT_SIZE', `non-canonical ${what}`);
      throw new TxError('COUNT_TOO_LARGE', `${what} ${big} exceeds ${MAX_SIZE}`);
    }
    if (n > MAX_SIZE) throw new TxError('COUNT_TOO_LARGE', `${what} ${n} exceeds ${MAX_SIZE}`);
    return n;
  }
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  varBytes(what = 'bytes'): Uint8Array {
    const n = this.compactSize(what);
    return this.bytes(n, what);
  }
}

import { fail } from '../errors.ts';
import { concatAll } from '../storage/records.ts';

/** Minimal big-endian writer/reader; the reader turns every short or out-of-range read into MALFORMED_ENCODING. */
export class Writer {
  private chunks: number[] = [];
  /** Long byte runs kept whole (blocks append thousands of transactions), each after the numbers before it. */
  private runs: Uint8Array[] = [];
  u8(v: number): this {
    this.chunks.push(v & 0xff);
    return this;
  }
  u32(v: number): this {
    for (let s = 24; s >= 0; s -= 8) this.chunks.push((v >>> s) & 0xff);
    return this;
  }
  u64(v: bigint): this {
    for (let s = 56n; s >= 0n; s -= 8n) this.chunks.push(Number((v >> s) & 0xffn));
    return this;
  }
  bytes(b: Uint8Array): this {
    if (b.length < 64) {
      for (const x of b) this.chunks.push(x);
    } else {
      this.runs.push(Uint8Array.from(this.chunks), b);
      this.chunks = [];
    }
    return this;
  }
  /** Unsigned LEB128. */
  leb(v: bigint): this {
    let x = v;
    do {
      const byte = Number(x & 0x7fn);
      x >>= 7n;
      this.chunks.push(x > 0n ? byte | 0x80 : byte);
    } while (x > 0n);
    return this;
  }
  /** Big-endian unsigned integer in exactly `n` bytes. */
  uint(v: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.chunks.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
    return this;
  }
  finish(): Uint8Array {
    return this.runs.length === 0
      ? Uint8Array.from(this.chunks)
      : concatAll([...this.runs, Uint8Array.from(this.chunks)]);
  }
}

export class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) fail('MALFORMED_ENCODING', `${this.what}: truncated`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    let v = 0;
    for (let i = 0; i < 4; i++) v = v * 256 + this.buf[this.pos++]!;
    return v;
  }
  u64(): bigint {
    this.need(8);
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.buf[this.pos++]!);
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  leb(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        // Canonical: no redundant trailing zero groups.
        if (b === 0 && shift > 0n) fail('MALFORMED_ENCODING', `${this.what}: non-canonical LEB128`);
        return v;
      }
      shift += 7n;
      if (shift > 63n) fail('MALFORMED_ENCODING', `${this.what}: LEB128 too long`);
    }
  }
  uint(n: number): number {
    this.need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.buf[this.pos++]!;
    return v;
  }
  end(): void {
    if (this.pos !== this.buf.length) fail('MALFORMED_ENCODING', `${this.what}: ${this.remaining} trailing bytes`);
  }
}

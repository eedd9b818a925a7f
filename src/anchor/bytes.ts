import { fail } from './errors.ts';
import type { AnchorErrorCode } from './errors.ts';

/** Big-endian writer for the commitment formats (fixed-width integers and 32-byte field elements). */
export class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
  uint(v: number | bigint, width: number): this {
    const out = new Uint8Array(width);
    let x = BigInt(v);
    if (x < 0n || x >> BigInt(8 * width) !== 0n) fail('INVALID_PARAMETER', `${v} does not fit in ${width} bytes`);
    for (let i = width - 1; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return this.bytes(out);
  }
  u8(v: number): this {
    return this.uint(v, 1);
  }
  u16(v: number): this {
    return this.uint(v, 2);
  }
  u32(v: number): this {
    return this.uint(v, 4);
  }
  u64(v: number | bigint): this {
    return this.uint(v, 8);
  }
  /** A field element or digest as 32 big-endian bytes. */
  word(v: bigint): this {
    return this.uint(v, 32);
  }
  /** u32 length then the bytes. */
  blob(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

/** Reader that fails with a typed error (never reads past the end) naming what it was reading. */
export class Reader {
  private off = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
    private readonly code: AnchorErrorCode,
  ) {}
  get remaining(): number {
    return this.buf.length - this.off;
  }
  get offset(): number {
    return this.off;
  }
  bytes(n: number): Uint8Array {
    if (n > this.remaining) fail(this.code, `${this.what} is truncated`, `needed ${n} bytes at ${this.off}`);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  big(width: number): bigint {
    let r = 0n;
    for (const b of this.bytes(width)) r = (r << 8n) | BigInt(b);
    return r;
  }
  uint(width: number): number {
    return Number(this.big(width));
  }
  u8(): number {
    return this.uint(1);
  }
  u16(): number {
    return this.uint(2);
  }
  u32(): number {
    return this.uint(4);
  }
  /** A u64 that must be a safe integer (batch numbers, queue positions). */
  u64(): number {
    const v = this.big(8);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(this.code, `${this.what}: integer ${v} is too large`);
    return Number(v);
  }
  word(): bigint {
    return this.big(32);
  }
  blob(max: number): Uint8Array {
    const n = this.u32();
    if (n > max) fail(this.code, `${this.what}: section of ${n} bytes exceeds ${max}`);
    return this.bytes(n);
  }
  end(): void {
    if (this.remaining !== 0) fail(this.code, `${this.what} has ${this.remaining} trailing bytes`);
  }
}

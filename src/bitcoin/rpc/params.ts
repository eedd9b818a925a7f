import { hexToBytes } from '@noble/hashes/utils.js';
import { RPC, RpcError } from './errors.ts';
import { parseBtc } from './json.ts';

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeError(v: unknown, expected: string): RpcError {
  return new RpcError(RPC.TYPE_ERROR, `JSON value of type ${typeName(v)} is not of expected type ${expected}`);
}

/** Positional argument reader with Core's type errors (-3) and value errors (-8). */
export class Args {
  constructor(
    readonly values: unknown[],
    readonly method: string,
  ) {}

  has(i: number): boolean {
    return this.values[i] !== undefined && this.values[i] !== null;
  }

  private need(i: number, name: string): unknown {
    if (!this.has(i)) throw new RpcError(RPC.MISC_ERROR, `${this.method}: missing required argument '${name}'`);
    return this.values[i];
  }

  string(i: number, name: string): string {
    const v = this.need(i, name);
    if (typeof v !== 'string') throw typeError(v, 'string');
    return v;
  }

  optString(i: number): string | undefined {
    if (!this.has(i)) return undefined;
    const v = this.values[i];
    if (typeof v !== 'string') throw typeError(v, 'string');
    return v;
  }

  int(i: number, name: string, fallback?: number): number {
    if (!this.has(i) && fallback !== undefined) return fallback;
    const v = this.need(i, name);
    if (typeof v !== 'number') throw typeError(v, 'number');
    if (!Number.isInteger(v)) throw new RpcError(RPC.TYPE_ERROR, `JSON integer out of range`);
    return v;
  }

  bool(i: number, name: string, fallback: boolean): boolean {
    if (!this.has(i)) return fallback;
    const v = this.values[i];
    if (typeof v !== 'boolean') throw typeError(v, 'bool');
    void name;
    return v;
  }

  array(i: number, name: string): unknown[] {
    const v = this.need(i, name);
    if (!Array.isArray(v)) throw typeError(v, 'array');
    return v;
  }

  object(i: number, name: string): Record<string, unknown> {
    const v = this.need(i, name);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw typeError(v, 'object');
    return v as Record<string, unknown>;
  }

  /** A fee rate or amount in BTC (number or string), in satoshis. */
  amount(i: number, name: string, fallback: bigint): bigint {
    if (!this.has(i)) return fallback;
    const v = this.values[i];
    if (typeof v !== 'number' && typeof v !== 'string') throw typeError(v, 'number');
    const sats = parseBtc(v);
    if (sats === undefined) throw new RpcError(RPC.TYPE_ERROR, 'Invalid amount');
    if (sats < 0n) throw new RpcError(RPC.TYPE_ERROR, 'Amount out of range');
    return sats;
  }

  /** A 32-byte hash in display hex, returned in internal byte order (Core's ParseHashV). */
  hash(i: number, name: string): Uint8Array {
    return parseHash(this.string(i, name), name);
  }

  /** Hex bytes (Core's ParseHexV). */
  hex(i: number, name: string): Uint8Array {
    const v = this.string(i, name);
    if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v))
      throw new RpcError(RPC.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${v}')`);
    return hexToBytes(v);
  }
}

export function parseHash(v: string, name: string): Uint8Array {
  if (v.length !== 64)
    throw new RpcError(RPC.INVALID_PARAMETER, `${name} must be of length 64 (not ${v.length}, for '${v}')`);
  if (!/^[0-9a-fA-F]{64}$/.test(v))
    throw new RpcError(RPC.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${v}')`);
  return hexToBytes(v).reverse();
}

export function isHex(v: string): boolean {
  return v.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(v);
}

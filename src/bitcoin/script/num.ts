import { ScriptError } from './errors.ts';

/**
 * CScriptNum: little-endian sign-magnitude integers. Operands are at most 4 bytes (5 for timelocks), so every
 * value and every arithmetic result fits a JS number exactly; no BigInt on the hot path.
 */
export function decodeNum(v: Uint8Array, requireMinimal: boolean, maxSize = 4): number {
  const n = v.length;
  if (n > maxSize) throw new ScriptError('SCRIPTNUM', `number of ${n} bytes exceeds ${maxSize}`);
  if (n === 0) return 0;
  if (requireMinimal && (v[n - 1] & 0x7f) === 0 && (n <= 1 || (v[n - 2] & 0x80) === 0))
    throw new ScriptError('SCRIPTNUM', 'non-minimally encoded script number');
  let result = 0;
  let mul = 1;
  for (let i = 0; i < n - 1; i++) {
    result += v[i] * mul;
    mul *= 256;
  }
  const last = v[n - 1];
  result += (last & 0x7f) * mul;
  return last & 0x80 ? -result : result;
}

const SMALL: Uint8Array[] = [];
for (let i = -1; i <= 16; i++) SMALL[i + 1] = encodeNumUncached(i);

function encodeNumUncached(value: number): Uint8Array {
  if (value === 0) return new Uint8Array(0);
  const neg = value < 0;
  let abs = Math.abs(value);
  let len = 0;
  for (let a = abs; a > 0; a = Math.floor(a / 256)) len++;
  const topByte = Math.floor(abs / 256 ** (len - 1));
  // The sign lives in the top bit of the last byte: add a byte when the magnitude already uses that bit.
  const out = new Uint8Array(topByte & 0x80 ? len + 1 : len);
  for (let i = 0; i < len; i++) {
    out[i] = abs % 256;
    abs = Math.floor(abs / 256);
  }
  if (out.length > len) out[len] = neg ? 0x80 : 0;
  else if (neg) out[len - 1] |= 0x80;
  return out;
}

/** Minimal encoding of an integer (|value| < 2^53). Small results share frozen-in-practice buffers. */
export function encodeNum(value: number): Uint8Array {
  if (value >= -1 && value <= 16) return SMALL[value + 1];
  return encodeNumUncached(value);
}

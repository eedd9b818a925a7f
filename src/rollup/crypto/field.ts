/** The BN254 scalar field: the native field of circom, snarkjs, circomlib's Poseidon and Baby Jubjub's base field. */
export const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export type Fe = bigint;

export function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

export function isFieldElement(a: unknown): a is bigint {
  return typeof a === 'bigint' && a >= 0n && a < P;
}

export function powMod(base: bigint, exp: bigint, m: bigint = P): bigint {
  let result = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

/**
 * Big-endian bytes to integer (no reduction). Through hex: native, and several times faster than a byte loop over a
 * bigint (it runs for every account and tree node the store reads).
 */
export function bytesToBigBE(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

export function bytesToBigLE(bytes: Uint8Array): bigint {
  let r = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) r = (r << 8n) | BigInt(bytes[i]!);
  return r;
}

export function bigToBytesLE(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bigToBytesBE(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  writeBigBE(out, 0, value, length);
  return out;
}

/**
 * Writes `value` mod 2^(8·length) big-endian into out[at, at + length). By 64-bit limbs from the end: about four
 * times faster than through a hex string, and it allocates no strings or buffers (the sequencer stores ~10 digests
 * per transfer).
 */
export function writeBigBE(out: Uint8Array, at: number, value: bigint, length: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let v = BigInt.asUintN(8 * length, value);
  let end = at + length;
  for (; end - at >= 8; end -= 8, v >>= 64n) view.setBigUint64(end - 8, BigInt.asUintN(64, v));
  for (; end > at; end--, v >>= 8n) view.setUint8(end - 1, Number(v & 0xffn));
}

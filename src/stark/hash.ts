/**
 * SHA-256 for Merkle trees, the transcript and grinding. Measured here on 64- and 628-byte inputs:
 * node's one-shot `crypto.hash` 1.3 µs, `createHash` 2.0 µs, @noble/hashes sha256 2.2/5.1 µs,
 * @noble/hashes blake3 3.7/12.6 µs, so the native one-shot call is used.
 */
import { hash } from 'node:crypto';

export const DIGEST_BYTES = 32;

export function sha256(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer');
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Little-endian bytes of 32-bit words (the byte order every proof and leaf uses). */
export function wordsToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i]!, true);
  return out;
}

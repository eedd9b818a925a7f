import { secp256k1, schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';

const N = secp256k1.Point.CURVE().n;
const HALF_N = N >> 1n;

/** BIP66 strict DER, including the trailing hash-type byte (Core's IsValidSignatureEncoding). */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  const size = sig.length;
  if (size < 9 || size > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== size - 3) return false;
  const lenR = sig[3];
  if (5 + lenR >= size) return false;
  const lenS = sig[5 + lenR];
  if (lenR + lenS + 7 !== size) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4] & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5] & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6] & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7] & 0x80)) return false;
  return true;
}

function bytesToBigInt(b: Uint8Array, start: number, end: number): bigint {
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/**
 * libsecp256k1's ecdsa_signature_parse_der_lax as Core uses it: accepts the BER-ish encodings that OpenSSL let
 * through before BIP66. Returns null when unparsable; out-of-range r or s come back as 0 (which never verifies).
 */
export function parseDerLax(input: Uint8Array): { r: bigint; s: bigint } | null {
  const len = input.length;
  let pos = 0;
  if (pos === len || input[pos] !== 0x30) return null;
  pos++;
  if (pos === len) return null;
  let lenbyte = input[pos++];
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return null;
    pos += lenbyte;
  }
  const readInt = (): { start: number; length: number } | null => {
    if (pos === len || input[pos] !== 0x02) return null;
    pos++;
    if (pos === len) return null;
    let lb = input[pos++];
    let ilen: number;
    if (lb & 0x80) {
      lb -= 0x80;
      if (lb > len - pos) return null;
      while (lb > 0 && input[pos] === 0) {
        pos++;
        lb--;
      }
      if (lb >= 8) return null;
      ilen = 0;
      while (lb > 0) {
        ilen = ilen * 256 + input[pos];
        pos++;
        lb--;
      }
    } else ilen = lb;
    if (ilen > len - pos) return null;
    const start = pos;
    pos += ilen;
    return { start, length: ilen };
  };
  const R = readInt();
  if (!R) return null;
  const S = readInt();
  if (!S) return null;
  const toScalar = (f: { start: number; length: number }): bigint => {
    let { start, length } = f;
    while (length > 0 && input[start] === 0) {
      start++;
      length--;
    }
    if (length > 32) return -1n;
    return bytesToBigInt(input, start, start + length);
  };
  let r = toScalar(R);
  let s = toScalar(S);
  if (r < 0n || s < 0n || r >= N || s >= N) {
    r = 0n;
    s = 0n;
  }
  return { r, s };
}

/** Core's IsLowDERSignature after the strict encoding check: S is at most n/2. */
export function isLowS(sigWithoutHashType: Uint8Array): boolean {
  const parsed = parseDerLax(sigWithoutHashType);
  if (!parsed) return false;
  return parsed.s <= HALF_N;
}

export function isDefinedHashtypeSignature(sig: Uint8Array): boolean {
  if (sig.length === 0) return false;
  const t = sig[sig.length - 1] & ~0x80;
  return t >= 1 && t <= 3;
}

export function isCompressedOrUncompressedPubKey(pk: Uint8Array): boolean {
  if (pk.length < 33) return false;
  if (pk[0] === 0x04) return pk.length === 65;
  if (pk[0] === 0x02 || pk[0] === 0x03) return pk.length === 33;
  return false;
}

export function isCompressedPubKey(pk: Uint8Array): boolean {
  return pk.length === 33 && (pk[0] === 0x02 || pk[0] === 0x03);
}

/**
 * Public key as libsecp256k1's ec_pubkey_parse reads it (compressed, uncompressed, or hybrid 0x06/0x07 with
 * matching parity), returned in a form noble accepts; null when not a valid point encoding.
 */
function normalizePubKey(pk: Uint8Array): Uint8Array | null {
  if (pk.length === 33 && (pk[0] === 2 || pk[0] === 3)) return pk;
  if (pk.length === 65 && (pk[0] === 4 || pk[0] === 6 || pk[0] === 7)) {
    if (pk[0] === 4) return pk;
    if ((pk[64] & 1) !== (pk[0] & 1)) return null;
    const copy = pk.slice();
    copy[0] = 4;
    return copy;
  }
  return null;
}

function scalarBytes(v: bigint, out: Uint8Array, offset: number): void {
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** ECDSA check with Core's semantics: lax DER, S normalised to low before verifying. */
export function verifyEcdsa(sigDer: Uint8Array, pubkey: Uint8Array, msg32: Uint8Array): boolean {
  const pk = normalizePubKey(pubkey);
  if (!pk) return false;
  const parsed = parseDerLax(sigDer);
  if (!parsed) return false;
  const r = parsed.r;
  // libsecp256k1 only verifies low-S signatures; Core normalises first, so high S stays valid by consensus.
  const s = parsed.s > HALF_N ? N - parsed.s : parsed.s;
  if (r === 0n || s === 0n) return false;
  const compact = new Uint8Array(64);
  scalarBytes(r, compact, 0);
  scalarBytes(s, compact, 32);
  try {
    return secp256k1.verify(compact, msg32, pk, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/** BIP340 verification of a 64-byte signature against a 32-byte x-only key. */
export function verifySchnorr(sig64: Uint8Array, xonly: Uint8Array, msg32: Uint8Array): boolean {
  if (sig64.length !== 64 || xonly.length !== 32) return false;
  let zeroS = true;
  for (let i = 32; i < 64; i++) if (sig64[i] !== 0) zeroS = false;
  if (zeroS) return verifySchnorrZeroS(sig64, xonly, msg32);
  try {
    return schnorr.verify(sig64, msg32, xonly);
  } catch {
    return false;
  }
}

const challengeHash = (() => {
  const tag = sha256(new TextEncoder().encode('BIP0340/challenge'));
  const prefix = sha256.create().update(tag).update(tag);
  return (...parts: Uint8Array[]) => {
    const h = prefix.clone();
    for (const part of parts) h.update(part);
    return h.digest();
  };
})();

/**
 * noble rejects s = 0 outright; BIP340 (and libsecp256k1) only require s < n, so R = -e·P is checked here to stay
 * exact. Such a signature is valid only if its hash happens to be a fixed point, but consensus must not differ.
 */
function verifySchnorrZeroS(sig64: Uint8Array, xonly: Uint8Array, msg32: Uint8Array): boolean {
  try {
    const r = bytesToBigInt(sig64, 0, 32);
    if (r >= secp256k1.Point.CURVE().p) return false;
    const P = schnorr.utils.lift_x(bytesToBigInt(xonly, 0, 32));
    const digest = challengeHash(sig64.subarray(0, 32), xonly, msg32);
    const e = bytesToBigInt(digest, 0, 32) % N;
    if (e === 0n) return false;
    const R = P.multiplyUnsafe(N - e);
    if (R.is0()) return false;
    const { x, y } = R.toAffine();
    return (y & 1n) === 0n && x === r;
  } catch {
    return false;
  }
}

/**
 * Optional cache of signatures already found valid (like Core's signature cache), keyed by the hash of
 * (kind, signature, public key, message). Only successes are cached, so a hit can never turn a failure into a pass.
 */
export class SignatureCache {
  private readonly valid = new Set<string>();
  constructor(readonly maxEntries = 100_000) {}

  key(kind: number, sig: Uint8Array, pubkey: Uint8Array, msg: Uint8Array): string {
    const h = sha256.create();
    h.update(Uint8Array.of(kind, sig.length >> 8, sig.length & 0xff, pubkey.length >> 8, pubkey.length & 0xff));
    h.update(sig);
    h.update(pubkey);
    h.update(msg);
    return Buffer.from(h.digest()).toString('base64');
  }
  has(key: string): boolean {
    return this.valid.has(key);
  }
  add(key: string): void {
    if (this.valid.size >= this.maxEntries) this.valid.clear();
    this.valid.add(key);
  }
}

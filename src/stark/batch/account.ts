/**
 * How an account of the rollup is written in BabyBear elements for the STARK-field state tree
 * (protocol §9). Plain inputs only: the stark module knows nothing of the rollup's types.
 *
 *  - key digest  K = poseidon2Hash(limbs30(Ax) ‖ limbs30(Ay))  (9 + 9 limbs of 30 bits, little-endian);
 *  - balance     3 limbs of 21 bits (balance < 2^63), nonce 2 limbs of 16 bits (nonce < 2^32);
 *  - leaf        poseidon2Compress(K, [b0, b1, b2, n0, n1, 0, 0, 0]);
 *  - node        poseidon2Compress(left, right).
 * Every limb is below p, so the encoding is injective and needs no modular reduction.
 */
import { StarkError } from '../errors.ts';
import { P } from '../field.ts';

const BABYBEAR_P = P;
const SHIFTS = Array.from({ length: 8 }, (_, i) => BigInt(32 * i));
import { DIGEST_ELEMENTS, poseidon2Compress, poseidon2Hash } from '../poseidon2.ts';

export const KEY_LIMB_BITS = 30;
export const KEY_LIMBS = 9;
export const BALANCE_LIMB_BITS = 21;
export const BALANCE_LIMBS = 3;
export const NONCE_LIMB_BITS = 16;
export const MAX_BALANCE = (1n << 63n) - 1n;
export const MAX_NONCE = 2 ** 32 - 1;
const BN254_BITS = 254;

/** An account as the batch AIR sees it: the key only through its digest. */
export interface StarkAccount {
  readonly keyDigest: Uint32Array;
  readonly balance: bigint;
  readonly nonce: number;
}

/** A field element below 2^254 (a BN254 scalar) as 9 little-endian 30-bit limbs. */
export function keyLimbs(x: bigint): number[] {
  if (x < 0n || x >> BigInt(BN254_BITS) !== 0n)
    throw new StarkError('INVALID_ARGUMENT', 'a key coordinate must be below 2^254');
  const out: number[] = [];
  const mask = (1n << BigInt(KEY_LIMB_BITS)) - 1n;
  for (let i = 0; i < KEY_LIMBS; i++) out.push(Number((x >> BigInt(KEY_LIMB_BITS * i)) & mask));
  return out;
}

export function accountKeyDigest(ax: bigint, ay: bigint): Uint32Array {
  return poseidon2Hash([...keyLimbs(ax), ...keyLimbs(ay)]);
}

/** The key digest of the empty account (0, 0): a constant of the AIR. */
export const EMPTY_KEY_DIGEST: Uint32Array = accountKeyDigest(0n, 0n);

export function balanceLimbs(balance: bigint): [number, number, number] {
  if (balance < 0n || balance > MAX_BALANCE)
    throw new StarkError('INVALID_ARGUMENT', 'a balance or amount must be in [0, 2^63)');
  const mask = (1n << BigInt(BALANCE_LIMB_BITS)) - 1n;
  return [Number(balance & mask), Number((balance >> 21n) & mask), Number(balance >> 42n)];
}

export function nonceLimbs(nonce: number): [number, number] {
  if (!Number.isInteger(nonce) || nonce < 0 || nonce > MAX_NONCE)
    throw new StarkError('INVALID_ARGUMENT', 'a nonce must be an integer in [0, 2^32)');
  return [nonce & 0xffff, Math.floor(nonce / 0x10000)];
}

/** The 8 value words of a leaf (balance limbs, nonce limbs, zero padding). */
export function accountValueWords(a: StarkAccount): number[] {
  return [...balanceLimbs(a.balance), ...nonceLimbs(a.nonce), 0, 0, 0];
}

export function accountLeaf(a: StarkAccount): Uint32Array {
  return poseidon2Compress(a.keyDigest, accountValueWords(a));
}

export function nodeDigest(left: Uint32Array, right: Uint32Array): Uint32Array {
  return poseidon2Compress(left, right);
}

/** Packs an 8-element digest into one bigint: Σ d[i]·2^(32·i) (32 bytes little-endian). */
export function packDigest(d: ArrayLike<number>): bigint {
  if (d.length !== DIGEST_ELEMENTS) throw new StarkError('INVALID_ARGUMENT', 'a digest has 8 elements');
  let v = 0n;
  for (let i = DIGEST_ELEMENTS - 1; i >= 0; i--) v = (v << 32n) | BigInt(d[i]!);
  return v;
}

/** The inverse of `packDigest`; rejects values that are not 8 canonical BabyBear elements. */
export function unpackDigest(v: bigint): Uint32Array {
  if (v < 0n || v >> 256n !== 0n) throw new StarkError('INVALID_ARGUMENT', 'a packed digest is 256 bits');
  const out = new Uint32Array(DIGEST_ELEMENTS);
  for (let i = 0; i < DIGEST_ELEMENTS; i++) {
    const w = Number((v >> SHIFTS[i]!) & 0xffffffffn);
    if (w >= BABYBEAR_P) throw new StarkError('INVALID_ARGUMENT', 'a packed digest word is not a BabyBear element');
    out[i] = w;
  }
  return out;
}

/** Root of the empty tree of `depth` levels. */
export function emptyRoot(depth: number): Uint32Array {
  let z = accountLeaf({ keyDigest: EMPTY_KEY_DIGEST, balance: 0n, nonce: 0 });
  for (let i = 0; i < depth; i++) z = nodeDigest(z, z);
  return z;
}

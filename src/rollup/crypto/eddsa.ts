import { blake512 } from '@noble/hashes/blake1.js';
import { pippenger } from '@noble/curves/abstract/curve.js';
import { BASE8, Point, SUBORDER, isOnCurve, packPoint, toPoint, unpackPoint } from './babyjub.ts';
import type { Affine, EdwardsPoint } from './babyjub.ts';
import { bigToBytesLE, bytesToBigLE, isFieldElement } from './field.ts';
import { poseidon } from './poseidon.ts';

/**
 * EdDSA-Poseidon on Baby Jubjub, byte-for-byte the scheme of circomlib's `EdDSAPoseidonVerifier` and circomlibjs's
 * `signPoseidon`/`verifyPoseidon` (the message is one field element; the challenge is Poseidon(R8, A, M)).
 */
export type Signature = { R8: Affine; S: bigint };
export type PublicKey = Affine;

function expand(privateKey: Uint8Array): { s: bigint; prefix: Uint8Array } {
  if (privateKey.length !== 32) throw new TypeError('private key must be 32 bytes');
  const h = blake512(privateKey);
  const head = h.slice(0, 32);
  head[0]! &= 0xf8;
  head[31]! &= 0x7f;
  head[31]! |= 0x40;
  return { s: bytesToBigLE(head), prefix: h.slice(32, 64) };
}

/** (s >> 3)·B8 as circomlibjs computes it; B8 has order l, so the scalar is reduced mod l first. */
function mulBase(scalar: bigint): EdwardsPoint {
  const k = scalar % SUBORDER;
  return k === 0n ? Point.ZERO : BASE8.multiply(k);
}

export function getPublicKey(privateKey: Uint8Array): PublicKey {
  const { s } = expand(privateKey);
  return mulBase(s >> 3n).toAffine();
}

export function sign(privateKey: Uint8Array, msg: bigint): Signature {
  if (!isFieldElement(msg)) throw new TypeError('message must be a field element');
  const { s, prefix } = expand(privateKey);
  const A = mulBase(s >> 3n).toAffine();
  const composed = new Uint8Array(64);
  composed.set(prefix, 0);
  composed.set(bigToBytesLE(msg, 32), 32);
  const r = bytesToBigLE(blake512(composed)) % SUBORDER;
  // r = 0 has probability 2^-251; circomlibjs would then publish R8 = identity, and so do we.
  const R8 = mulBase(r).toAffine();
  const h = poseidon([R8.x, R8.y, A.x, A.y, msg]);
  const S = (r + h * s) % SUBORDER;
  return { R8, S };
}

/** Checks that are cheap and independent of the curve equation; shared by single and batch verification. */
function wellFormed(msg: bigint, sig: Signature, A: PublicKey): boolean {
  if (!isFieldElement(msg)) return false;
  if (typeof sig.S !== 'bigint' || sig.S < 0n || sig.S >= SUBORDER) return false;
  if (!isOnCurve(sig.R8.x, sig.R8.y) || !isOnCurve(A.x, A.y)) return false;
  return true;
}

function a8(A: PublicKey): EdwardsPoint | undefined {
  const p8 = toPoint(A).multiplyUnsafe(8n);
  // circomlib rejects a key whose 8·A has x = 0 (the identity or the point of order 2).
  return p8.toAffine().x === 0n ? undefined : p8;
}

export function verify(msg: bigint, sig: Signature, A: PublicKey): boolean {
  if (!wellFormed(msg, sig, A)) return false;
  const A8 = a8(A);
  if (!A8) return false;
  const h = poseidon([sig.R8.x, sig.R8.y, A.x, A.y, msg]);
  const left = mulBase(sig.S);
  const right = toPoint(sig.R8).add(A8.multiplyUnsafe(h % SUBORDER));
  return left.equals(right);
}

export type VerifyItem = { msg: bigint; sig: Signature; A: PublicKey };

/** Rounds of the torsion test; each lets a bad R8 through with probability at most 1/2. */
const TORSION_ROUNDS = 40;

/**
 * Batch verification with exactly the acceptance set of `verify` (and of the circuit), w.h.p.:
 *  1. with random 128-bit z_i: Σ z_i·S_i·B8 − Σ z_i·R8_i − Σ z_i·h_i·(8·A_i) = 0, one multi-scalar multiplication;
 *  2. the circuit's equation is cofactorless, so an R8 with a small-order component must fail as it does singly.
 *     The torsion part of R8 is l·R8 (l ≡ 1 mod 8), so l·Σ w_i·R8_i (w_i random mod 8) is 0 for honest R8s and
 *     non-zero with probability ≥ 1/2 otherwise; repeated TORSION_ROUNDS times with cheap 3-bit bucket sums.
 * A false result only says that some signature is bad; callers fall back to single checks to find it.
 */
export function verifyBatch(items: readonly VerifyItem[], random: (n: number) => Uint8Array): boolean {
  if (items.length === 0) return true;
  if (items.length === 1) return verify(items[0]!.msg, items[0]!.sig, items[0]!.A);
  const points: EdwardsPoint[] = [];
  const scalars: bigint[] = [];
  const rs: EdwardsPoint[] = [];
  let sumS = 0n;
  const zs = random(16 * items.length);
  for (let i = 0; i < items.length; i++) {
    const { msg, sig, A } = items[i]!;
    if (!wellFormed(msg, sig, A)) return false;
    const A8 = a8(A);
    if (!A8) return false;
    const z = bytesToBigLE(zs.subarray(16 * i, 16 * i + 16));
    const h = poseidon([sig.R8.x, sig.R8.y, A.x, A.y, msg]) % SUBORDER;
    sumS = (sumS + z * sig.S) % SUBORDER;
    const R = toPoint(sig.R8);
    rs.push(R);
    points.push(R.negate(), A8.negate());
    scalars.push(z, (z * h) % SUBORDER);
  }
  points.push(BASE8);
  scalars.push(sumS);
  if (!pippenger(Point, points, scalars).is0()) return false;
  return torsionFree(rs, random);
}

function torsionFree(points: readonly EdwardsPoint[], random: (n: number) => Uint8Array): boolean {
  const ws = random(points.length * TORSION_ROUNDS);
  for (let round = 0; round < TORSION_ROUNDS; round++) {
    const buckets: EdwardsPoint[] = new Array(8).fill(Point.ZERO);
    for (let i = 0; i < points.length; i++) {
      const w = ws[round * points.length + i]! & 7;
      if (w) buckets[w] = buckets[w]!.add(points[i]!);
    }
    // Σ w·bucket_w by the running-sum trick: 14 additions instead of 7 multiplications.
    let running = Point.ZERO;
    let sum = Point.ZERO;
    for (let w = 7; w >= 1; w--) {
      running = running.add(buckets[w]!);
      sum = sum.add(running);
    }
    // l·P written as (l − 1)·P + P because noble takes scalars below l only.
    if (
      !sum
        .multiplyUnsafe(SUBORDER - 1n)
        .add(sum)
        .is0()
    )
      return false;
  }
  return true;
}

/** 64-byte wire form: packPoint(R8) ‖ S little-endian (circomlibjs `packSignature`). */
export function encodeSignature(sig: Signature): Uint8Array {
  const out = new Uint8Array(64);
  out.set(packPoint(sig.R8), 0);
  out.set(bigToBytesLE(sig.S, 32), 32);
  return out;
}

export function decodeSignature(bytes: Uint8Array): Signature | undefined {
  if (bytes.length !== 64) return undefined;
  const R8 = unpackPoint(bytes.subarray(0, 32));
  if (!R8) return undefined;
  const S = bytesToBigLE(bytes.subarray(32, 64));
  if (S >= SUBORDER) return undefined;
  return { R8, S };
}

export { Point };

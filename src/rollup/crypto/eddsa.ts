import { blake512 } from '@noble/hashes/blake1.js';
import { BASE8, Point, SUBORDER, isOnCurve, packPoint, toPoint, unpackPoint } from './babyjub.ts';
import type { Affine, EdwardsPoint } from './babyjub.ts';
import { P, bigToBytesLE, bytesToBigLE, isFieldElement } from './field.ts';
import { EdwardsKernel } from './wasm/edwards-kernel.ts';
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
  // Three doublings, kept projective: x = X/Z with Z ≠ 0, so x = 0 exactly when X = 0 (no inversion needed).
  const p8 = toPoint(A).double().double().double();
  // circomlib rejects a key whose 8·A has x = 0 (the identity or the point of order 2).
  return p8.X === 0n ? undefined : p8;
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
 * The point arithmetic runs in the WebAssembly Edwards kernel (`wasm/edwards-kernel.ts`); the curve checks and the
 * challenge hash are the same as in `verify`. A false result only says that some signature is bad; callers fall
 * back to single checks to find it.
 */
export function verifyBatch(items: readonly VerifyItem[], random: (n: number) => Uint8Array): boolean {
  if (items.length === 0) return true;
  if (items.length === 1) return verify(items[0]!.msg, items[0]!.sig, items[0]!.A);
  const n = items.length;
  const k = babyJubKernel(n);
  // Slots: 0..n−1 hold −R8_i, n..2n−1 hold −8·A_i, 2n holds B8, then results and scratch.
  const base = 2 * n;
  const result = base + 1;
  const scratch = base + 2;
  const points: number[] = [];
  const scalars: bigint[] = [];
  let sumS = 0n;
  const zs = random(16 * n);
  for (let i = 0; i < n; i++) {
    const { msg, sig, A } = items[i]!;
    if (!wellFormed(msg, sig, A)) return false;
    k.load(n + i, A);
    for (let d = 0; d < 3; d++) k.add(n + i, n + i, n + i);
    // circomlib rejects a key whose 8·A has x = 0 (the identity or the point of order 2).
    if (k.xIsZero(n + i)) return false;
    k.negate(n + i, n + i);
    k.load(i, sig.R8);
    k.negate(i, i);
    const z = bytesToBigLE(zs.subarray(16 * i, 16 * i + 16));
    const h = poseidon([sig.R8.x, sig.R8.y, A.x, A.y, msg]) % SUBORDER;
    sumS = (sumS + z * sig.S) % SUBORDER;
    points.push(i, n + i);
    scalars.push(z, (z * h) % SUBORDER);
  }
  k.load(base, BASE8_AFFINE);
  points.push(base);
  scalars.push(sumS);
  k.msm(result, points, scalars, SUBORDER_BITS, scratch);
  if (!k.isIdentity(result)) return false;
  return torsionFree(k, n, scratch, random);
}

/** Negated R8s in slots 0..n−1 (negation keeps the torsion part's order, so the test is the same). */
function torsionFree(k: EdwardsKernel, n: number, scratch: number, random: (count: number) => Uint8Array): boolean {
  const ws = random(n * TORSION_ROUNDS);
  const running = scratch + 8;
  const sum = scratch + 9;
  const lSum = scratch + 10;
  const used = new Uint8Array(8);
  for (let round = 0; round < TORSION_ROUNDS; round++) {
    used.fill(0);
    for (let i = 0; i < n; i++) {
      const w = ws[round * n + i]! & 7;
      if (!w) continue;
      if (used[w]) k.add(scratch + w, scratch + w, i);
      else {
        k.copy(scratch + w, i);
        used[w] = 1;
      }
    }
    // Σ w·bucket_w by the running-sum trick: 14 additions instead of 7 multiplications.
    k.setIdentity(running);
    k.setIdentity(sum);
    for (let w = 7; w >= 1; w--) {
      if (used[w]) k.add(running, running, scratch + w);
      k.add(sum, sum, running);
    }
    k.multiply(lSum, sum, SUBORDER);
    if (!k.isIdentity(lSum)) return false;
  }
  return true;
}

const SUBORDER_BITS = SUBORDER.toString(2).length;
const BASE8_AFFINE = BASE8.toAffine();
let kernel: EdwardsKernel | undefined;

/** A kernel with room for a batch of n (2n + 1 points, Pippenger's buckets, the torsion scratch). */
function babyJubKernel(n: number): EdwardsKernel {
  const need = 2 * n + 2 + 1030;
  if (!kernel || kernel.slots < need)
    kernel = new EdwardsKernel(P, { a: 168700n, d: 168696n }, Math.max(need, 2 * 1024 + 2 + 1030));
  return kernel;
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

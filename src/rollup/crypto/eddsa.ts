import { blake512 } from '@noble/hashes/blake1.js';
import { BASE8, Point, SUBORDER, isOnCurve, packPoint, toPoint, unpackPoint, unpackPoints } from './babyjub.ts';
import type { Affine, EdwardsPoint } from './babyjub.ts';
import { P, bigToBytesLE, bytesToBigLE, isFieldElement } from './field.ts';
import { EdwardsKernel } from './wasm/edwards-kernel.ts';
import { poseidon, poseidonMany } from './poseidon.ts';

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

/**
 * The challenge hashes Poseidon(R8, A, M) of a batch, in one call so that a many-lane Poseidon can replace the loop.
 */
export function challengeHashes(items: readonly VerifyItem[]): bigint[] {
  return poseidonMany(items.map(({ msg, sig, A }) => [sig.R8.x, sig.R8.y, A.x, A.y, msg]));
}

/**
 * Rounds of the torsion test; each lets a bad R8 through with probability at most 1/2, so a batch holding one is
 * accepted with probability at most 2^-40. Done as TORSION_ROUNDS / 8 groups of 8 rounds (one random byte per point
 * and group, one round per bit).
 */
const TORSION_ROUNDS = 40;
const ROUNDS_PER_GROUP = 8;

/**
 * The eight points of order dividing 8. The group has order 8·l with l an odd prime, so its 2-part has order 8:
 * 8·A = O exactly when A is one of these, and 8·A can never be the point of order 2 (that would need a point of
 * order 16). So circomlib's "8·A has x = 0" rejection is membership in this set, tested without any point arithmetic.
 */
let smallOrder: Map<bigint, bigint[]> | undefined;
function isSmallOrder(A: PublicKey): boolean {
  smallOrder ??= smallOrderPoints();
  return smallOrder.get(A.y)?.includes(A.x) ?? false;
}

/** y → the x values of the small-order points with that y. */
function smallOrderPoints(): Map<bigint, bigint[]> {
  const Fp = Point.Fp;
  for (let y = 2n; ; y++) {
    const den = Fp.create(A_COEFF - D_COEFF * y * y);
    if (den === 0n) continue;
    const x2 = Fp.div(Fp.sub(1n, y * y), den);
    if (Fp.pow(x2, (Fp.ORDER - 1n) / 2n) !== Fp.ONE) continue;
    // l·Q kills Q's prime-order part and leaves a small-order point; it generates the 2-part when it has order 8.
    const q = Point.fromAffine({ x: Fp.sqrt(x2), y });
    const t = q.multiplyUnsafe(SUBORDER - 1n).add(q);
    if (t.double().double().is0()) continue;
    const out = new Map<bigint, bigint[]>();
    let p = Point.ZERO;
    for (let j = 0; j < 8; j++, p = p.add(t)) {
      const a = p.toAffine();
      out.set(a.y, [...(out.get(a.y) ?? []), a.x]);
    }
    return out;
  }
}
/** The eight small-order points (tests check them against `verify`'s rejection of such keys). */
export function smallOrderKeys(): Affine[] {
  smallOrder ??= smallOrderPoints();
  return [...smallOrder].flatMap(([y, xs]) => xs.map((x) => ({ x, y })));
}
const A_COEFF = 168700n;
const D_COEFF = 168696n;

/**
 * Batch verification with exactly the acceptance set of `verify` (and of the circuit), w.h.p.:
 *  1. with random 128-bit z_i: Σ z_i·R8_i + Σ 8·(z_i·h_i mod l)·A_i − (Σ z_i·S_i)·B8 = 0, one multi-scalar
 *     multiplication. 8·(z·h mod l) as an integer times A is (z·h mod l) times 8·A, so the keys go in as they are
 *     (no doublings, and every point is affine, which makes the bucket additions mixed ones);
 *  2. the circuit's equation is cofactorless, so an R8 with a small-order component must fail as it does singly: see
 *     `torsionFree`.
 * The point arithmetic runs in the WebAssembly Edwards kernel (`wasm/edwards-kernel.ts`); the curve checks are the
 * same as in `verify`. A false result only says that some signature is bad; callers fall back to single checks.
 */
export function verifyBatch(items: readonly VerifyItem[], random: (n: number) => Uint8Array): boolean {
  if (items.length === 0) return true;
  if (items.length === 1) return verify(items[0]!.msg, items[0]!.sig, items[0]!.A);
  const n = items.length;
  for (const { msg, sig, A } of items) if (!wellFormed(msg, sig, A) || isSmallOrder(A)) return false;
  const hashes = challengeHashes(items);
  const zs = random(16 * n);
  const points: number[] = [];
  const scalars: bigint[] = [];
  let sumS = 0n;
  for (let i = 0; i < n; i++) {
    const z = leHex(zs, 16 * i, 16 * i + 16);
    sumS += z * items[i]!.sig.S;
    scalars.push(z);
    points.push(i);
  }
  for (let i = 0; i < n; i++) {
    scalars.push(8n * ((scalars[i]! * hashes[i]!) % SUBORDER));
    points.push(n + i);
  }
  points.push(2 * n);
  scalars.push((SUBORDER - (sumS % SUBORDER)) % SUBORDER);
  // Slots: R8_i at i, A_i at n + i, B8 at 2n, the result at 2n + 1, scratch from 2n + 2.
  const { k, c } = babyJubKernel(n);
  for (let i = 0; i < n; i++) {
    k.load(i, items[i]!.sig.R8);
    k.load(n + i, items[i]!.A);
  }
  k.load(2 * n, BASE8_AFFINE);
  k.msm(2 * n + 1, points, scalars, SCALAR_BITS, 2 * n + 2, c);
  if (!k.isIdentity(2 * n + 1)) return false;
  return torsionFree(k, n, 2 * n + 2, random);
}

/**
 * l·R8_i = 0 for every i (R8_i in slots 0..n−1), w.h.p. The torsion part of R8 is killed by l only if it is zero
 * (l is odd), and l kills every prime-order part, so round r checks l·Σ_i c_ir·R8_i = Σ_i c_ir·(l·T_i) = 0 with
 * random bits c_ir. If some T_j ≠ 0, then whatever the other bits are, at most one of the two values of c_jr makes
 * the sum zero: each round misses with probability ≤ 1/2, independently, so 40 rounds miss with probability ≤ 2^-40,
 * whatever small-order components (of order 2, 4 or 8) the adversary chose. The 8 rounds of a group share their
 * additions: the points go into 256 buckets by their random byte (n additions), and for each bit from the top the
 * buckets with that bit set are summed and then folded onto the others (2·255 additions), so a batch costs
 * 5·(n + 510) additions and 40 multiplications by l instead of 40·n additions.
 */
function torsionFree(k: EdwardsKernel, n: number, scratch: number, random: (count: number) => Uint8Array): boolean {
  const groups = TORSION_ROUNDS / ROUNDS_PER_GROUP;
  const bytes = random(n * groups);
  const bucket = (b: number) => scratch + b;
  const sum = scratch + 256;
  const lSum = scratch + 257;
  const used = new Uint8Array(256);
  for (let g = 0; g < groups; g++) {
    used.fill(0);
    for (let i = 0; i < n; i++) {
      const b = bytes[g * n + i]!;
      if (!b) continue;
      if (used[b]) k.addLoaded(bucket(b), bucket(b), i);
      else {
        k.copy(bucket(b), i);
        used[b] = 1;
      }
    }
    // Before the round of bit r, bucket b < 2^(r+1) holds the points whose byte has low bits b.
    for (let half = 128; half >= 1; half >>= 1) {
      let any = false;
      for (let b = half; b < 2 * half; b++) {
        if (!used[b]) continue;
        if (any) k.add(sum, sum, bucket(b));
        else k.copy(sum, bucket(b));
        any = true;
        if (used[b - half]) k.add(bucket(b - half), bucket(b - half), bucket(b));
        else k.copy(bucket(b - half), bucket(b));
        used[b - half] = 1;
      }
      if (!any) continue;
      k.multiply(lSum, sum, SUBORDER);
      if (!k.isIdentity(lSum)) return false;
    }
  }
  return true;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** bytes[from, to) as a little-endian integer (one BigInt parse instead of a shift per byte). */
function leHex(bytes: Uint8Array, from: number, to: number): bigint {
  let hex = '0x';
  for (let i = to - 1; i >= from; i--) hex += HEX[bytes[i]!]!;
  return BigInt(hex);
}

/** Scalars of the batch equation are below 8·l < 2^254. */
const SCALAR_BITS = 254;
const BASE8_AFFINE = BASE8.toAffine();
let kernel: EdwardsKernel | undefined;

/**
 * A kernel with room for a batch of n (2n + 2 points, then Pippenger's buckets or the torsion test's 258). The
 * Pippenger window c is the best one for the batch's scalar sizes (n of 128 bits, n + 1 of 254).
 */
function babyJubKernel(n: number): { k: EdwardsKernel; c: number } {
  const c = EdwardsKernel.window([...new Array<number>(n).fill(128), ...new Array<number>(n + 1).fill(SCALAR_BITS)]);
  const need = 2 * n + 2 + Math.max((1 << (c - 1)) + 3, 258);
  if (!kernel || kernel.slots < need)
    kernel = new EdwardsKernel(P, { a: A_COEFF, d: D_COEFF }, Math.max(need, 2 * 1024 + 2 + 1030));
  return { k: kernel, c };
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

/** `decodeSignature` of many at once: the points are unpacked together (one shared inversion). */
export function decodeSignatures(list: readonly Uint8Array[]): (Signature | undefined)[] {
  const points = unpackPoints(list.map((b) => (b.length === 64 ? b.subarray(0, 32) : EMPTY)));
  return list.map((bytes, i) => {
    const R8 = points[i];
    if (!R8 || bytes.length !== 64) return undefined;
    const S = leHex(bytes, 32, 64);
    return S < SUBORDER ? { R8, S } : undefined;
  });
}
const EMPTY = new Uint8Array(0);

export { Point };

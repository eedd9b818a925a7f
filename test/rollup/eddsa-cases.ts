// Signatures for the batch-verification tests: valid ones made from random scalars (the same equation as `sign`,
// without its hashing of a private key), and one bad signature of each kind the batch verifier must reject exactly as
// single `verify` does (or, for a key with a small-order component that was signed for, accept as it does).
import { randomBytes } from 'node:crypto';
import { FIELD_MODULUS as P, SUBORDER as l, encodeSignature, poseidon } from '../../src/rollup/index.ts';
import type { Affine, Signature, VerifyItem } from '../../src/rollup/index.ts';
import { Point, smallOrderKeys } from '../../src/rollup/crypto/eddsa.ts';

const B8 = Point.BASE;
const scalar = (): bigint => (BigInt('0x' + randomBytes(32).toString('hex')) % (l - 1n)) + 1n;
const affine = (p: typeof B8): Affine => p.toAffine();

/** Small-order points by order: 2, 4 and 8 (from the eight points of order dividing 8). */
export const torsion = (() => {
  const byOrder = new Map<number, Affine>();
  for (const t of smallOrderKeys()) {
    const p = Point.fromAffine(t);
    const order = p.is0() ? 1 : p.double().is0() ? 2 : p.double().double().is0() ? 4 : 8;
    byOrder.set(order, t);
  }
  return { 2: byOrder.get(2)!, 4: byOrder.get(4)!, 8: byOrder.get(8)! };
})();

/** A valid signature under key A = a·B8 (the signer's scalar is 8a, as circomlib's pruned key): S = r + h·8a. */
export function signWith(a: bigint, A: Affine, msg: bigint): Signature {
  const r = scalar();
  const R8 = affine(B8.multiply(r));
  const h = poseidon([R8.x, R8.y, A.x, A.y, msg]);
  return { R8, S: (r + h * 8n * a) % l };
}

export function validItems(n: number): VerifyItem[] {
  return Array.from({ length: n }, (_, i) => {
    const a = scalar();
    const A = affine(B8.multiply(a));
    const msg = BigInt(i) * 0x9e3779b97f4a7c15n;
    return { msg, A, sig: signWith(a, A, msg) };
  });
}

const plus = (p: Affine, q: Affine): Affine => affine(Point.fromAffine(p).add(Point.fromAffine(q)));

/** One bad signature of each kind, made from a fresh key and message; `valid` is what single `verify` says. */
export type Case = { kind: string; item: VerifyItem; wire: Uint8Array; valid: boolean; decodes: boolean };

export function cases(): Case[] {
  const a = scalar();
  const A = affine(B8.multiply(a));
  const msg = 4242n;
  const good = signWith(a, A, msg);
  const out: Case[] = [];
  const add = (kind: string, item: VerifyItem, valid: boolean, wire = encodeSignature(item.sig), decodes = true) =>
    out.push({ kind, item, wire, valid, decodes });
  add('wrong S', { msg, A, sig: { ...good, S: (good.S + 1n) % l } }, false);
  add('wrong R8', { msg, A, sig: { ...good, R8: plus(good.R8, affine(B8)) } }, false);
  add('wrong message', { msg: msg + 1n, A, sig: good }, false);
  for (const order of [2, 4, 8] as const)
    add(`R8 plus a point of order ${order}`, { msg, A, sig: { ...good, R8: plus(good.R8, torsion[order]) } }, false);
  for (const order of [2, 4, 8] as const) {
    // 8·(A + T) = 8·A: a key with a small-order component that was signed for verifies, singly and in a batch.
    const At = plus(A, torsion[order]);
    add(
      `key with a small-order component of order ${order}, signed for it`,
      { msg, A: At, sig: signWith(a, At, msg) },
      true,
    );
    add(`key with a small-order component of order ${order}, signed for A`, { msg, A: At, sig: good }, false);
  }
  for (const T of smallOrderKeys())
    add(`small-order key (${T.x}, ${T.y})`, { msg, A: T, sig: signWith(a, T, msg) }, false);
  // S ≥ l: decodeSignature refuses the wire form; verify refuses the object.
  const bigS = { ...good, S: good.S + l };
  const bigSWire = encodeSignature(good);
  for (let i = 0, v = good.S + l; i < 32; i++, v >>= 8n) bigSWire[32 + i] = Number(v & 0xffn);
  add('S ≥ l', { msg, A, sig: bigS }, false, bigSWire, false);
  // y + P encodes the same residue non-canonically: refused when unpacking, and off the curve as an object.
  const nonCanonical = encodeSignature(good);
  for (let i = 0, v = good.R8.y + P, s = nonCanonical[31]! & 0x80; i < 32; i++, v >>= 8n)
    nonCanonical[i] = Number(v & 0xffn) | (i === 31 ? s : 0);
  add(
    'non-canonical y',
    { msg, A, sig: { ...good, R8: { x: good.R8.x, y: good.R8.y + P } } },
    false,
    nonCanonical,
    false,
  );
  // A y with no x on the curve.
  const Fp = Point.Fp;
  let y = 5n;
  while (Fp.pow(Fp.div(Fp.sub(1n, y * y), Fp.create(168700n - 168696n * y * y)), (P - 1n) / 2n) === 1n) y++;
  const noX = encodeSignature(good);
  noX.set(encodeSignature({ R8: { x: 0n, y }, S: 0n }).subarray(0, 32), 0);
  add('y with no x', { msg, A, sig: { ...good, R8: { x: 1n, y } } }, false, noX, false);
  return out;
}

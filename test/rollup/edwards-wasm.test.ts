// The WebAssembly Edwards kernel (Baby Jubjub) against noble's BigInt points, and batch verification on top of it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { FIELD_MODULUS as P, getPublicKey, sign, verify, verifyBatch } from '../../src/rollup/index.ts';
import { Point } from '../../src/rollup/crypto/eddsa.ts';
import { EdwardsKernel } from '../../src/rollup/crypto/wasm/edwards-kernel.ts';

const l = Point.Fn.ORDER;
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const scalar = (i: number): bigint => BigInt('0x' + Buffer.from(sha256(Uint8Array.of(i, i >> 8))).toString('hex')) % l;
const point = (i: number) => Point.BASE.multiply(scalar(i) || 1n);
// A point of order 8: the torsion part l·Q of a curve point Q whose torsion part has full order.
const order8 = (() => {
  for (let y = 2n; ; y++) {
    const x2 = Point.Fp.div(Point.Fp.sub(1n, y * y), Point.Fp.create(168700n - 168696n * y * y));
    let x: bigint;
    try {
      x = Point.Fp.sqrt(x2);
    } catch {
      continue;
    }
    const Q = Point.fromAffine({ x, y });
    const T = Q.multiplyUnsafe(l - 1n).add(Q);
    if (!T.double().double().is0()) return T;
  }
})();

describe('Edwards kernel (wasm) against noble', () => {
  const k = new EdwardsKernel(P, { a: 168700n, d: 168696n }, 2048);
  // Equality through the kernel: load the expected point, subtract it, test for the identity.
  const same = (slot: number, expected: typeof Point.BASE): boolean => {
    k.load(2000, expected.is0() ? { x: 0n, y: 1n } : expected.toAffine());
    k.negate(2000, 2000);
    k.add(2001, slot, 2000);
    return k.isIdentity(2001);
  };
  it('addition, doubling and the identity agree with noble', () => {
    for (let i = 0; i < 30; i++) {
      const a = point(i);
      const b = point(i + 100);
      k.load(0, a.toAffine());
      k.load(1, b.toAffine());
      k.add(2, 0, 1);
      assert.ok(same(2, a.add(b)), `a + b, i=${i}`);
      k.add(3, 0, 0);
      assert.ok(same(3, a.double()), `2a, i=${i}`);
      k.setIdentity(4);
      k.add(4, 4, 0);
      assert.ok(same(4, a), `0 + a, i=${i}`);
      assert.equal(same(4, b), false);
    }
  });
  it('multiply and the torsion point: l·T ≠ 0, 8·T = 0, l·B8 = 0', () => {
    k.load(0, order8.toAffine());
    k.multiply(1, 0, l);
    assert.equal(k.isIdentity(1), false);
    k.multiply(1, 0, 8n);
    assert.ok(k.isIdentity(1));
    k.load(0, Point.BASE.toAffine());
    k.multiply(1, 0, l);
    assert.ok(k.isIdentity(1));
  });
  for (const n of [1, 5, 40, 300]) {
    it(`multi-scalar multiplication of ${n} points equals noble's sum`, () => {
      let expected = Point.ZERO;
      const slots: number[] = [];
      const scalars: bigint[] = [];
      for (let i = 0; i < n; i++) {
        const p = point(i + 7);
        const s = i % 3 === 0 ? scalar(i + 1000) & ((1n << 128n) - 1n) : scalar(i + 2000);
        k.load(i, p.toAffine());
        slots.push(i);
        scalars.push(s);
        expected = expected.add(p.multiplyUnsafe(s));
      }
      k.msm(n, slots, scalars, 251, n + 1);
      assert.ok(same(n, expected));
    });
  }
});

describe('batch verification on the kernel', () => {
  const keys = Array.from({ length: 12 }, (_, i) => sha256(Uint8Array.of(1, i)));
  const items = keys.flatMap((key, i) =>
    [3n, 77n, 1234567n].map((m) => ({ msg: m + BigInt(i), sig: sign(key, m + BigInt(i)), A: getPublicKey(key) })),
  );
  it('accepts a valid batch of 36', () => {
    assert.ok(verifyBatch(items, rnd));
  });
  it('rejects one wrong S, one wrong key, one wrong message anywhere in the batch', () => {
    for (const at of [0, 17, 35]) {
      const bad = items.slice();
      bad[at] = { ...bad[at]!, sig: { ...bad[at]!.sig, S: (bad[at]!.sig.S + 1n) % l } };
      assert.equal(verifyBatch(bad, rnd), false);
      const badKey = items.slice();
      badKey[at] = { ...badKey[at]!, A: items[(at + 3) % items.length]!.A };
      assert.equal(verifyBatch(badKey, rnd), false);
      const badMsg = items.slice();
      badMsg[at] = { ...badMsg[at]!, msg: badMsg[at]!.msg + 1n };
      assert.equal(verifyBatch(badMsg, rnd), false);
    }
  });
  it('rejects an R8 with a torsion part of order 8, 4 or 2 (as single verification does)', () => {
    for (const [mult, at] of [
      [1n, 4],
      [2n, 20],
      [4n, 33],
    ] as const) {
      const T = order8.multiplyUnsafe(mult);
      const bad = items.slice();
      const it0 = bad[at]!;
      bad[at] = { ...it0, sig: { ...it0.sig, R8: Point.fromAffine(it0.sig.R8).add(T).toAffine() } };
      assert.equal(verify(bad[at]!.msg, bad[at]!.sig, bad[at]!.A), false);
      assert.equal(verifyBatch(bad, rnd), false, `torsion of order ${8n / mult}`);
    }
  });
});

// The WebAssembly Edwards kernel (Baby Jubjub) against noble's BigInt points, batch verification on top of it, and
// the field kernel's square roots used to unpack points.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { FIELD_MODULUS as P, getPublicKey, sign, verify, verifyBatch } from '../../src/rollup/index.ts';
import { Point } from '../../src/rollup/crypto/eddsa.ts';
import { EdwardsKernel } from '../../src/rollup/crypto/wasm/edwards-kernel.ts';
import { FieldKernel } from '../../src/rollup/crypto/wasm/montgomery.ts';

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
  it('dedicated doubling, and adding or subtracting a loaded (cached affine) point, agree with noble', () => {
    for (let i = 0; i < 30; i++) {
      const a = point(i);
      const b = i % 5 === 0 ? order8.multiplyUnsafe(BigInt(i % 8)) : point(i + 300);
      k.load(0, a.toAffine());
      k.add(0, 0, 0); // an extended point with Z ≠ 1
      k.load(1, b.is0() ? { x: 0n, y: 1n } : b.toAffine());
      k.double(2, 0);
      assert.ok(same(2, a.double().double()), `2·(2a), i=${i}`);
      k.addLoaded(3, 0, 1);
      assert.ok(same(3, a.double().add(b)), `2a + b, i=${i}`);
      k.addLoaded(3, 0, 1, true);
      assert.ok(same(3, a.double().subtract(b)), `2a − b, i=${i}`);
      k.copy(4, 0);
      k.addLoaded(4, 4, 1);
      k.addLoaded(4, 4, 1, true);
      assert.ok(same(4, a.double()), `2a + b − b in place, i=${i}`);
    }
    k.setIdentity(5);
    k.double(5, 5);
    assert.ok(k.isIdentity(5));
    k.load(6, order8.double().double().toAffine());
    k.double(5, 6);
    assert.ok(k.isIdentity(5), '2·(order-2 point) = 0');
  });
  it('multiply (width-5 NAF) equals noble for random and edge scalars, in place too', () => {
    const a = point(3);
    for (const s of [0n, 1n, 2n, 15n, 16n, 17n, 31n, l - 1n, l, l + 1n, scalar(9), scalar(10), (1n << 254n) - 1n]) {
      k.load(0, a.toAffine());
      k.multiply(1, 0, s);
      assert.ok(same(1, s % l === 0n ? Point.ZERO : a.multiplyUnsafe(s % l)), `k = ${s}`);
      k.multiply(0, 0, s);
      assert.ok(same(0, s % l === 0n ? Point.ZERO : a.multiplyUnsafe(s % l)), `in place, k = ${s}`);
    }
    assert.throws(() => k.multiply(1, 0, -1n), RangeError);
  });
  it('msm with every window from 2 to 9, zero scalars and scalars at the bit limit', () => {
    const n = 24;
    let expected = Point.ZERO;
    const slots: number[] = [];
    const scalars: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const p = point(i + 50);
      const s = i % 7 === 0 ? 0n : i % 7 === 1 ? (1n << 254n) - 1n : i % 7 === 2 ? 1n : scalar(i + 3000) * 8n;
      k.load(i, p.toAffine());
      slots.push(i);
      scalars.push(s);
      expected = expected.add(p.multiplyUnsafe(s % l));
    }
    for (let c = 2; c <= 9; c++) {
      k.msm(n, slots, scalars, 254, n + 1, c);
      assert.ok(same(n, expected), `window ${c}`);
    }
    assert.throws(() => k.msm(n, slots, [...scalars.slice(1), 1n << 254n], 254, n + 1), RangeError);
    assert.throws(() => k.msm(n, slots, scalars.slice(1), 254, n + 1), RangeError);
  });
  it('window choice grows with the number of points', () => {
    const w = (n: number) => EdwardsKernel.window(new Array<number>(n).fill(254));
    assert.ok(w(2) <= w(64) && w(64) <= w(1024) && w(1024) <= w(4096));
    assert.ok(w(4096) <= 14);
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

describe('field kernel square roots (table Tonelli–Shanks) and shared-inversion sqrtRatios', () => {
  const k = new FieldKernel(P);
  const powRef = (b: bigint, e: bigint): bigint => Point.Fp.pow(b, e);
  const isSquare = (x: bigint): boolean => x === 0n || powRef(x, (P - 1n) / 2n) === 1n;
  const rand = (): bigint => BigInt('0x' + Buffer.from(randomBytes(32)).toString('hex')) % P;
  it('sqrt: a root exactly for the squares, for random elements and elements of high 2-power order', () => {
    // g^j for a primitive 2^28-th root of unity g exercises every digit of the table discrete logarithm.
    const g = powRef(5n, (P - 1n) >> 28n);
    assert.equal(powRef(g, 1n << 27n), P - 1n, 'g has order 2^28');
    const inputs = [
      0n,
      1n,
      P - 1n,
      ...Array.from({ length: 150 }, rand),
      ...[1n, 2n, 127n, 128n, (1n << 27n) + 3n].map((j) => powRef(g, j)),
    ];
    for (const x of inputs) {
      const r = k.sqrt(x);
      assert.equal(r !== undefined, isSquare(x), `square? ${x}`);
      if (r !== undefined) assert.equal((r * r) % P, x);
    }
  });
  it('sqrtRatios: x² = u/v where one exists, undefined otherwise and for v = 0, across chunk boundaries', () => {
    const n = FieldKernel.BATCH + 37;
    const us = Array.from({ length: n }, (_, i) => (i % 50 === 3 ? 0n : rand()));
    const vs = Array.from({ length: n }, (_, i) => (i % 70 === 5 ? 0n : rand()));
    const xs = k.sqrtRatios(us, vs);
    assert.equal(xs.length, n);
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      if (vs[i] === 0n) {
        assert.equal(x, undefined);
        continue;
      }
      const ratio = (us[i]! * powRef(vs[i]!, P - 2n)) % P;
      assert.equal(x !== undefined, isSquare(ratio), `square? item ${i}`);
      if (x !== undefined) assert.equal((x * x) % P, ratio, `item ${i}`);
    }
    assert.deepEqual(k.sqrtRatios([], []), []);
    assert.throws(() => k.sqrtRatios([1n], []), RangeError);
  });
});

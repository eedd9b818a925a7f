// EdDSA-Poseidon on Baby Jubjub against circomlibjs: keys, signatures and packing agree both ways.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildEddsa } from 'circomlibjs';
import { Point } from '../../src/rollup/crypto/babyjub.ts';
import { challengeHashes, decodeSignatures } from '../../src/rollup/crypto/eddsa.ts';
import { unpackPoints } from '../../src/rollup/crypto/babyjub.ts';
import { VERIFY_BATCH as BATCH } from '../../src/rollup/verifier.ts';
import { cases, validItems } from './eddsa-cases.ts';
import {
  poseidon,
  decodeSignature,
  encodeSignature,
  getPublicKey,
  packPoint,
  sign,
  unpackPoint,
  verify,
  verifyBatch,
} from '../../src/rollup/index.ts';
import type { Signature } from '../../src/rollup/index.ts';

type Eddsa = Awaited<ReturnType<typeof buildEddsa>>;
let ref: Eddsa;
const big = (x: unknown): bigint => BigInt(ref.F.toString(x));
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const keys = Array.from({ length: 6 }, (_, i) => new Uint8Array(32).fill(i * 37 + 1));
const msgs = [0n, 1n, 123456789n, (1n << 240n) + 99n];

describe('EdDSA-Poseidon (circomlib)', () => {
  before(async () => {
    ref = await buildEddsa();
  });
  it('public keys equal circomlibjs prv2pub', () => {
    for (const k of keys) {
      const A = getPublicKey(k);
      const R = ref.prv2pub(k);
      assert.equal(A.x, big(R[0]));
      assert.equal(A.y, big(R[1]));
    }
  });
  it('our signatures equal circomlibjs signPoseidon and verify there', () => {
    for (const k of keys.slice(0, 3))
      for (const m of msgs) {
        const sig = sign(k, m);
        const theirs = ref.signPoseidon(k, ref.F.e(m));
        assert.equal(sig.S, theirs.S);
        assert.equal(sig.R8.x, big(theirs.R8[0]));
        const A = getPublicKey(k);
        assert.ok(
          ref.verifyPoseidon(ref.F.e(m), { R8: [ref.F.e(sig.R8.x), ref.F.e(sig.R8.y)], S: sig.S }, [
            ref.F.e(A.x),
            ref.F.e(A.y),
          ]),
        );
      }
  });
  it('circomlibjs signatures verify here; tampered ones do not', () => {
    for (const k of keys.slice(0, 3)) {
      const A = getPublicKey(k);
      const m = 777n;
      const t = ref.signPoseidon(k, ref.F.e(m));
      const sig: Signature = { R8: { x: big(t.R8[0]), y: big(t.R8[1]) }, S: t.S };
      assert.ok(verify(m, sig, A));
      assert.equal(verify(m + 1n, sig, A), false);
      assert.equal(verify(m, { ...sig, S: sig.S + 1n }, A), false);
      assert.equal(verify(m, sig, getPublicKey(keys[5]!)), false);
    }
  });
  it('signature and point packing match circomlibjs', () => {
    const k = keys[0]!;
    const sig = sign(k, 42n);
    const theirs = ref.signPoseidon(k, ref.F.e(42n));
    assert.deepEqual(encodeSignature(sig), new Uint8Array(ref.packSignature(theirs)));
    assert.deepEqual(decodeSignature(encodeSignature(sig)), sig);
    const A = getPublicKey(k);
    assert.deepEqual(packPoint(A), new Uint8Array(ref.babyJub.packPoint(ref.prv2pub(k))));
    assert.deepEqual(unpackPoint(packPoint(A)), A);
  });
  it('rejects S >= l, off-curve points and malformed bytes', () => {
    const k = keys[1]!;
    const sig = sign(k, 5n);
    const A = getPublicKey(k);
    const l = Point.Fn.ORDER;
    assert.equal(verify(5n, { ...sig, S: sig.S + l }, A), false);
    assert.equal(verify(5n, { ...sig, R8: { x: 1n, y: 1n } }, A), false);
    assert.equal(verify(5n, sig, { x: 0n, y: 1n }), false, 'identity key');
    const bytes = encodeSignature(sig);
    bytes[63] = 0xff; // S above l
    assert.equal(decodeSignature(bytes), undefined);
    assert.equal(decodeSignature(new Uint8Array(10)), undefined);
  });
  it('batch verification accepts valid sets and rejects any bad member, including small-order R8', () => {
    const items = keys.flatMap((k, i) =>
      msgs.map((m) => ({ msg: m + BigInt(i), sig: sign(k, m + BigInt(i)), A: getPublicKey(k) })),
    );
    assert.ok(verifyBatch(items, rnd));
    const wrongMsg = items.slice();
    wrongMsg[7] = { ...wrongMsg[7]!, msg: 1n + wrongMsg[7]!.msg };
    assert.equal(verifyBatch(wrongMsg, rnd), false);
    // R8 + T with T of order 2 fails singly (the circuit's equation is cofactorless) so it must fail in a batch.
    const T2 = Point.fromAffine({ x: 0n, y: Point.Fp.ORDER - 1n });
    const torsion = items.slice();
    for (const i of [2, 9]) {
      const it0 = torsion[i]!;
      torsion[i] = { ...it0, sig: { ...it0.sig, R8: Point.fromAffine(it0.sig.R8).add(T2).toAffine() } };
      assert.equal(verify(torsion[i]!.msg, torsion[i]!.sig, torsion[i]!.A), false);
    }
    assert.equal(verifyBatch(torsion, rnd), false);
  });
});

describe('batch unpacking equals unpackPoint', () => {
  const encodings: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) encodings.push(packPoint(Point.BASE.multiply(BigInt(i) * 7919n + 1n).toAffine()));
  const le = (v: bigint, top = 0): Uint8Array => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
    out[31]! |= top;
    return out;
  };
  const P = Point.Fp.ORDER;
  const rejections: [string, Uint8Array][] = [
    ['y = p', le(P)],
    ['y = p + 1 (non-canonical 1)', le(P + 1n)],
    ['y = 2^255 − 1', new Uint8Array(32).fill(0xff).map((b, i) => (i === 31 ? 0x7f : b))],
    ['identity with the sign bit (x = 0 has no negative)', le(1n, 0x80)],
    ['order-2 point with the sign bit', le(P - 1n, 0x80)],
    ['31 bytes', new Uint8Array(31)],
    ['33 bytes', new Uint8Array(33)],
    ['empty', new Uint8Array(0)],
  ];
  for (const c of cases()) if (!c.decodes && c.kind !== 'S ≥ l') rejections.push([c.kind, c.wire.subarray(0, 32)]);
  const accepted: [string, Uint8Array][] = [
    ['identity', le(1n)],
    ['order-2 point', le(P - 1n)],
    ['y = 0 (order 4), both signs', le(0n)],
    ['y = 0, sign bit', le(0n, 0x80)],
  ];
  it('random points: same as single unpackPoint, in batches of 1, 7 and 300', () => {
    for (const size of [1, 7, 300]) {
      const list = encodings.slice(0, size);
      assert.deepEqual(unpackPoints(list), list.map(unpackPoint));
    }
  });
  for (const [name, bytes] of [...rejections, ...accepted])
    it(`${name}: same as single unpackPoint, alone and among valid points`, () => {
      const single = unpackPoint(bytes);
      if (rejections.some(([n]) => n === name)) assert.equal(single, undefined);
      else assert.notEqual(single, undefined);
      assert.deepEqual(unpackPoints([bytes]), [single]);
      const mixed = [encodings[0]!, bytes, encodings[1]!, bytes, encodings[2]!];
      assert.deepEqual(unpackPoints(mixed), mixed.map(unpackPoint));
    });
  it('decodeSignatures equals decodeSignature on every case', () => {
    const wires = [...cases().map((c) => c.wire), new Uint8Array(63), encodeSignature(sign(keys[0]!, 1n))];
    assert.deepEqual(decodeSignatures(wires), wires.map(decodeSignature));
  });
});

describe('batch verification equals single verify', () => {
  const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
  const all = cases();
  it('the bad cases are what single verify says they are', () => {
    for (const c of all) assert.equal(verify(c.item.msg, c.item.sig, c.item.A), c.valid, c.kind);
  });
  it('challengeHashes equals Poseidon(R8, A, M) per item', () => {
    const items = validItems(5);
    assert.deepEqual(
      challengeHashes(items),
      items.map(({ msg, sig, A }) => poseidon([sig.R8.x, sig.R8.y, A.x, A.y, msg])),
    );
  });
  for (const size of [2, 3, 16, 100, BATCH]) {
    const items = validItems(size);
    it(`batch of ${size}: valid accepted; each bad kind, at a place that varies by kind, gives single verify's answer`, () => {
      assert.ok(items.every((it) => verify(it.msg, it.sig, it.A)));
      assert.equal(verifyBatch(items, rnd), true);
      // The large batch checks a few kinds (each costs a full batch); the small ones check them all.
      const kinds = size === BATCH ? all.filter((_, i) => i % 4 === 0) : all;
      for (const c of kinds) {
        const bad = items.slice();
        bad[(c.kind.length * 31) % size] = c.item;
        assert.equal(verifyBatch(bad, rnd), c.valid, `${c.kind} in a batch of ${size}`);
      }
    });
  }
  it('a batch of small-order-component keys that were signed for is accepted', () => {
    const ok = all.filter((c) => c.valid).map((c) => c.item);
    assert.equal(ok.length, 3);
    assert.equal(verifyBatch([...ok, ...validItems(3)], rnd), true);
  });
});

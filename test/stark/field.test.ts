import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  GENERATOR,
  P,
  add,
  batchInverse,
  evaluatePoly,
  ext,
  extInv,
  extMul,
  extPow,
  intt,
  interpolateCoset,
  inv,
  lowDegreeExtend,
  mul,
  ntt,
  pow,
  rootOfUnity,
  sub,
} from '../../src/stark/index.ts';

const BP = BigInt(P);
const element = fc.integer({ min: 0, max: P - 1 });

describe('BabyBear field', () => {
  test('p = 15·2^27 + 1 and 31 generates the multiplicative group', () => {
    assert.equal(P, 15 * 2 ** 27 + 1);
    // 31 is a generator iff 31^((p-1)/q) ≠ 1 for each prime q | p-1 = 2^27·3·5.
    for (const q of [2, 3, 5]) assert.notEqual(pow(GENERATOR, (P - 1) / q), 1);
  });

  test('mul, add, sub agree with BigInt arithmetic', () => {
    fc.assert(
      fc.property(element, element, (a, b) => {
        assert.equal(mul(a, b), Number((BigInt(a) * BigInt(b)) % BP));
        assert.equal(add(a, b), Number((BigInt(a) + BigInt(b)) % BP));
        assert.equal(sub(a, b), Number((((BigInt(a) - BigInt(b)) % BP) + BP) % BP));
      }),
      { numRuns: 2000 },
    );
  });

  test('mul is exact at the extremes', () => {
    for (const a of [0, 1, 2, P - 1, P - 2, 2 ** 30, 65535, 65536, P >>> 1]) {
      for (const b of [0, 1, P - 1, P - 2, 2 ** 30, 65535, 65536, 0x7fff_ffff % P]) {
        assert.equal(mul(a, b), Number((BigInt(a) * BigInt(b)) % BP), `${a}·${b}`);
      }
    }
  });

  test('inverses and batch inverses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: P - 1 }), (a) => {
        assert.equal(mul(a, inv(a)), 1);
      }),
      { numRuns: 200 },
    );
    const values = Uint32Array.from([1, 2, 3, P - 1, 123456789]);
    const inverted = batchInverse(Uint32Array.from(values));
    values.forEach((v, i) => assert.equal(mul(v, inverted[i]!), 1));
    assert.throws(() => inv(0), { name: 'StarkError', code: 'INVALID_ARGUMENT' });
  });

  test('roots of unity have exact order', () => {
    for (const log of [1, 5, 16, 27]) {
      const w = rootOfUnity(log);
      assert.equal(pow(w, 2 ** log), 1);
      assert.notEqual(pow(w, 2 ** (log - 1)), 1);
    }
    assert.throws(() => rootOfUnity(28), { code: 'INVALID_ARGUMENT' });
  });
});

describe('quartic extension F_p[X]/(X^4 − 11)', () => {
  const extElement = fc.tuple(element, element, element, element);

  test('multiplication matches schoolbook reduction with X^4 = 11', () => {
    fc.assert(
      fc.property(extElement, extElement, (a, b) => {
        const c = [0n, 0n, 0n, 0n, 0n, 0n, 0n];
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) c[i + j]! += BigInt(a[i]) * BigInt(b[j]);
        const expected = [0, 1, 2, 3].map((k) => Number((c[k]! + 11n * (c[k + 4] ?? 0n)) % BP));
        assert.deepEqual([...extMul(a, b)], expected);
      }),
      { numRuns: 500 },
    );
  });

  test('inverse and Frobenius order', () => {
    const a = ext(5, 7, 11, 13);
    assert.deepEqual(extMul(a, extInv(a)), [1, 0, 0, 0]);
    // Every non-zero element has order dividing p^4 − 1.
    assert.deepEqual(extPow(a, BP ** 4n - 1n), [1, 0, 0, 0]);
    assert.throws(() => extInv([0, 0, 0, 0]), { code: 'INVALID_ARGUMENT' });
  });
});

describe('NTT and low-degree extension', () => {
  test('ntt matches the naive DFT and intt inverts it', () => {
    for (const log of [0, 1, 3, 6]) {
      const n = 1 << log;
      const coeffs = Uint32Array.from({ length: n }, (_, i) => (i * 1234567 + 89) % P);
      const evals = ntt(Uint32Array.from(coeffs));
      const w = rootOfUnity(log);
      for (let i = 0; i < n; i++) assert.equal(evals[i], evaluatePoly(coeffs, pow(w, i)));
      assert.deepEqual(intt(evals), coeffs);
    }
  });

  test('LDE evaluates the interpolant on the shifted coset', () => {
    const n = 16;
    const values = Uint32Array.from({ length: n }, (_, i) => (i * i * 7 + 3) % P);
    const coeffs = intt(Uint32Array.from(values));
    const lde = lowDegreeExtend(values, 4, GENERATOR);
    const wN = rootOfUnity(6);
    for (let i = 0; i < 64; i += 7) assert.equal(lde[i], evaluatePoly(coeffs, mul(GENERATOR, pow(wN, i))));
    const back = interpolateCoset(lde, GENERATOR);
    assert.deepEqual(back.subarray(0, n), coeffs);
    assert.ok(
      back.subarray(n).every((c) => c === 0),
      'LDE of a degree < n polynomial has no higher coefficients',
    );
  });

  test('rejects sizes that are not powers of two', () => {
    assert.throws(() => ntt(new Uint32Array(3)), { code: 'INVALID_ARGUMENT' });
  });
});

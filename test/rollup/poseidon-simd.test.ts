// The two-lane SIMD Poseidon (`poseidonMany`) against the scalar kernel and circomlibjs, and the two-lane Montgomery
// functions against BigInt at the edges of their lazy-reduction bounds (inputs up to 2q − 1, limbs at 2^29 − 1).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { buildPoseidon } from 'circomlibjs';
import { FIELD_MODULUS as P, RollupError, poseidon } from '../../src/rollup/index.ts';
import { poseidonMany } from '../../src/rollup/crypto/poseidon.ts';
import { poseidonKernelX2 } from '../../src/rollup/crypto/wasm/poseidon-kernel-x2.ts';
import { buildModule, instantiate } from '../../src/rollup/crypto/wasm/emit.ts';
import { MONT_R, WORDS_BYTES, limbsOf } from '../../src/rollup/crypto/wasm/montgomery.ts';
import {
  MAX_DOT,
  PAIR_BYTES,
  addX2Body,
  dotX2Body,
  fromWordsX2Body,
  reduceX2Body,
  toWordsX2Body,
} from '../../src/rollup/crypto/wasm/montgomery-x2.ts';
import { elements } from './field-elements.ts';

type CircomPoseidon = Awaited<ReturnType<typeof buildPoseidon>>;
let ref: CircomPoseidon;
const refHash = (inputs: readonly bigint[]): bigint => BigInt(ref.F.toString(ref([...inputs])));

/** Field elements whose 29-bit limbs are all 2^29 − 1 below the top limb, and the usual edges. */
const EDGES = [0n, 1n, 2n, P - 1n, P - 2n, (P - 1n) / 2n, (1n << 232n) - 1n, (1n << 253n) - 1n, 1n << 253n];
const isRollupParamError = (e: unknown): boolean => e instanceof RollupError && e.code === 'INVALID_PARAMETER';

describe('poseidonMany (two-lane SIMD kernel)', () => {
  before(async () => {
    ref = await buildPoseidon();
  });

  for (let n = 1; n <= 6; n++) {
    it(`Poseidon(${n}): random batch equals the scalar kernel and circomlibjs`, () => {
      const gen = elements(BigInt(n) * 0x9e3779b97f4a7c15n + 3n);
      const inputs = Array.from({ length: 41 }, () => Array.from({ length: n }, () => gen.next().value as bigint));
      const got = poseidonMany(inputs);
      assert.equal(got.length, inputs.length);
      for (const [i, input] of inputs.entries()) {
        assert.equal(got[i], poseidon(input), `input ${i} against the scalar kernel`);
        if (i < 8) assert.equal(got[i], refHash(input), `input ${i} against circomlibjs`);
      }
    });
    it(`Poseidon(${n}): edge values in both lanes`, () => {
      const inputs: bigint[][] = [];
      for (const a of EDGES) for (const b of EDGES) inputs.push(Array.from({ length: n }, (_, k) => (k % 2 ? a : b)));
      inputs.push(new Array<bigint>(n).fill(P - 1n), new Array<bigint>(n).fill(0n));
      const got = poseidonMany(inputs);
      for (const [i, input] of inputs.entries()) assert.equal(got[i], poseidon(input), `input ${input.join(',')}`);
      assert.equal(got[got.length - 2], refHash(new Array<bigint>(n).fill(P - 1n)));
      assert.equal(got[got.length - 1], refHash(new Array<bigint>(n).fill(0n)));
    });
  }

  it('odd and even counts, single input and the empty list', () => {
    const gen = elements(77n);
    const all = Array.from({ length: 9 }, () => [gen.next().value as bigint, gen.next().value as bigint]);
    const expected = all.map((x) => poseidon(x));
    for (let count = 0; count <= all.length; count++)
      assert.deepEqual(poseidonMany(all.slice(0, count)), expected.slice(0, count), `count ${count}`);
    assert.deepEqual(poseidonMany([]), []);
  });

  it('wide inputs (Poseidon(6..16)) fall back to the scalar kernel', () => {
    const gen = elements(99n);
    for (const n of [6, 11, 16]) {
      const inputs = Array.from({ length: 3 }, () => Array.from({ length: n }, () => gen.next().value as bigint));
      assert.deepEqual(
        poseidonMany(inputs),
        inputs.map((x) => refHash(x)),
      );
    }
  });

  it('the two lanes are independent', () => {
    for (let t = 2; t <= 6; t++) {
      const k = poseidonKernelX2(t);
      const gen = elements(BigInt(t) + 1000n);
      const a = Array.from({ length: t - 1 }, () => gen.next().value as bigint);
      const b1 = Array.from({ length: t - 1 }, () => gen.next().value as bigint);
      const b2 = b1.map((x, i) => (i === 0 ? (x + 1n) % P : x));
      const [a1, hb1] = k.hashPair(a, b1);
      const [a2, hb2] = k.hashPair(a, b2);
      assert.equal(a1, a2, `t = ${t}: lane A changed when only lane B did`);
      assert.notEqual(hb1, hb2);
      assert.equal(a1, poseidon(a));
      assert.equal(hb2, poseidon(b2));
      // And the other way round: lane B unaffected by lane A.
      const [, hb3] = k.hashPair(b2, b1);
      assert.equal(hb3, hb1);
    }
  });

  it('refuses out-of-range, wrong-length and badly sized batches with the same error as poseidon', () => {
    const bad: bigint[][][] = [
      [[P]],
      [[1n], [-1n]],
      [[1n, 2n], [3n]],
      [[]],
      [new Array<bigint>(17).fill(1n)],
      [
        [1n, 2n],
        [P, 0n],
      ],
    ];
    for (const batch of bad)
      assert.throws(
        () => poseidonMany(batch),
        isRollupParamError,
        JSON.stringify(batch, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
      );
    for (const single of [[P], [-1n], [], new Array<bigint>(17).fill(1n)])
      assert.throws(() => poseidon(single), isRollupParamError);
  });
});

/**
 * A test harness module over the two-lane bodies: dot_1..dot_6, add, reduce, fromWords, toWords (indices 0..9), so
 * each function is checked against BigInt at its documented bounds.
 */
describe('two-lane Montgomery functions (wasm SIMD) at their bounds', () => {
  const bodies = [
    ...Array.from({ length: MAX_DOT }, (_, k) => dotX2Body(P, k + 1)),
    addX2Body(P),
    reduceX2Body(P),
    fromWordsX2Body(),
    toWordsX2Body(),
  ];
  const names = new Map<number, string>(bodies.map((_, i) => [i, `f${i}`]));
  const { memory, fn } = instantiate(buildModule(bodies, names, 1));
  const u32 = new Uint32Array(memory.buffer);
  const words = new BigUint64Array(memory.buffer);
  const dot = (n: number): ((...a: number[]) => void) => fn(`f${n - 1}`);
  const [add, reduce, fromWords, toWords] = [6, 7, 8, 9].map((i) => fn(`f${i}`)) as [
    (...a: number[]) => void,
    (...a: number[]) => void,
    (...a: number[]) => void,
    (...a: number[]) => void,
  ];
  const pair = (i: number): number => 4096 + i * PAIR_BYTES;
  const put = (at: number, a: bigint, b: bigint): void => {
    const la = limbsOf(a);
    const lb = limbsOf(b);
    for (let j = 0; j < 9; j++) {
      u32[at / 4 + 2 * j] = Number(la[j]!);
      u32[at / 4 + 2 * j + 1] = Number(lb[j]!);
    }
  };
  const get = (at: number): [bigint, bigint] => {
    let a = 0n;
    let b = 0n;
    for (let j = 8; j >= 0; j--) {
      const la = u32[at / 4 + 2 * j]!;
      const lb = u32[at / 4 + 2 * j + 1]!;
      assert.ok(la < 2 ** 29 && lb < 2 ** 29, 'limbs stay below 2^29');
      a = (a << 29n) | BigInt(la);
      b = (b << 29n) | BigInt(lb);
    }
    return [a, b];
  };
  const rInv = (() => {
    // R^-1 mod P by Fermat.
    let r = 1n;
    let x = MONT_R % P;
    for (let e = P - 2n; e > 0n; e >>= 1n) {
      if (e & 1n) r = (r * x) % P;
      x = (x * x) % P;
    }
    return r;
  })();
  // Lazy values: anything below 2q, including the largest one and values whose limbs are all 2^29 − 1.
  const LAZY = [0n, 1n, P - 1n, P, P + 1n, 2n * P - 1n, (1n << 254n) - 1n, (1n << 232n) - 1n, (1n << 253n) - 1n];

  it('dot of 1..6 products: Σ a·b / R mod q, below 2q, at the largest inputs and on random ones', () => {
    const gen = elements(5n);
    for (let n = 1; n <= MAX_DOT; n++) {
      const cases: [bigint[], bigint[]][] = [];
      for (const v of LAZY) cases.push([new Array<bigint>(n).fill(v), new Array<bigint>(n).fill(2n * P - 1n - v)]);
      cases.push([new Array<bigint>(n).fill(2n * P - 1n), new Array<bigint>(n).fill(2n * P - 1n)]);
      for (let r = 0; r < 20; r++)
        cases.push([
          Array.from({ length: n }, () => (gen.next().value as bigint) * 2n),
          Array.from({ length: n }, () => (gen.next().value as bigint) + P),
        ]);
      for (const [as, bs] of cases) {
        // Lane A gets the case, lane B the same pairs reversed, so the lanes carry different values.
        for (let k = 0; k < n; k++) {
          put(pair(2 * k), as[k]!, bs[n - 1 - k]!);
          put(pair(2 * k + 1), bs[k]!, as[n - 1 - k]!);
        }
        const args = Array.from({ length: 2 * n }, (_, i) => pair(i));
        dot(n)(pair(20), ...args);
        const [ra, rb] = get(pair(20));
        const sum = (x: bigint[], y: bigint[]): bigint => x.reduce((acc, xk, k) => acc + xk * y[k]!, 0n);
        const expA = (sum(as, bs) * rInv) % P;
        const expB = (sum([...bs].reverse(), [...as].reverse()) * rInv) % P;
        assert.ok(ra < 2n * P && rb < 2n * P, 'result below 2q');
        assert.equal(ra % P, expA, `dot(${n}) lane A`);
        assert.equal(rb % P, expB, `dot(${n}) lane B`);
      }
    }
  });

  it('dot may write over one of its inputs', () => {
    put(pair(0), 2n * P - 1n, 12345n);
    put(pair(1), (1n << 254n) - 1n, P + 7n);
    dot(1)(pair(0), pair(0), pair(1));
    const [ra, rb] = get(pair(0));
    assert.equal(ra % P, ((2n * P - 1n) * ((1n << 254n) - 1n) * rInv) % P);
    assert.equal(rb % P, (12345n * (P + 7n) * rInv) % P);
  });

  it('add: a + b mod q, below 2q; reduce: canonical', () => {
    for (const a of LAZY)
      for (const b of LAZY) {
        put(pair(0), a, b);
        put(pair(1), b, 2n * P - 1n);
        add(pair(2), pair(0), pair(1));
        const [sa, sb] = get(pair(2));
        assert.ok(sa < 2n * P && sb < 2n * P, 'sum below 2q');
        assert.equal(sa % P, (a + b) % P);
        assert.equal(sb % P, (b + 2n * P - 1n) % P);
        reduce(pair(3), pair(2));
        assert.deepEqual(get(pair(3)), [(a + b) % P, (b + 2n * P - 1n) % P]);
      }
  });

  it('fromWords / toWords move two 32-byte integers in and out of a pair', () => {
    const io = (i: number): number => 8192 + i * WORDS_BYTES;
    const write = (at: number, v: bigint): void => {
      for (let k = 0; k < 5; k++) words[at / 8 + k] = BigInt.asUintN(64, v >> BigInt(64 * k));
    };
    const read = (at: number): bigint => {
      let v = 0n;
      for (let k = 3; k >= 0; k--) v = (v << 64n) | words[at / 8 + k]!;
      return v;
    };
    for (const [a, b] of [
      [0n, P - 1n],
      [(1n << 253n) - 1n, 1n],
      [(1n << 255n) - 19n, 123456789n],
    ] as const) {
      write(io(0), a);
      write(io(1), b);
      fromWords(pair(0), io(0), io(1));
      assert.deepEqual(get(pair(0)), [a, b]);
      toWords(io(3), io(2), pair(0));
      assert.equal(read(io(3)), a);
      assert.equal(read(io(2)), b);
    }
  });
});

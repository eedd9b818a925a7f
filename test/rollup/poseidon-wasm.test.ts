// The WebAssembly Poseidon kernel against the BigInt reference (same function) on thousands of random inputs, and
// the Montgomery field kernel against BigInt arithmetic. circomlibjs agreement of `poseidon` is in poseidon.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_MODULUS as P, poseidon, poseidonPermute } from '../../src/rollup/index.ts';
import { poseidonPermuteReference, poseidonReference } from '../../src/rollup/crypto/poseidon.ts';
import { FieldKernel } from '../../src/rollup/crypto/wasm/montgomery.ts';
import { elements } from './field-elements.ts';

const EDGES = [0n, 1n, 2n, P - 1n, P - 2n, (P - 1n) / 2n, (P + 1n) / 2n, (1n << 253n) - 1n, 1n << 253n];

describe('Montgomery field kernel (wasm) against BigInt', () => {
  const k = new FieldKernel(P);
  it('mul and add agree on edge values', () => {
    for (const a of EDGES)
      for (const b of EDGES) {
        assert.equal(k.mul(a, b), (a * b) % P, `mul ${a} ${b}`);
        assert.equal(k.add(a, b), (a + b) % P, `add ${a} ${b}`);
      }
  });
  it('mul and add agree on 20,000 random pairs', () => {
    const gen = elements(0x1234567890abcdefn);
    for (let i = 0; i < 20_000; i++) {
      const a: bigint = gen.next().value;
      const b: bigint = gen.next().value;
      assert.equal(k.mul(a, b), (a * b) % P);
      assert.equal(k.add(a, b), (a + b) % P);
    }
  });
  it('refuses a modulus the no-carry shortcut does not cover', () => {
    assert.throws(() => new FieldKernel((1n << 255n) + 95n), RangeError);
    assert.throws(() => new FieldKernel(1n << 200n), RangeError);
  });
});

describe('Poseidon wasm kernel against the BigInt reference', () => {
  for (let n = 1; n <= 5; n++) {
    it(`Poseidon(${n}): 1,000 random inputs and the edge values`, () => {
      const gen = elements(BigInt(n) * 0x9e3779b97f4a7c15n + 7n);
      for (const e of EDGES) {
        const inputs = new Array<bigint>(n).fill(e);
        assert.equal(poseidon(inputs), poseidonReference(inputs), `edge ${e}`);
      }
      for (let i = 0; i < 1000; i++) {
        const inputs = Array.from({ length: n }, () => gen.next().value);
        assert.equal(poseidon(inputs), poseidonReference(inputs), `inputs ${inputs.join(',')}`);
      }
    });
  }
  it('Poseidon(6..16): 10 random inputs each', () => {
    const gen = elements(0xfeedn);
    for (let n = 6; n <= 16; n++)
      for (let i = 0; i < 10; i++) {
        const inputs = Array.from({ length: n }, () => gen.next().value);
        assert.equal(poseidon(inputs), poseidonReference(inputs), `n=${n} inputs ${inputs.join(',')}`);
      }
  });
  it('the full permutation state matches, including a non-zero capacity element', () => {
    const gen = elements(0xabcn);
    for (let t = 2; t <= 6; t++)
      for (let i = 0; i < 200; i++) {
        const state = Array.from({ length: t }, () => gen.next().value);
        assert.deepEqual(poseidonPermute(state), poseidonPermuteReference(state));
      }
  });
});

describe('Montgomery field kernel: pow and sqrt', () => {
  const k = new FieldKernel(P);
  const powRef = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    for (let x = b % P, n = e; n > 0n; n >>= 1n, x = (x * x) % P) if (n & 1n) r = (r * x) % P;
    return r;
  };
  it('pow matches BigInt exponentiation (inverses included)', () => {
    const gen = elements(0x77n);
    for (let i = 0; i < 200; i++) {
      const b = gen.next().value as bigint;
      const e = gen.next().value as bigint;
      assert.equal(k.pow(b, e), powRef(b, e));
      if (b !== 0n) assert.equal((k.pow(b, P - 2n) * b) % P, 1n);
    }
    assert.equal(k.pow(5n, 0n), 1n);
  });
  it('sqrt returns a root of every square and undefined for non-squares', () => {
    const gen = elements(0x99n);
    let squares = 0;
    for (let i = 0; i < 400; i++) {
      const x = gen.next().value as bigint;
      const isSquare = x === 0n || powRef(x, (P - 1n) / 2n) === 1n;
      const r = k.sqrt(x);
      if (isSquare) {
        squares++;
        assert.notEqual(r, undefined);
        assert.equal((r! * r!) % P, x);
      } else assert.equal(r, undefined);
      const sq = (x * x) % P;
      const root = k.sqrt(sq);
      assert.ok(root === x || root === (P - x) % P, `sqrt(${x}²)`);
    }
    assert.ok(squares > 100 && squares < 300);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FibonacciAir, P, fibonacciTrace, parseProof, prove, serializeProof, verify } from '../../src/stark/index.ts';

/** F(k) mod p with F(0) = 0, F(1) = 1, by BigInt. */
function fib(k: number): number {
  let a = 0n;
  let b = 1n;
  for (let i = 0; i < k; i++) [a, b] = [b, (a + b) % BigInt(P)];
  return Number(a);
}

describe('Fibonacci AIR: known answers', () => {
  // Starting from (a0, b0) = (F0, F1) = (0, 1), column b at row i is F(i+1): the last row holds F(n).
  for (const [n, expected] of [
    [8, 21],
    [16, 987],
    [64, fib(64)],
    [1024, fib(1024)],
  ] as const) {
    test(`n = ${n}: b[n−1] = F(${n}) = ${expected}, proven and verified`, () => {
      const { trace, result } = fibonacciTrace(n, 0, 1);
      assert.equal(result, expected);
      const air = new FibonacciAir(n, { a0: 0, b0: 1, result });
      const proof = prove(air, trace);
      const { securityBits } = verify(air, proof);
      assert.ok(securityBits >= 100, `default security ${securityBits} ≥ 100`);
    });
  }

  test('proofs are deterministic and re-serialise byte for byte', () => {
    const { trace, result } = fibonacciTrace(32, 2, 3);
    const air = new FibonacciAir(32, { a0: 2, b0: 3, result });
    const a = prove(air, trace);
    const b = prove(air, trace);
    assert.deepEqual(a, b);
    assert.deepEqual(serializeProof(parseProof(a)), a);
  });
});

describe('completeness: random valid traces prove and verify', () => {
  for (let run = 0; run < 4; run++) {
    test(`random start #${run}`, () => {
      const n = 2 ** (2 + Math.floor(Math.random() * 8)); // 4 … 512
      const a0 = Math.floor(Math.random() * P);
      const b0 = Math.floor(Math.random() * P);
      const { trace, result } = fibonacciTrace(n, a0, b0);
      const air = new FibonacciAir(n, { a0, b0, result });
      assert.ok(verify(air, prove(air, trace)).securityBits >= 100, `n = ${n}, start (${a0}, ${b0})`);
    });
  }
});

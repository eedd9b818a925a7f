import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FibonacciAir,
  StarkError,
  fibonacciTrace,
  paramsForSecurity,
  parseProof,
  prove,
  verify,
} from '../../src/stark/index.ts';

function flipped(proof: Uint8Array, index: number, mask: number): Uint8Array {
  const bad = proof.slice();
  bad[index]! ^= mask;
  return bad;
}

function rejects(fn: () => unknown): StarkError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StarkError, `expected a StarkError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the verifier to reject');
}

describe('soundness: invalid traces', () => {
  const n = 32;
  const { trace, result } = fibonacciTrace(n, 1, 1);

  test('the prover refuses a trace that breaks a transition', () => {
    const broken = { ...trace, columns: trace.columns.map((c) => c.slice()) };
    broken.columns[1]![9] = (broken.columns[1]![9]! + 1) % 2013265921;
    const air = new FibonacciAir(n, { a0: 1, b0: 1, result });
    assert.throws(
      () => prove(air, broken),
      (e: unknown) => e instanceof StarkError && e.code === 'INVALID_TRACE',
    );
  });

  test('a proof forged from an invalid trace (prover checks skipped) is rejected', () => {
    for (const row of [0, 9, n - 2, n - 1]) {
      const broken = { ...trace, columns: trace.columns.map((c) => c.slice()) };
      broken.columns[0]![row] = (broken.columns[0]![row]! + 12345) % 2013265921;
      const air = new FibonacciAir(n, { a0: row === 0 ? broken.columns[0]![0]! : 1, b0: 1, result });
      const forged = prove(air, broken, { unsafeSkipTraceCheck: true });
      assert.equal(rejects(() => verify(air, forged)).code, 'VERIFICATION_FAILED', `row ${row}`);
    }
  });

  test('a false claimed result cannot be proven, and a forged proof of it is rejected', () => {
    const air = new FibonacciAir(n, { a0: 1, b0: 1, result: (result + 1) % 2013265921 });
    assert.throws(() => prove(air, trace), { code: 'INVALID_TRACE' });
    const forged = prove(air, trace, { unsafeSkipTraceCheck: true });
    assert.equal(rejects(() => verify(air, forged)).code, 'VERIFICATION_FAILED');
  });
});

describe('soundness: tampered proofs and wrong public inputs', () => {
  const n = 8;
  const { trace, result } = fibonacciTrace(n, 3, 5);
  const air = new FibonacciAir(n, { a0: 3, b0: 5, result });

  test('every flipped byte of a small proof is rejected', () => {
    // Low parameters keep the proof small enough to flip every one of its bytes in a test.
    const params = { blowupLog: 2, numQueries: 2, grindingBits: 4 };
    const proof = prove(air, trace, { params });
    assert.ok(verify(air, proof, { minSecurityBits: 0 }).securityBits > 0);
    const codes = new Map<string, number>();
    for (let i = 0; i < proof.length; i++) {
      const e = rejects(() => verify(air, flipped(proof, i, 1 << (i % 8)), { minSecurityBits: 0 }));
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    }
    assert.ok((codes.get('VERIFICATION_FAILED') ?? 0) > proof.length / 2, JSON.stringify([...codes]));
  });

  test('a random sample of flipped bytes in a default-security proof is rejected', () => {
    const proof = prove(air, trace);
    for (let k = 0; k < 300; k++) {
      const i = Math.floor(Math.random() * proof.length);
      rejects(() => verify(air, flipped(proof, i, 1 + Math.floor(Math.random() * 255))));
    }
  });

  test('truncated or extended proofs are malformed', () => {
    const proof = prove(air, trace);
    assert.equal(rejects(() => verify(air, proof.subarray(0, proof.length - 1))).code, 'MALFORMED_PROOF');
    assert.equal(rejects(() => verify(air, new Uint8Array([...proof, 0]))).code, 'MALFORMED_PROOF');
    assert.equal(rejects(() => verify(air, new Uint8Array(0))).code, 'MALFORMED_PROOF');
    const versioned = proof.slice();
    versioned[4] = 2;
    assert.equal(rejects(() => verify(air, versioned)).code, 'UNSUPPORTED_VERSION');
  });

  test('wrong public inputs are rejected', () => {
    const proof = prove(air, trace);
    for (const inputs of [
      { a0: 3, b0: 5, result: (result + 1) % 2013265921 },
      { a0: 4, b0: 5, result },
      { a0: 3, b0: 6, result },
    ]) {
      assert.equal(rejects(() => verify(new FibonacciAir(n, inputs), proof)).code, 'VERIFICATION_FAILED');
    }
    assert.equal(
      rejects(() => verify(new FibonacciAir(2 * n, { a0: 3, b0: 5, result }), proof)).code,
      'PARAMETER_MISMATCH',
    );
  });

  test('a proof made at lower security is rejected by a verifier that demands more', () => {
    const params = paramsForSecurity(80, air.degree, n);
    const proof = prove(air, trace, { params });
    const parsed = parseProof(proof);
    assert.equal(parsed.params.numQueries, params.numQueries);
    const reported = verify(air, proof, { minSecurityBits: 80 }).securityBits;
    assert.ok(reported >= 80 && reported < 100, `reported ${reported}`);
    assert.equal(rejects(() => verify(air, proof)).code, 'INSUFFICIENT_SECURITY');
    assert.equal(rejects(() => verify(air, proof, { minSecurityBits: reported + 1 })).code, 'INSUFFICIENT_SECURITY');
    // The security level is computed from the proof's own parameters.
    const strong = prove(air, trace, { securityBits: 110 });
    assert.ok(verify(air, strong, { minSecurityBits: 110 }).securityBits >= 110);
  });
});

describe('bad input gets typed errors', () => {
  test('malformed traces and parameters are rejected before proving', () => {
    const { trace, result } = fibonacciTrace(16, 1, 1);
    const air = new FibonacciAir(16, { a0: 1, b0: 1, result });
    assert.throws(() => prove(air, { ...trace, length: 8 }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => prove(air, { ...trace, columns: [trace.columns[0]!] }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => prove(new FibonacciAir(12, { a0: 1, b0: 1, result }), trace), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => new FibonacciAir(16, { a0: 2013265921, b0: 1, result }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => prove(air, trace, { params: { blowupLog: 0, numQueries: 4, grindingBits: 0 } }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => prove(air, trace, { params: { blowupLog: 3, numQueries: 256, grindingBits: 0 } }), {
      code: 'INVALID_ARGUMENT',
    });
    const nonCanonical = { ...trace, columns: [trace.columns[0]!.slice(), trace.columns[1]!] };
    nonCanonical.columns[0]![3] = 2013265921;
    assert.throws(() => prove(air, nonCanonical), { code: 'INVALID_TRACE' });
  });
});

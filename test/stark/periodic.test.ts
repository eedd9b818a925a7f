import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Air,
  type Algebra,
  type BoundaryConstraint,
  P,
  add,
  baseAlgebra,
  mul,
  prove,
  verify,
} from '../../src/stark/index.ts';

const ROUND_CONSTANTS = Uint32Array.from([3, 141, 59, 2653]);
const SELECTOR = Uint32Array.from([1, 1, 1, 1, 1, 1, 1, 0]); // 0 every 8th row: a "reset" row

/**
 * A cubic "round function" AIR with two periodic columns: x' = x^3 + k(i) on rows where s(i) = 1,
 * and x' = x0 (a public restart value) where s(i) = 0. Exercises periodic columns of two periods,
 * degree 4 (selector × cube) and a row constraint.
 */
class CubicRoundsAir implements Air {
  readonly name = 'test/cubic-rounds';
  readonly traceWidth = 2;
  readonly degree = 4;
  readonly numRowConstraints = 1;
  readonly numTransitionConstraints = 1;
  constructor(
    readonly traceLength: number,
    readonly x0: number,
    readonly last: number,
  ) {}
  periodicColumns(): readonly Uint32Array[] {
    return [ROUND_CONSTANTS, SELECTOR];
  }
  boundaryConstraints(): readonly BoundaryConstraint[] {
    return [
      { column: 0, row: 0, value: this.x0 },
      { column: 0, row: this.traceLength - 1, value: this.last },
    ];
  }
  publicInputBytes(): Uint8Array {
    return new Uint8Array(new Uint32Array([this.x0, this.last]).buffer);
  }
  evaluate<T>(alg: Algebra<T>, cur: readonly T[], next: readonly T[], periodic: readonly T[], out: T[]): void {
    const [x, square] = [cur[0]!, cur[1]!];
    const [k, s] = [periodic[0]!, periodic[1]!];
    // Row constraint: column 1 holds x^2 (keeps the transition at degree 4).
    out[0] = alg.sub(square, alg.mul(x, x));
    const cube = alg.mul(square, x);
    const stepped = alg.add(cube, k);
    const expected = alg.add(alg.mul(s, stepped), alg.mul(alg.sub(alg.one, s), alg.constant(this.x0)));
    out[1] = alg.sub(next[0]!, expected);
  }
}

function cubicTrace(n: number, x0: number): { columns: Uint32Array[]; last: number } {
  const x = new Uint32Array(n);
  const sq = new Uint32Array(n);
  x[0] = x0;
  for (let i = 0; i < n; i++) {
    sq[i] = mul(x[i]!, x[i]!);
    if (i + 1 < n) {
      x[i + 1] = SELECTOR[i % 8] ? add(mul(sq[i]!, x[i]!), ROUND_CONSTANTS[i % 4]!) : x0;
    }
  }
  return { columns: [x, sq], last: x[n - 1]! };
}

describe('AIR with periodic columns', () => {
  test('generic evaluation with periodic values matches the trace rule', () => {
    const { columns } = cubicTrace(16, 5);
    const air = new CubicRoundsAir(16, 5, 0);
    const out = [0, 0];
    for (let i = 0; i < 15; i++) {
      air.evaluate(
        baseAlgebra,
        [columns[0]![i]!, columns[1]![i]!],
        [columns[0]![i + 1]!, 0],
        [ROUND_CONSTANTS[i % 4]!, SELECTOR[i % 8]!],
        out,
      );
      assert.deepEqual(out, [0, 0], `row ${i}`);
    }
  });

  for (const n of [8, 64, 256]) {
    test(`completeness: n = ${n} proves and verifies`, () => {
      const x0 = 1 + Math.floor(Math.random() * (P - 1));
      const { columns, last } = cubicTrace(n, x0);
      const air = new CubicRoundsAir(n, x0, last);
      const proof = prove(air, { width: 2, length: n, columns });
      assert.ok(verify(air, proof).securityBits >= 100);
    });
  }

  test('soundness: a wrong round constant in the trace is refused by the prover and rejected by the verifier', () => {
    const n = 64;
    const { columns } = cubicTrace(n, 7);
    // Recompute the trace from row 10 with one altered step, consistently afterwards.
    const x = columns[0]!;
    const sq = columns[1]!;
    x[11] = add(mul(sq[10]!, x[10]!), ROUND_CONSTANTS[10 % 4]! + 1);
    for (let i = 11; i < n; i++) {
      sq[i] = mul(x[i]!, x[i]!);
      if (i + 1 < n) x[i + 1] = SELECTOR[i % 8] ? add(mul(sq[i]!, x[i]!), ROUND_CONSTANTS[i % 4]!) : 7;
    }
    const air = new CubicRoundsAir(n, 7, x[n - 1]!);
    const trace = { width: 2, length: n, columns };
    assert.throws(() => prove(air, trace), { code: 'INVALID_TRACE' });
    const forged = prove(air, trace, { unsafeSkipTraceCheck: true });
    assert.throws(() => verify(air, forged), { code: 'VERIFICATION_FAILED' });
  });
});

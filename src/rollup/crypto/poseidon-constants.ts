import { Field } from '@noble/curves/abstract/modular.js';
import { grainGenConstants } from '@noble/curves/abstract/poseidon.js';
import { fail } from '../errors.ts';
import { P, mod, powMod } from './field.ts';

/**
 * Constants of Poseidon over BN254 exactly as circomlib's `Poseidon(n)`: width t = n + 1, capacity element 0 first,
 * x^5 S-box, 8 full rounds and circomlib's partial-round counts. They are the reference Grain-LFSR parameters,
 * regenerated here with @noble/curves (cross-checked against circomlibjs in the tests), so nothing is copied.
 *
 * They are kept in the cheaper equivalent form of the permutation (same function, fewer products):
 *  - partial-round constants are folded forward so that only element 0 receives one (the rest commute with the
 *    single S-box and are pushed through the matrix into the next round);
 *  - each partial-round matrix is factored M = A·B, B = diag(1, M̂), moving B backwards through the S-box; A is
 *    sparse (first row and first column), so a partial round costs 2t − 1 products instead of t².
 */
export const ROUNDS_F = 8;
const ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
export const MAX_POSEIDON_INPUTS = ROUNDS_P.length;

export type Optimised = {
  t: number;
  rp: number;
  /** Full-round constants for the 4 + 4 full rounds, [round][i]. */
  fullC: bigint[][];
  /** One constant per partial round (added to element 0). */
  partialC: bigint[];
  /** Dense matrix of every full round but the last of the first half. */
  M: bigint[][];
  /** Dense matrix of the last first-half full round (absorbs B of the first partial round). */
  M0: bigint[][];
  /** Sparse partial-round matrices: first row and first column (without [0][0]) each. */
  sparseRow: bigint[][];
  sparseCol: bigint[][];
};

const Fp = Field(P);
const cache: (Optimised | undefined)[] = [];

function matMul(a: bigint[][], b: bigint[][]): bigint[][] {
  const n = a.length;
  const out: bigint[][] = [];
  for (let i = 0; i < n; i++) {
    const row: bigint[] = [];
    for (let j = 0; j < n; j++) {
      let acc = 0n;
      for (let k = 0; k < n; k++) acc += a[i]![k]! * b[k]![j]!;
      row.push(acc % P);
    }
    out.push(row);
  }
  return out;
}

function matVec(m: bigint[][], v: bigint[]): bigint[] {
  return m.map((row) => row.reduce((acc, x, j) => acc + x * v[j]!, 0n) % P);
}

/** Solves x·Mhat = row (row vector times matrix), by Gauss–Jordan on the transpose. */
function solveRow(mhat: bigint[][], row: bigint[]): bigint[] {
  const n = mhat.length;
  // Transposed system: Mhatᵀ·xᵀ = rowᵀ.
  const a = mhat.map((_, i) => [...mhat.map((r) => r[i]!), row[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (a[pivot]![col] === 0n) pivot++;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const inv = powMod(a[col]![col]!, P - 2n);
    for (let j = col; j <= n; j++) a[col]![j] = (a[col]![j]! * inv) % P;
    for (let i = 0; i < n; i++) {
      if (i === col || a[i]![col] === 0n) continue;
      const f = a[i]![col]!;
      for (let j = col; j <= n; j++) a[i]![j] = mod(a[i]![j]! - f * a[col]![j]!);
    }
  }
  return a.map((r) => r[n]!);
}

function build(t: number): Optimised {
  const rp = ROUNDS_P[t - 2];
  if (rp === undefined) fail('INVALID_PARAMETER', `Poseidon supports 1..${MAX_POSEIDON_INPUTS} inputs`);
  const { roundConstants, mds } = grainGenConstants({ Fp, t, roundsFull: ROUNDS_F, roundsPartial: rp });
  const half = ROUNDS_F / 2;
  const C = roundConstants.map((r) => r.slice());
  // Forward fold: the non-first constants of a partial round are pushed through M into the next round.
  const partialC: bigint[] = [];
  for (let r = half; r < half + rp; r++) {
    const c = C[r]!;
    partialC.push(c[0]!);
    const rest = [0n, ...c.slice(1)];
    const carry = matVec(mds, rest);
    const next = C[r + 1]!;
    for (let i = 0; i < t; i++) next[i] = (next[i]! + carry[i]!) % P;
  }
  const fullC = [...C.slice(0, half), ...C.slice(half + rp)];
  // Backward factorisation of the partial-round matrices.
  const sparseRow: bigint[][] = new Array(rp);
  const sparseCol: bigint[][] = new Array(rp);
  let current = mds;
  for (let r = rp - 1; r >= 0; r--) {
    const mhat = current.slice(1).map((row) => row.slice(1));
    const row = current[0]!.slice(1);
    sparseRow[r] = [current[0]![0]!, ...solveRow(mhat, row)];
    sparseCol[r] = current.slice(1).map((rw) => rw[0]!);
    const B = [[1n, ...new Array<bigint>(t - 1).fill(0n)], ...mhat.map((rw) => [0n, ...rw])];
    current = matMul(B, mds);
  }
  return { t, rp, fullC, partialC, M: mds, M0: current, sparseRow, sparseCol };
}

export function params(t: number): Optimised {
  return (cache[t] ??= build(t));
}

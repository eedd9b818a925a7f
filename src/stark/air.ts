/**
 * The AIR (algebraic intermediate representation) API.
 *
 * A trace is `traceWidth` columns of `traceLength` (a power of two) BabyBear elements. An AIR states:
 *  - row constraints, which must vanish on every row and read only the current row;
 *  - transition constraints, which must vanish on every row but the last and may read the next row;
 *  - boundary constraints, "column c at row r equals v", from the public inputs;
 *  - periodic columns: fixed public values repeating with a power-of-two period (round constants
 *    and selectors), which the verifier evaluates itself instead of trusting the prover.
 *
 * Constraints are written once, generically over an `Algebra`, so the verifier evaluates them at the
 * out-of-domain point in the extension field with the same code the prover's checks use. An AIR
 * may add `evaluateBase`, a hand-tuned twin over plain base-field numbers for the prover's hot loop;
 * tests cross-check the two.
 *
 * `degree` bounds every constraint's degree, counting trace and periodic values as degree 1. Wide
 * AIRs (a batch AIR hashing Merkle paths with Poseidon2 and doing balance arithmetic per row) fit by
 * using many columns; nothing here limits width or the number of constraints.
 */
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P, add, fromInt, mul, sub } = fieldModule;
import type { Ext } from './ext.ts';
import * as extModule from './ext.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { extAdd, extFromBase, extMul, extSub } = extModule;

export interface Algebra<T> {
  readonly zero: T;
  readonly one: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  /** Embeds a base-field constant (any integer; it is reduced mod p). */
  constant(c: number): T;
}

export const baseAlgebra: Algebra<number> = {
  zero: 0,
  one: 1,
  add,
  sub,
  mul,
  constant: (c) => fromInt(c),
};

export const extAlgebra: Algebra<Ext> = {
  zero: [0, 0, 0, 0],
  one: [1, 0, 0, 0],
  add: extAdd,
  sub: extSub,
  mul: extMul,
  constant: (c) => extFromBase(fromInt(c)),
};

export interface BoundaryConstraint {
  readonly column: number;
  readonly row: number;
  readonly value: number;
}

export interface Air {
  /** Bound into the transcript, so a proof for one AIR never verifies for another. */
  readonly name: string;
  readonly traceWidth: number;
  readonly traceLength: number;
  /** Max constraint degree (trace and periodic values count as degree 1). */
  readonly degree: number;
  readonly numRowConstraints: number;
  readonly numTransitionConstraints: number;
  /** Each column's values over one period; the period is a power of two dividing traceLength. */
  periodicColumns(): readonly Uint32Array[];
  boundaryConstraints(): readonly BoundaryConstraint[];
  /** Canonical bytes of the public inputs (absorbed into the transcript). */
  publicInputBytes(): Uint8Array;
  /**
   * Writes numRowConstraints then numTransitionConstraints values to `out`; each must be zero on a
   * valid trace. `next` is the following row (ignored by row constraints).
   */
  evaluate<T>(alg: Algebra<T>, current: readonly T[], next: readonly T[], periodic: readonly T[], out: T[]): void;
  /** Optional fast twin of `evaluate` over canonical base-field numbers. */
  evaluateBase?(current: Uint32Array, next: Uint32Array, periodic: Uint32Array, out: Uint32Array): void;
}

export interface Trace {
  readonly width: number;
  readonly length: number;
  /** Column-major: columns[c][row]. */
  readonly columns: readonly Uint32Array[];
}

/** Builds a trace from column arrays, checking shape and that every value is canonical. */
export function traceFromColumns(columns: readonly Uint32Array[]): Trace {
  const width = columns.length;
  const length = width === 0 ? 0 : columns[0]!.length;
  for (const col of columns) {
    if (col.length !== length) throw new RangeError('trace columns differ in length');
    for (let i = 0; i < col.length; i++) if (col[i]! >= P) throw new RangeError('trace value not below p');
  }
  return { width, length, columns };
}

export function totalConstraints(air: Air): number {
  return air.numRowConstraints + air.numTransitionConstraints;
}

/**
 * The Fibonacci AIR, the library's smallest complete example: two columns (a, b) with
 * a' = b and b' = a + b, starting from public (a0, b0) and ending at a public claimed result
 * b[n−1]. Its constraints are linear (degree 1).
 */
import type { Air, Algebra, BoundaryConstraint, Trace } from './air.ts';
import { StarkError } from './errors.ts';
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { add, isCanonical } = fieldModule;
import { wordsToBytes } from './hash.ts';

export interface FibonacciInputs {
  readonly a0: number;
  readonly b0: number;
  /** The claimed value of column b at the last row. */
  readonly result: number;
}

export class FibonacciAir implements Air {
  readonly name = 'keel/fibonacci/v1';
  readonly traceWidth = 2;
  readonly degree = 1;
  readonly numRowConstraints = 0;
  readonly numTransitionConstraints = 2;

  constructor(
    readonly traceLength: number,
    readonly inputs: FibonacciInputs,
  ) {
    for (const v of [inputs.a0, inputs.b0, inputs.result]) {
      if (!isCanonical(v)) throw new StarkError('INVALID_ARGUMENT', `Fibonacci input ${v} is not a field element`);
    }
  }

  periodicColumns(): readonly Uint32Array[] {
    return [];
  }

  boundaryConstraints(): readonly BoundaryConstraint[] {
    return [
      { column: 0, row: 0, value: this.inputs.a0 },
      { column: 1, row: 0, value: this.inputs.b0 },
      { column: 1, row: this.traceLength - 1, value: this.inputs.result },
    ];
  }

  publicInputBytes(): Uint8Array {
    return wordsToBytes(new Uint32Array([this.inputs.a0, this.inputs.b0, this.inputs.result]));
  }

  evaluate<T>(alg: Algebra<T>, cur: readonly T[], next: readonly T[], _periodic: readonly T[], out: T[]): void {
    out[0] = alg.sub(next[0]!, cur[1]!);
    out[1] = alg.sub(next[1]!, alg.add(cur[0]!, cur[1]!));
  }
}

/** The trace and the result b[n−1] for a given start. */
export function fibonacciTrace(traceLength: number, a0: number, b0: number): { trace: Trace; result: number } {
  const a = new Uint32Array(traceLength);
  const b = new Uint32Array(traceLength);
  a[0] = a0;
  b[0] = b0;
  for (let i = 1; i < traceLength; i++) {
    a[i] = b[i - 1]!;
    b[i] = add(a[i - 1]!, b[i - 1]!);
  }
  return { trace: { width: 2, length: traceLength, columns: [a, b] }, result: b[traceLength - 1]! };
}

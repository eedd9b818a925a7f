import type { CircuitSpec } from './compile.ts';
import { SnarkError } from './errors.ts';
import type { BatchShape } from './witness.ts';

/**
 * The protocol defaults (docs/protocol.md §3, §6) and the largest slot count that fits 2^17 constraints at D = 24:
 * Batch(5, 24, 12) has 124,876 constraints, a sixth slot adds about 23.3k (src/snark/README.md, "Cost").
 */
export const DEFAULT_BATCH_SHAPE: BatchShape = { slots: 5, depth: 24, withdrawalDepth: 12 };

/** The batch circuit for a shape; its single public signal is the output `publicInput`. */
export function batchCircuitSpec(shape: BatchShape): CircuitSpec {
  const { slots, depth, withdrawalDepth } = shape;
  // Checked here so that a bad shape fails with a clear message instead of a circom assertion deep in the compiler.
  if (!Number.isInteger(slots) || slots < 1) throw new SnarkError(`A batch needs at least one slot, got ${slots}`);
  if (!Number.isInteger(depth) || depth < 2 || depth > 32 || depth % 2 !== 0)
    throw new SnarkError(`State depth ${depth} is not an even number in 2..32 (the state tree is 4-ary)`);
  if (!Number.isInteger(withdrawalDepth) || withdrawalDepth < 1 || withdrawalDepth > 17)
    throw new SnarkError(
      `Withdrawal depth ${withdrawalDepth} is not in 1..17 (the empty-subtree table of circuits/lib/withdrawal_tree.circom)`,
    );
  return {
    name: `batch_n${shape.slots}_d${shape.depth}_w${shape.withdrawalDepth}`,
    include: 'batch.circom',
    template: 'Batch',
    params: [shape.slots, shape.depth, shape.withdrawalDepth],
    publicInputs: [],
  };
}

import type { CircuitSpec } from './compile.ts';
import type { BatchShape } from './witness.ts';

/** The protocol defaults (docs/protocol.md §3, §6) and the largest slot count that fits 2^17 constraints at D = 24. */
export const DEFAULT_BATCH_SHAPE: BatchShape = { slots: 3, depth: 24, withdrawalDepth: 12 };

/** The batch circuit for a shape; its single public signal is the output `publicInput`. */
export function batchCircuitSpec(shape: BatchShape): CircuitSpec {
  return {
    name: `batch_n${shape.slots}_d${shape.depth}_w${shape.withdrawalDepth}`,
    include: 'batch.circom',
    template: 'Batch',
    params: [shape.slots, shape.depth, shape.withdrawalDepth],
    publicInputs: [],
  };
}

// Prover process entry: witness generation and Groth16 proving for one batch at a time, off the node's event loop.
// A child process rather than a worker thread: snarkjs's thread pool (ffjavascript) takes any non-main thread for one
// of its own workers, so it only runs on a process's main thread.
import type { CompiledCircuit } from './compile.ts';
import { calculateWitness, proveWitness } from './prove.ts';
import type { CircuitKeys } from './setup.ts';
import type { CircuitInput } from './witness.ts';

export interface ProveRequest {
  id: number;
  keys: CircuitKeys;
  input: CircuitInput;
}

export type ProveResponse =
  | { id: number; ok: true; proof: Uint8Array; publicInput: bigint; witnessMs: number; proveMs: number }
  | { id: number; ok: false; error: string };

process.on('message', (request: ProveRequest) => {
  void (async (): Promise<void> => {
    try {
      const t0 = performance.now();
      const witness = await calculateWitness(request.keys.circuit as CompiledCircuit, request.input);
      const t1 = performance.now();
      const result = await proveWitness(request.keys, witness);
      const t2 = performance.now();
      const response: ProveResponse = {
        id: request.id,
        ok: true,
        proof: result.proofBytes,
        publicInput: result.publicInput,
        witnessMs: t1 - t0,
        proveMs: t2 - t1,
      };
      process.send!(response);
    } catch (error) {
      const response: ProveResponse = {
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      };
      process.send!(response);
    }
  })();
});

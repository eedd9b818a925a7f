// Child process of `keel devnet`: compiles the devnet's batch circuit and runs its Groth16 setup (cached), so the
// devnet's event loop keeps serving the L2 while snarkjs works. Reports progress and the outcome over IPC.
import { batchCircuitSpec, releaseSnarkjs, setupCircuit } from '../../snark/index.ts';
import type { BatchShape } from '../../snark/index.ts';

export type SetupRequest = { shape: BatchShape };
export type SetupMessage =
  | { type: 'progress'; text: string }
  | { type: 'done'; constraints: number; dir: string; ptau: string }
  | { type: 'error'; message: string };

const send = (m: SetupMessage): void => void process.send?.(m);

// A devnet that dies (even by SIGKILL) closes the channel: stop at once rather than burn CPU for nobody.
process.once('disconnect', () => process.exit(1));

process.once('message', (request: SetupRequest) => {
  void (async () => {
    try {
      let last = -1;
      const keys = await setupCircuit(batchCircuitSpec(request.shape), {
        onProgress: (done, total, what) => {
          const pct = Math.floor((100 * done) / total);
          if (pct >= last + 10 || pct === 100) {
            last = pct;
            send({ type: 'progress', text: `development ceremony ${pct}% (${what})` });
          }
        },
      });
      send({ type: 'done', constraints: keys.circuit.constraints, dir: keys.circuit.dir, ptau: keys.ptau.path });
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    } finally {
      await releaseSnarkjs();
      process.disconnect?.();
    }
  })();
});

// Worker side of StarkProver: builds the batch AIR trace and proves it, one request per message.
import { parentPort } from 'node:worker_threads';
import { proveStarkWitness } from './stark-prover.ts';
import type { StarkProveRequest } from './stark-prover.ts';

parentPort?.on('message', (request: StarkProveRequest) => {
  const response = proveStarkWitness(request);
  if (response.ok) parentPort?.postMessage(response, [response.proof.buffer as ArrayBuffer]);
  else parentPort?.postMessage(response);
});

import { parentPort } from 'node:worker_threads';
import { verifyMany } from './verifier.ts';
import type { VerifyRequest } from './verifier.ts';

// Worker side of WorkerVerifier: verifies one chunk per message.
parentPort?.on('message', (msg: { id: number; items: VerifyRequest[] }) => {
  parentPort?.postMessage({ id: msg.id, results: verifyMany(msg.items) });
});

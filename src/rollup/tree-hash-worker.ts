import { parentPort } from 'node:worker_threads';
import { hashLeaves, hashNodes, poseidonBn254Hasher } from './state/hasher.ts';
import type { Account } from './state/account.ts';

// Worker side of TreeHashWorkers: hashes one share of a block's leaves or of one tree level per message.
parentPort?.on('message', (msg: { id: number; leaves?: Account[]; nodes?: bigint[][] }) => {
  const out = msg.leaves
    ? hashLeaves(poseidonBn254Hasher, msg.leaves)
    : hashNodes(poseidonBn254Hasher, msg.nodes ?? []);
  parentPort?.postMessage({ id: msg.id, out });
});

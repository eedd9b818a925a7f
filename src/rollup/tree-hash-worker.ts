import { parentPort } from 'node:worker_threads';
import { poseidonBn254Hasher } from './state/hasher.ts';
import type { Account } from './state/account.ts';

// Worker side of ParallelTreeHasher: hashes one share of a tree level per message.
parentPort?.on('message', (msg: { id: number; leaves?: Account[]; nodes?: bigint[][] }) => {
  const out = msg.leaves
    ? msg.leaves.map((a) => poseidonBn254Hasher.leaf(a))
    : (msg.nodes ?? []).map((c) => poseidonBn254Hasher.node(c));
  parentPort?.postMessage({ id: msg.id, out });
});

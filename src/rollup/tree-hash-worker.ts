import { parentPort } from 'node:worker_threads';
import type { Account } from './state/account.ts';
import { hashLeaves, poseidonBn254Hasher } from './state/hasher.ts';
import { SparseMerkleTree } from './state/tree.ts';
import type { CopyMessage, UpdateMessage, UpdateResult } from './tree-hash-workers.ts';

// Worker side of TreeHashWorkers: keeps a copy of its subtrees of the BN254 state tree (the levels below `top`)
// and hashes a block's changes to them in one message, from the leaves up to the subtree roots.
let copy: SparseMerkleTree | undefined;
let top = 0;

parentPort?.on('message', (msg: CopyMessage | UpdateMessage) => {
  if ('copy' in msg) {
    copy = new SparseMerkleTree(msg.copy.depth, poseidonBn254Hasher);
    top = msg.copy.top;
    msg.copy.levels.forEach(([indices, values], level) =>
      indices.forEach((index, k) => copy!.load(level, index, values[k]!)),
    );
    return;
  }
  if (!copy) throw new Error('tree hashing worker: update before its copy of the tree');
  const digests = hashLeaves(poseidonBn254Hasher, msg.accounts as Account[]);
  const changes = copy.update(new Map(msg.indices.map((index, k) => [index, digests[k]!])), top);
  const levels: UpdateResult['levels'] = Array.from({ length: top + 1 }, () => [[], []]);
  for (const c of changes) {
    levels[c.level]![0].push(c.index);
    levels[c.level]![1].push(c.value);
  }
  parentPort?.postMessage({ id: msg.id, levels } satisfies UpdateResult);
});

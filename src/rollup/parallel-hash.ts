import type { Worker } from 'node:worker_threads';
import type { Account } from './state/account.ts';
import { poseidonBn254Hasher } from './state/hasher.ts';
import type { TreeHasher } from './state/hasher.ts';
import type { SparseMerkleTree } from './state/tree.ts';
import { startWorker } from './verifier.ts';

/** Below this many hashes a level is done on the calling thread (a worker round trip would cost more). */
const MIN_SPLIT = 64;

const nodeKey = (children: readonly bigint[]): string => children.join(',');
const leafKey = (a: Account): string => `${a.ax},${a.ay},${a.balance},${a.nonce}`;

/**
 * Hashes a block's BN254 state-tree update on two threads. `prepare` walks the dirty nodes level by level exactly as
 * `SparseMerkleTree.update` will, hashing half of each level in a worker and half here, and remembers every digest
 * by its inputs; the tree then commits through `hasher`, which answers from that memo (and hashes anything it does
 * not find, so a miss costs time, never correctness). The memo is dropped after each commit.
 */
export class ParallelTreeHasher {
  readonly hasher: TreeHasher;
  private readonly base = poseidonBn254Hasher;
  private readonly nodes = new Map<string, bigint>();
  private readonly leaves = new Map<string, bigint>();
  private readonly worker: Worker;
  private readonly pending = new Map<number, (out: bigint[]) => void>();
  private nextId = 0;
  private failure: unknown;
  /** Digests answered from the memo, and ones that had to be hashed at commit time. */
  readonly stats = { hits: 0, misses: 0 };

  constructor() {
    const base = this.base;
    this.hasher = {
      id: base.id,
      digestBytes: base.digestBytes,
      arity: base.arity,
      leaf: (a) => this.lookup(this.leaves, leafKey(a)) ?? base.leaf(a),
      node: (c) => this.lookup(this.nodes, nodeKey(c)) ?? base.node(c),
    };
    this.worker = startWorker(new URL('./tree-hash-worker.ts', import.meta.url));
    this.worker.on('message', (msg: { id: number; out: bigint[] }) => {
      this.pending.get(msg.id)?.(msg.out);
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on('error', (err) => {
      // Without the worker every level is hashed here; pending shares resolve empty and are recomputed.
      this.failure = err;
      for (const cb of this.pending.values()) cb([]);
      this.pending.clear();
    });
    this.worker.unref();
  }

  /** Precomputes the digests `tree.update` will need for these account changes. */
  async prepare(tree: SparseMerkleTree, changes: ReadonlyMap<number, Account>): Promise<void> {
    if (tree.hasher.id !== this.base.id || tree.arity !== this.base.arity) return;
    const indices = [...changes.keys()];
    const accounts = [...changes.values()];
    const leafDigests = await this.split(
      accounts,
      (part) => ({ leaves: part }),
      (a) => this.base.leaf(a),
    );
    accounts.forEach((a, k) => this.leaves.set(leafKey(a), leafDigests[k]!));
    let level = new Map<number, bigint>(indices.map((i, k) => [i, leafDigests[k]!]));
    const arity = tree.arity;
    for (let l = 1; l <= tree.levels; l++) {
      const parents = [...new Set([...level.keys()].map((i) => Math.floor(i / arity)))];
      const inputs = parents.map((p) => {
        const children: bigint[] = [];
        for (let c = p * arity; c < (p + 1) * arity; c++) children.push(level.get(c) ?? tree.get(l - 1, c));
        return children;
      });
      const digests = await this.split(
        inputs,
        (part) => ({ nodes: part }),
        (c) => this.base.node(c),
      );
      inputs.forEach((c, k) => this.nodes.set(nodeKey(c), digests[k]!));
      level = new Map(parents.map((p, k) => [p, digests[k]!]));
    }
  }

  private lookup(memo: Map<string, bigint>, key: string): bigint | undefined {
    const v = memo.get(key);
    if (v === undefined) this.stats.misses++;
    else this.stats.hits++;
    return v;
  }

  /** Forgets the memo (after the commit that used it). */
  clear(): void {
    this.nodes.clear();
    this.leaves.clear();
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private async split<T>(
    items: T[],
    message: (part: T[]) => { leaves?: T[]; nodes?: T[] },
    local: (item: T) => bigint,
  ): Promise<bigint[]> {
    if (items.length < MIN_SPLIT || this.failure) return items.map(local);
    const half = items.length >> 1;
    const id = this.nextId++;
    const remote = new Promise<bigint[]>((resolve) => this.pending.set(id, resolve));
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ id, ...message(items.slice(half)) });
    const mine = items.slice(0, half).map(local);
    const theirs = await remote;
    // A share lost with a dead worker is hashed here.
    const rest = theirs.length === items.length - half ? theirs : items.slice(half).map(local);
    return [...mine, ...rest];
  }
}

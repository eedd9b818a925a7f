import type { Worker } from 'node:worker_threads';
import type { Account } from './state/account.ts';
import { poseidonBn254Hasher } from './state/hasher.ts';
import type { OffloadedHashing } from './state/state.ts';
import type { NodeChange, SparseMerkleTree } from './state/tree.ts';
import { startWorker } from './verifier.ts';

/** Per level from the leaves: node indices and their digests. */
type LevelNodes = [number[], bigint[]][];
export type CopyMessage = { copy: { depth: number; top: number; levels: LevelNodes } };
export type UpdateMessage = { id: number; indices: number[]; accounts: Account[] };
export type UpdateResult = { id: number; levels: LevelNodes };

/**
 * With several workers, each owns the subtrees rooted at this level whose number is its own modulo the worker
 * count (accounts are allocated from index 0 up, so neighbouring subtrees share the load), and the few levels above
 * are hashed on the calling thread.
 */
const SPLIT_LEVEL = 4;

/**
 * Hashes the BN254 state tree's updates on worker threads (`State.commitAsync`), so the main thread keeps accepting
 * transactions while a block's tree is rehashed. Each worker keeps a copy of its part of the tree, so a block costs
 * one message each way per worker (the changed accounts out, every changed node back) rather than one per level:
 * a busy main thread delays each answer, and a round trip per level made a block wait on the event loop a dozen
 * times. The copies are sent again whenever the tree changed by other means (a restart, a fallback). A worker that
 * dies leaves the hashing to the calling thread, so a failure costs time, never a wrong root.
 */
export class TreeHashWorkers implements OffloadedHashing {
  readonly id = poseidonBn254Hasher.id;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (out: LevelNodes | undefined) => void>();
  private nextId = 0;
  private failure: unknown;
  /** The tree the workers hold copies of, at which version; undefined when their copies must be sent again. */
  private copied: { tree: SparseMerkleTree; version: number } | undefined;

  constructor(threads = 1) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = startWorker(new URL('./tree-hash-worker.ts', import.meta.url));
      worker.on('message', (msg: UpdateResult) => this.settle(msg.id, msg.levels));
      const fail = (err: unknown): void => {
        this.failure ??= err;
        for (const id of [...this.pending.keys()]) this.settle(id, undefined);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`tree hashing worker exited (code ${code})`)));
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Why the workers stopped, if they did (hashing then goes on on the calling thread). */
  get error(): unknown {
    return this.failure;
  }

  async update(
    tree: SparseMerkleTree,
    indices: readonly number[],
    accounts: readonly Account[],
  ): Promise<NodeChange[] | undefined> {
    if (this.failure) return undefined;
    const count = this.workers.length;
    const top = count === 1 ? tree.levels : Math.min(tree.levels, SPLIT_LEVEL);
    // The worker owning a node at `level`: its subtree at `top`, modulo the worker count.
    const owner = (level: number, index: number): number => Math.floor(index / tree.arity ** (top - level)) % count;
    if (this.copied?.tree !== tree || this.copied.version !== tree.version) this.sendCopies(tree, top, owner);
    // Until the result is stored in the tree, the copies are ahead of it.
    this.copied = undefined;
    const shares = this.workers.map(() => ({ indices: [] as number[], accounts: [] as Account[] }));
    indices.forEach((index, k) => {
      const share = shares[owner(0, index)]!;
      share.indices.push(index);
      share.accounts.push(accounts[k]!);
    });
    const answers = shares.map((share, w) => {
      if (share.indices.length === 0) return Promise.resolve<LevelNodes | undefined>([]);
      const id = this.nextId++;
      const answer = new Promise<LevelNodes | undefined>((resolve) => this.pending.set(id, resolve));
      this.workers[w]!.ref();
      this.workers[w]!.postMessage({ id, ...share } satisfies UpdateMessage);
      return answer;
    });
    const results = await Promise.all(answers);
    if (results.some((r) => r === undefined)) return undefined;
    const changes: NodeChange[] = [];
    const atTop = new Map<number, bigint>();
    for (let level = 0; level <= top; level++)
      for (const result of results) {
        const [at, values] = result![level] ?? [[], []];
        at.forEach((index, k) => {
          changes.push({ level, index, value: values[k]! });
          if (level === top) atTop.set(index, values[k]!);
        });
      }
    const all = tree.completeUpdate(top, changes, atTop);
    this.copied = { tree, version: tree.version };
    return all;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('tree hashing workers closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Each worker's part of the tree below `top`, as it is now. */
  private sendCopies(tree: SparseMerkleTree, top: number, owner: (level: number, index: number) => number): void {
    const parts = this.workers.map(() => Array.from({ length: top }, (): [number[], bigint[]] => [[], []]));
    for (let level = 0; level < top; level++)
      for (const [index, value] of tree.entries(level)) {
        const [at, values] = parts[owner(level, index)]![level]!;
        at.push(index);
        values.push(value);
      }
    this.workers.forEach((w, i) =>
      w.postMessage({ copy: { depth: tree.depth, top, levels: parts[i]! } } satisfies CopyMessage),
    );
  }

  private settle(id: number, out: LevelNodes | undefined): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    resolve?.(out);
  }
}

import type { Worker } from 'node:worker_threads';
import type { Account } from './state/account.ts';
import { hashLeaves, hashNodes, poseidonBn254Hasher } from './state/hasher.ts';
import type { OffloadedHashing } from './state/state.ts';
import { startWorker } from './verifier.ts';

/** Below this many digests a request is hashed on the calling thread (a worker round trip would cost more). */
const MIN_OFFLOAD = 32;

/**
 * Hashes the BN254 state tree's updates on worker threads (`State.commitAsync`), so the main thread keeps accepting
 * transactions while a block's tree is rehashed. Each request (a block's leaves, then one tree level at a time) is
 * split evenly over the workers. A worker that dies is replaced by the calling thread: a lost share is hashed
 * here, so a failure costs time, never a wrong root.
 */
export class TreeHashWorkers implements OffloadedHashing {
  readonly id = poseidonBn254Hasher.id;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, (out: bigint[] | undefined) => void>();
  private nextId = 0;
  private failure: unknown;

  constructor(threads = 1) {
    for (let i = 0; i < Math.max(1, threads); i++) {
      const worker = startWorker(new URL('./tree-hash-worker.ts', import.meta.url));
      worker.on('message', (msg: { id: number; out: bigint[] }) => this.settle(msg.id, msg.out));
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

  leaves(accounts: readonly Account[]): Promise<bigint[]> {
    return this.split(
      accounts,
      (part) => ({ leaves: part }),
      (part) => hashLeaves(poseidonBn254Hasher, part),
    );
  }

  nodes(inputs: readonly (readonly bigint[])[]): Promise<bigint[]> {
    return this.split(
      inputs,
      (part) => ({ nodes: part }),
      (part) => hashNodes(poseidonBn254Hasher, part),
    );
  }

  async close(): Promise<void> {
    this.failure ??= new Error('tree hashing workers closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(id: number, out: bigint[] | undefined): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    resolve?.(out);
  }

  private async split<T>(
    items: readonly T[],
    message: (part: readonly T[]) => { leaves?: readonly T[]; nodes?: readonly T[] },
    local: (part: readonly T[]) => bigint[],
  ): Promise<bigint[]> {
    if (items.length < MIN_OFFLOAD || this.failure) return local(items);
    const share = Math.ceil(items.length / this.workers.length);
    const parts: Promise<bigint[]>[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      const part = items.slice(w * share, (w + 1) * share);
      if (part.length === 0) break;
      const id = this.nextId++;
      const answer = new Promise<bigint[] | undefined>((resolve) => this.pending.set(id, resolve));
      this.workers[w]!.ref();
      this.workers[w]!.postMessage({ id, ...message(part) });
      parts.push(answer.then((out) => (out?.length === part.length ? out : local(part))));
    }
    return (await Promise.all(parts)).flat();
  }
}

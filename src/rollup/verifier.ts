import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { decodeSignature, verify, verifyBatch } from './crypto/eddsa.ts';
import type { PublicKey, Signature, VerifyItem } from './crypto/eddsa.ts';
import { RollupError } from './errors.ts';

/** A signature to check; it may still be in its 64-byte wire form (the verifier unpacks it). */
export type VerifyRequest = { msg: bigint; A: PublicKey; sig: Signature | Uint8Array };
/** The unpacked signature if valid, otherwise why not. */
export type VerifyOutcome = Signature | 'malformed' | 'invalid';

/** Checks EdDSA-Poseidon signatures for the node. */
export interface SignatureVerifier {
  verify(items: readonly VerifyRequest[]): Promise<VerifyOutcome[]>;
  close(): Promise<void>;
}

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** Unpacks, then batch-checks; only if the batch fails are the bad ones found one by one. */
export function verifyMany(requests: readonly VerifyRequest[]): VerifyOutcome[] {
  const out: VerifyOutcome[] = [];
  const items: VerifyItem[] = [];
  const at: number[] = [];
  requests.forEach((r, i) => {
    const sig = r.sig instanceof Uint8Array ? decodeSignature(r.sig) : r.sig;
    if (!sig) {
      out[i] = 'malformed';
      return;
    }
    out[i] = sig;
    items.push({ msg: r.msg, sig, A: r.A });
    at.push(i);
  });
  if (items.length > 1 && verifyBatch(items, rnd)) return out;
  items.forEach((it, k) => {
    if (!verify(it.msg, it.sig, it.A)) out[at[k]!] = 'invalid';
  });
  return out;
}

/** Same thread; for tests and small nodes. */
export class InlineVerifier implements SignatureVerifier {
  async verify(items: readonly VerifyRequest[]): Promise<VerifyOutcome[]> {
    return verifyMany(items);
  }
  async close(): Promise<void> {}
}

/**
 * Starts a worker on a module. The project runs its .ts sources through tsx, whose loader hooks do not reach a
 * worker's entry module on Node 20, so a .ts entry is wrapped: the worker registers tsx, then imports it.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}

type Pending = { item: VerifyRequest; resolve: (r: VerifyOutcome) => void };

/**
 * Worker-thread pool. Requests arriving in the same tick are grouped (up to `maxBatch`), unpacked and
 * batch-verified in a worker, so the main thread spends its time on the mempool and the trees.
 */
export class WorkerVerifier implements SignatureVerifier {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly callbacks = new Map<number, (r: VerifyOutcome[]) => void>();
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 0;
  private closed = false;
  private failure: unknown;

  constructor(opts: { threads?: number; maxBatch?: number } = {}) {
    const threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    this.maxBatch = opts.maxBatch ?? 256;
    for (let i = 0; i < threads; i++) {
      const worker = startWorker(new URL('./verify-worker.ts', import.meta.url));
      const slot = { worker, busy: 0 };
      worker.on('message', (msg: { id: number; results: VerifyOutcome[] }) => {
        // Idle workers must not keep the process alive; busy ones must (a caller awaits them).
        if (--slot.busy === 0) worker.unref();
        this.callbacks.get(msg.id)?.(msg.results);
        this.callbacks.delete(msg.id);
      });
      worker.on('error', (err) => {
        // A dead worker must not leave submissions hanging: fail what it held.
        this.failure = err;
        for (const cb of this.callbacks.values()) cb([]);
        this.callbacks.clear();
      });
      worker.unref();
      this.workers.push(slot);
    }
  }

  verify(items: readonly VerifyRequest[]): Promise<VerifyOutcome[]> {
    if (this.closed) return Promise.reject(new RollupError('CLOSED', 'the signature verifier is closed'));
    return Promise.all(items.map((item) => new Promise<VerifyOutcome>((resolve) => this.enqueue({ item, resolve }))));
  }

  get error(): unknown {
    return this.failure;
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (this.queue.length >= this.maxBatch) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const chunk = this.queue.splice(0, this.maxBatch);
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = this.nextId++;
      if (slot.busy++ === 0) slot.worker.ref();
      this.callbacks.set(id, (results) => chunk.forEach((p, i) => p.resolve(results[i] ?? 'invalid')));
      slot.worker.postMessage({ id, items: chunk.map((p) => p.item) });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

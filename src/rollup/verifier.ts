import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { decodeSignatures, verify, verifyBatch } from './crypto/eddsa.ts';
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

/**
 * Default most signatures per `verifyMany` call in the worker pool. Batch verification has fixed costs per batch
 * (Pippenger's bucket sums, 40 multiplications by l in the torsion test) that a larger batch spreads thinner: 2,048
 * cost ~7 % less CPU a signature than 1,024 here (71 against 77 µs in `verifyBatch`). Batches only grow this large
 * when that many signatures queue up, so a lightly loaded node keeps small batches and short waits; see
 * `npm run bench:poseidon` for the per-signature cost by batch size.
 */
export const VERIFY_BATCH = 2048;

/** Unpacks (all wire-form signatures together), then batch-checks; if the batch fails, halves it to find the bad ones. */
export function verifyMany(requests: readonly VerifyRequest[]): VerifyOutcome[] {
  const wire: Uint8Array[] = [];
  for (const r of requests) if (r.sig instanceof Uint8Array) wire.push(r.sig);
  const decoded = decodeSignatures(wire);
  const out: VerifyOutcome[] = [];
  const items: VerifyItem[] = [];
  const at: number[] = [];
  let next = 0;
  requests.forEach((r, i) => {
    const sig = r.sig instanceof Uint8Array ? decoded[next++] : r.sig;
    if (!sig) {
      out[i] = 'malformed';
      return;
    }
    out[i] = sig;
    items.push({ msg: r.msg, sig, A: r.A });
    at.push(i);
  });
  findInvalid(items, 0, items.length, (k) => (out[at[k]!] = 'invalid'));
  return out;
}

/** Below this many signatures a failed range is checked one by one. */
const SINGLE_CHECK = 4;

/**
 * Reports the bad signatures of items[from, to) by halving: a batch with a few bad signatures costs a few batch
 * checks of shrinking halves, not one single check (over a millisecond each) per signature.
 */
function findInvalid(items: readonly VerifyItem[], from: number, to: number, invalid: (k: number) => void): void {
  if (to - from <= SINGLE_CHECK) {
    for (let k = from; k < to; k++) if (!verify(items[k]!.msg, items[k]!.sig, items[k]!.A)) invalid(k);
    return;
  }
  if (verifyBatch(items.slice(from, to), rnd)) return;
  const mid = (from + to) >>> 1;
  findInvalid(items, from, mid, invalid);
  findInvalid(items, mid, to, invalid);
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

type Pending = { item: VerifyRequest; resolve: (r: VerifyOutcome) => void; reject: (e: unknown) => void };
type Slot = { worker: Worker; busy: boolean; dead: boolean };

/**
 * Worker-thread pool. A request waits until a worker is free and then goes with everything that queued meanwhile
 * (up to `maxBatch`), unpacked and batch-verified there: under load the batches grow by themselves, which is what
 * makes batch verification pay, and the main thread spends its time on the mempool and the trees.
 */
export class WorkerVerifier implements SignatureVerifier {
  private readonly workers: Slot[] = [];
  private readonly callbacks = new Map<
    number,
    { slot: Slot; done: (r: VerifyOutcome[]) => void; fail: (e: unknown) => void }
  >();
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 0;
  private closed = false;
  private failure: unknown;

  constructor(opts: { threads?: number; maxBatch?: number } = {}) {
    const threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    this.maxBatch = opts.maxBatch ?? VERIFY_BATCH;
    for (let i = 0; i < threads; i++) {
      const worker = startWorker(new URL('./verify-worker.ts', import.meta.url));
      const slot: Slot = { worker, busy: false, dead: false };
      worker.on('message', (msg: { id: number; results: VerifyOutcome[] }) => {
        // Idle workers must not keep the process alive; busy ones must (a caller awaits them).
        slot.busy = false;
        worker.unref();
        this.callbacks.get(msg.id)?.done(msg.results);
        this.callbacks.delete(msg.id);
        this.dispatch();
      });
      worker.on('error', (err) => this.lose(slot, err));
      worker.on('exit', (code) => this.lose(slot, new Error(`signature worker exited (code ${code})`)));
      worker.unref();
      this.workers.push(slot);
    }
  }

  verify(items: readonly VerifyRequest[]): Promise<VerifyOutcome[]> {
    if (this.closed) return Promise.reject(new RollupError('CLOSED', 'the signature verifier is closed'));
    return Promise.all(
      items.map((item) => new Promise<VerifyOutcome>((resolve, reject) => this.enqueue({ item, resolve, reject }))),
    );
  }

  get error(): unknown {
    return this.failure;
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.dispatch());
    }
  }

  /** Hands the queue to idle workers, a batch each. */
  private dispatch(): void {
    this.scheduled = false;
    for (const slot of this.workers) {
      if (this.queue.length === 0) return;
      if (slot.busy || slot.dead) continue;
      const chunk = this.queue.splice(0, this.maxBatch);
      const id = this.nextId++;
      slot.busy = true;
      slot.worker.ref();
      this.callbacks.set(id, {
        slot,
        done: (results) => chunk.forEach((p, i) => p.resolve(results[i] ?? 'invalid')),
        fail: (err) => chunk.forEach((p) => p.reject(err)),
      });
      slot.worker.postMessage({ id, items: chunk.map((p) => p.item) });
    }
    if (this.queue.length > 0 && this.workers.every((w) => w.dead)) this.failQueued();
  }

  /** A dead worker must not leave submissions hanging: what it held fails, and the others take the queue. */
  private lose(slot: Slot, err: unknown): void {
    if (slot.dead) return;
    slot.dead = true;
    if (!this.closed) this.failure ??= err;
    for (const [id, cb] of this.callbacks)
      if (cb.slot === slot) {
        cb.fail(this.unavailable(err));
        this.callbacks.delete(id);
      }
    this.dispatch();
  }

  private failQueued(): void {
    const queued = this.queue;
    this.queue = [];
    for (const p of queued) p.reject(this.unavailable(this.failure));
  }

  private unavailable(cause: unknown): RollupError {
    return this.closed
      ? new RollupError('CLOSED', 'the signature verifier is closed')
      : new RollupError('UNAVAILABLE', 'signature checking is unavailable (its worker stopped)', { cause });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.failQueued();
  }
}

// The SNARK prover service behind the rollup's ProverQueue: takes batches in order, replays them on its own copy of
// the state (the circuit's twin), proves each in a child process, checks the proof, stores it and reports it.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProveError, SnarkError } from './errors.ts';
import { verifyBatchProof } from './groth16.ts';
import type { VerificationKey } from './groth16.ts';
import type { Account, ProofResult, ProverJob, ProverQueue } from './protocol.ts';
import type { ProveRequest, ProveResponse } from './prover-worker.ts';
import type { CircuitKeys } from './setup.ts';
import { MemoryProofStore } from './store.ts';
import type { ProofStore } from './store.ts';
import { StateTree, fromRollupAccount } from './tree.ts';
import { buildBatchWitness } from './witness.ts';
import type { BatchShape } from './witness.ts';

export interface SnarkProverOptions {
  shape: BatchShape;
  keys: CircuitKeys;
  /** The state before the first batch this prover will see (genesis, or a proven checkpoint). */
  accounts: Iterable<readonly [number, Readonly<Account>]>;
  store?: ProofStore;
  /** Prove in this thread instead of a worker (tests, tiny nodes). */
  inline?: boolean;
}

export type ProverFailure = { jobId: string; batchNumber: number; error: SnarkError };

export class SnarkProver implements ProverQueue {
  readonly system = 'snark' as const;
  readonly store: ProofStore;
  private readonly shape: BatchShape;
  private readonly keys: CircuitKeys;
  private readonly inline: boolean;
  private state: StateTree;
  private readonly pending = new Map<number, ProverJob>();
  private nextBatch: number | undefined;
  private running = false;
  private closed = false;
  private worker: ChildProcess | undefined;
  private requestId = 0;
  private readonly waiting = new Map<number, (r: ProveResponse) => void>();
  private readonly resultListeners: Array<(r: ProofResult) => void> = [];
  private readonly failureListeners: Array<(f: ProverFailure) => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(options: SnarkProverOptions) {
    this.shape = options.shape;
    this.keys = options.keys;
    this.inline = options.inline ?? false;
    this.store = options.store ?? new MemoryProofStore();
    this.state = new StateTree(
      options.shape.depth,
      [...options.accounts].map(([i, a]) => [i, fromRollupAccount(a)] as const),
    );
  }

  get verificationKey(): VerificationKey {
    return this.keys.vk;
  }

  /** Queues a batch. Batches are proven strictly in order, each from the state the previous one left. */
  async submit(job: ProverJob): Promise<void> {
    if (this.closed) throw new SnarkError('The prover is closed');
    if (job.system !== 'snark') throw new SnarkError(`A ${job.system} job was sent to the SNARK prover`);
    this.pending.set(job.output.batchNumber, job);
    if (this.nextBatch === undefined) this.nextBatch = job.output.batchNumber;
    void this.drain();
  }

  onResult(listener: (result: ProofResult) => void): void {
    this.resultListeners.push(listener);
  }

  onFailure(listener: (failure: ProverFailure) => void): void {
    this.failureListeners.push(listener);
  }

  /** Resolves when every queued batch that can be proven has been. */
  idle(): Promise<void> {
    if (!this.running && !this.ready()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker && worker.exitCode === null) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.kill();
      await exited;
    }
  }

  private ready(): boolean {
    return this.nextBatch !== undefined && this.pending.has(this.nextBatch);
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.closed && this.ready()) {
        const job = this.pending.get(this.nextBatch!)!;
        this.pending.delete(job.output.batchNumber);
        if (!(await this.prove(job))) break;
        this.nextBatch = job.output.batchNumber + 1;
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Proves one batch; on failure tells the failure listeners and returns false. */
  private async prove(job: ProverJob): Promise<boolean> {
    const out = job.output;
    try {
      if (out.oldRoots[0] !== this.state.root) {
        throw new SnarkError(`Batch ${out.batchNumber} starts from another state than the prover's`, {
          details: `batch old root ${out.oldRoots[0]}, prover root ${this.state.root}`,
        });
      }
      const witness = buildBatchWitness(
        this.shape,
        {
          batchNumber: out.batchNumber,
          chainId: out.chainId,
          queueStart: out.queueStart,
          queueStartHash: out.queueHashStart,
        },
        this.state,
        job.ops,
      );
      if (witness.publicInput !== out.publicInput) {
        throw new SnarkError(`The circuit's public input for batch ${out.batchNumber} is not the rollup's`);
      }
      const started = Date.now();
      const response = await this.run({ id: ++this.requestId, keys: this.keys, input: witness.input });
      if (!response.ok) throw new ProveError(`Proving batch ${out.batchNumber} failed`, { details: response.error });
      if (!verifyBatchProof(this.keys.vk, out.publicInput, response.proof)) {
        throw new ProveError(`The proof of batch ${out.batchNumber} does not verify`);
      }
      // The state advances only once the batch is proven, so a failure can be retried from the same point.
      this.state = witness.state;
      await this.store.put({
        batchNumber: out.batchNumber,
        publicInput: out.publicInput,
        proof: response.proof,
        provedAt: Date.now(),
        proveMs: Date.now() - started,
      });
      const result: ProofResult = {
        jobId: job.id,
        batchNumber: out.batchNumber,
        system: 'snark',
        proof: response.proof,
        publicInput: out.publicInput,
      };
      for (const l of this.resultListeners) l(result);
      return true;
    } catch (cause) {
      const error = cause instanceof SnarkError ? cause : new SnarkError('Proving failed', { cause });
      for (const l of this.failureListeners) l({ jobId: job.id, batchNumber: out.batchNumber, error });
      // A batch that cannot be proven blocks the ones after it; stop here rather than prove from a wrong state.
      this.nextBatch = undefined;
      return false;
    }
  }

  private async run(request: ProveRequest): Promise<ProveResponse> {
    if (this.inline) {
      const { calculateWitness, proveWitness } = await import('./prove.ts');
      try {
        const witness = await calculateWitness(request.keys.circuit, request.input);
        const result = await proveWitness(request.keys, witness);
        return {
          id: request.id,
          ok: true,
          proof: result.proofBytes,
          publicInput: result.publicInput,
          witnessMs: 0,
          proveMs: 0,
        };
      } catch (error) {
        return { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    if (!this.worker) {
      // Structured-clone IPC carries the bigints of the circuit input as they are.
      const worker = fork(fileURLToPath(new URL('./prover-worker.ts', import.meta.url)), [], {
        execArgv: ['--import', 'tsx'],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const failAll = (message: string): void => {
        for (const [id, resolve] of this.waiting) resolve({ id, ok: false, error: message });
        this.waiting.clear();
        if (this.worker === worker) this.worker = undefined;
      };
      worker.on('message', (response: ProveResponse) => {
        this.waiting.get(response.id)?.(response);
        this.waiting.delete(response.id);
      });
      worker.on('error', (error) => failAll(error.message));
      worker.on('exit', (code) => failAll(`the prover process exited (${code})`));
      this.worker = worker;
    }
    return new Promise((resolve) => {
      this.waiting.set(request.id, resolve);
      this.worker!.send(request);
    });
  }
}

// The STARK prover service behind the rollup's ProverQueue, and the rollup-to-AIR adaptor: it replays each batch on
// its own copy of the STARK-field state tree, builds the batch AIR's witness, proves it in a worker thread, checks
// the proof against public inputs it computes itself from the batch's public data, and only then reports it.
import type { Worker } from 'node:worker_threads';
import { State, decodeDa, poseidon2BabyBearHasher, startWorker, traceOps } from '../rollup/index.ts';
import type {
  Account,
  BatchOutput,
  L1Item,
  Op,
  ProofResult,
  ProverJob,
  ProverQueue,
  Withdrawal,
} from '../rollup/index.ts';
import {
  BatchAir,
  DEFAULT_SECURITY_BITS,
  accountKeyDigest,
  batchCommitments,
  buildBatchTrace,
  prove,
  unpackDigest,
  verify,
} from '../stark/index.ts';
import type { BatchAirOp, BatchPublicInputs, BatchStep, BatchWitness, StarkAccount } from '../stark/index.ts';
import { KeelNodeError } from './errors.ts';
import type { ProofVerifier } from './proofs.ts';

/** Index of the STARK root in `BatchOutput.oldRoots` / `newRoots` (the BN254 root is first). */
export const STARK_ROOT_INDEX = 1;

function fail(message: string, details?: string): never {
  throw new KeelNodeError(message, details === undefined ? {} : { details });
}

function starkAccount(a: Readonly<Account>): StarkAccount {
  return { keyDigest: accountKeyDigest(a.ax, a.ay), balance: a.balance, nonce: a.nonce };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Walks a batch's withdrawals in order, checking each against what the operation says. */
function withdrawalCursor(withdrawals: readonly Withdrawal[]) {
  let next = 0;
  return (what: string, script: Uint8Array, amount?: bigint): bigint => {
    const w = withdrawals[next++];
    if (!w) fail(`The batch lists fewer withdrawals than its ${what} operations`);
    if (!sameBytes(w.script, script) || (amount !== undefined && w.amount !== amount))
      fail(`Withdrawal ${next - 1} of the batch does not match its ${what} operation`);
    return w.amount;
  };
}

/** The AIR's operations from a prover job's exact operation list. */
export function starkOpsFromOps(ops: readonly Op[], withdrawals: readonly Withdrawal[]): BatchAirOp[] {
  const take = withdrawalCursor(withdrawals);
  const out: BatchAirOp[] = [];
  for (const op of ops) {
    switch (op.kind) {
      case 'transfer':
        out.push({ kind: 'transfer', from: op.tx.from, to: op.tx.to, amount: op.tx.amount, fee: op.tx.fee });
        break;
      case 'withdraw':
        take('withdraw', op.tx.script, op.tx.amount);
        out.push({ kind: 'withdraw', from: op.tx.from, amount: op.tx.amount, fee: op.tx.fee, script: op.tx.script });
        break;
      case 'deposit':
        out.push({
          kind: 'deposit',
          index: op.index,
          amount: op.item.amount,
          keyDigest: accountKeyDigest(op.item.pubKey.x, op.item.pubKey.y),
        });
        break;
      case 'forcedExit':
        if (op.applied) {
          const amount = take('forced exit', op.item.script);
          out.push({ kind: 'forcedExit', index: op.item.account, amount, script: op.item.script });
        }
        break;
      case 'feeCredit':
        out.push({ kind: 'feeCredit', amount: op.amount });
        break;
    }
  }
  return out;
}

/** The L1 items a batch consumed (queueStart..queueEnd − 1, in order), or a lookup by queue index. */
export type L1ItemSource = readonly L1Item[] | ((queueIndex: number) => L1Item | undefined);

function consumedItems(output: BatchOutput, l1: L1ItemSource): L1Item[] {
  const count = output.queueEnd - output.queueStart;
  if (typeof l1 !== 'function') {
    if (l1.length !== count) fail(`Batch ${output.batchNumber} consumed ${count} L1 items, ${l1.length} given`);
    return [...l1];
  }
  const items: L1Item[] = [];
  for (let i = output.queueStart; i < output.queueEnd; i++) {
    const item = l1(i);
    if (!item) fail(`L1 item ${i} of batch ${output.batchNumber} is unknown`);
    items.push(item);
  }
  return items;
}

/**
 * The AIR's operations from public data only: the DA bytes, the withdrawal list and the L1 queue items the batch
 * consumed (queueStart..queueEnd − 1, in order). The fee credit is implied: the sum of the batch's fees.
 */
export function starkOpsFromPublicData(output: BatchOutput, depth: number, l1: L1ItemSource): BatchAirOp[] {
  const l1Items = consumedItems(output, l1);
  const take = withdrawalCursor(output.withdrawals);
  const out: BatchAirOp[] = [];
  let item = 0;
  let fees = 0n;
  for (const op of decodeDa(output.data, depth)) {
    switch (op.kind) {
      case 'transfer':
        fees += op.fee;
        out.push({ kind: 'transfer', from: op.from, to: op.to, amount: op.amount, fee: op.fee });
        break;
      case 'withdraw':
        fees += op.fee;
        take('withdraw', op.script, op.amount);
        out.push({ kind: 'withdraw', from: op.from, amount: op.amount, fee: op.fee, script: op.script });
        break;
      case 'deposit': {
        const d = l1Items[item++];
        if (d?.type !== 'deposit') fail(`L1 item ${output.queueStart + item - 1} is not the deposit the data names`);
        out.push({
          kind: 'deposit',
          index: op.index,
          amount: d.amount,
          keyDigest: accountKeyDigest(d.pubKey.x, d.pubKey.y),
        });
        break;
      }
      case 'forcedExit': {
        const f = l1Items[item++];
        if (f?.type !== 'forcedExit')
          fail(`L1 item ${output.queueStart + item - 1} is not the forced exit the data names`);
        if (op.applied) {
          const amount = take('forced exit', f.script);
          out.push({ kind: 'forcedExit', index: f.account, amount, script: f.script });
        }
        break;
      }
    }
  }
  if (item !== l1Items.length)
    fail(`Batch ${output.batchNumber}'s data names ${item} of its ${l1Items.length} L1 items`);
  out.push({ kind: 'feeCredit', amount: fees });
  return out;
}

function inputsFor(output: BatchOutput, depth: number, ops: readonly BatchAirOp[]): BatchPublicInputs {
  const oldRoot = output.oldRoots[STARK_ROOT_INDEX];
  const newRoot = output.newRoots[STARK_ROOT_INDEX];
  if (oldRoot === undefined || newRoot === undefined)
    fail(
      `Batch ${output.batchNumber} carries no STARK root`,
      'the node runs without the poseidon2-babybear tree hasher',
    );
  const c = batchCommitments(ops, depth);
  return {
    depth,
    segments: c.segments,
    oldRoot: unpackDigest(oldRoot),
    newRoot: unpackDigest(newRoot),
    dataDigest: c.dataDigest,
    withdrawalDigest: c.withdrawalDigest,
  };
}

/** The STARK public inputs of a batch, from its output and the L1 items it consumed (what a verifier holds). */
export function starkPublicInputs(
  output: BatchOutput,
  opts: { depth: number; l1Items: L1ItemSource },
): BatchPublicInputs {
  return inputsFor(output, opts.depth, starkOpsFromPublicData(output, opts.depth, opts.l1Items));
}

/** The same public inputs from a prover job's operation list (the prover's side). */
export function starkPublicInputsFromOps(output: BatchOutput, ops: readonly Op[], depth: number): BatchPublicInputs {
  return inputsFor(output, depth, starkOpsFromOps(ops, output.withdrawals));
}

export type StarkVerdict = { ok: boolean; securityBits: number; error?: string };

/** Checks a batch STARK. Never throws: malformed bytes or inputs give `{ ok: false, error }`. */
export function verifyBatchStark(
  proofBytes: Uint8Array,
  publicInputs: BatchPublicInputs,
  opts: { minSecurityBits?: number } = {},
): StarkVerdict {
  try {
    if (!(proofBytes instanceof Uint8Array)) return { ok: false, securityBits: 0, error: 'the proof is not bytes' };
    const air = new BatchAir(publicInputs);
    const { securityBits } = verify(air, proofBytes, {
      minSecurityBits: opts.minSecurityBits ?? DEFAULT_SECURITY_BITS,
    });
    return { ok: true, securityBits };
  } catch (error) {
    return { ok: false, securityBits: 0, error: error instanceof Error ? error.message : String(error) };
  }
}

export const STARK_KEY_FORMAT = 'keel-stark-batch-v1';

/**
 * The node's check of a STARK result: public inputs recomputed from the batch it closed and the L1 items it consumed
 * (never the prover's word), then the proof. Resolves false for anything that does not hold.
 */
export function starkProofVerifier(opts: {
  depth: number;
  l1Items: (queueIndex: number) => L1Item | undefined;
  minSecurityBits?: number;
}): ProofVerifier {
  const minSecurityBits = opts.minSecurityBits ?? DEFAULT_SECURITY_BITS;
  return {
    system: 'stark',
    key: { format: STARK_KEY_FORMAT, air: 'keel/batch/v1', depth: opts.depth, minSecurityBits },
    async verify(result, batch) {
      if (result.system !== 'stark' || result.publicInput !== batch.publicInput) return false;
      try {
        const inputs = starkPublicInputs(batch, { depth: opts.depth, l1Items: opts.l1Items });
        return verifyBatchStark(result.proof, inputs, { minSecurityBits }).ok;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Replays `ops` on `state` (advanced to the batch end; it must hold exactly one tree, the STARK one) and returns the
 * batch AIR's witness.
 */
export function buildStarkWitness(
  state: State,
  ops: readonly Op[],
  withdrawals: readonly Withdrawal[],
  opts: { chainId: number },
): BatchWitness {
  if (state.trees.length !== 1 || state.trees[0]!.hasher.id !== poseidon2BabyBearHasher.id)
    fail('The STARK witness needs a state holding only the poseidon2-babybear tree');
  const depth = state.depth;
  const airOps = starkOpsFromOps(ops, withdrawals);
  const steps: BatchStep[] = [];
  for (const t of traceOps(state, ops, { chainId: opts.chainId, depth })) {
    for (const s of t.steps)
      steps.push({
        before: starkAccount(s.before),
        after: starkAccount(s.after),
        siblings: s.siblings[0]!.map(unpackDigest),
      });
  }
  const pad = { account: starkAccount(state.getAccount(0)), siblings: state.trees[0]!.proof(0).map(unpackDigest) };
  return { depth, ops: airOps, steps, pad };
}

export interface StarkProverOptions {
  depth: number;
  chainId: number;
  /** The state before the first batch this prover will see (genesis, or a proven checkpoint). */
  accounts: Iterable<readonly [number, Readonly<Account>]>;
  /** Conjectured security of the proofs (default 100 bits). */
  securityBits?: number;
  /** Prove in this thread instead of a worker thread (tests, tiny nodes). */
  inline?: boolean;
}

export type StarkProverFailure = { jobId: string; batchNumber: number; error: KeelNodeError };

export type StarkProveRequest = { id: number; witness: BatchWitness; securityBits: number };
export type StarkProveResponse =
  { id: number; ok: true; proof: Uint8Array; proveMs: number } | { id: number; ok: false; error: string };

/** Runs in the worker (and inline): trace, proof, and the prover's own constraint check. */
export function proveStarkWitness(request: StarkProveRequest): StarkProveResponse {
  try {
    const started = performance.now();
    const { trace, inputs } = buildBatchTrace(request.witness);
    const proof = prove(new BatchAir(inputs), trace, { securityBits: request.securityBits });
    return { id: request.id, ok: true, proof, proveMs: performance.now() - started };
  } catch (error) {
    return { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export class StarkProver implements ProverQueue {
  readonly system = 'stark' as const;
  readonly depth: number;
  private readonly chainId: number;
  private readonly securityBits: number;
  private readonly inline: boolean;
  private state: State;
  private readonly pending = new Map<number, ProverJob>();
  private nextBatch: number | undefined;
  private running = false;
  private closed = false;
  private worker: Worker | undefined;
  private requestId = 0;
  private readonly waiting = new Map<number, (r: StarkProveResponse) => void>();
  private readonly resultListeners: Array<(r: ProofResult) => void> = [];
  private readonly failureListeners: Array<(f: StarkProverFailure) => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(options: StarkProverOptions) {
    this.depth = options.depth;
    this.chainId = options.chainId;
    this.securityBits = options.securityBits ?? DEFAULT_SECURITY_BITS;
    this.inline = options.inline ?? false;
    this.state = StarkProver.stateOf(options.depth, options.accounts);
  }

  private static stateOf(depth: number, accounts: Iterable<readonly [number, Readonly<Account>]>): State {
    const state = new State(depth, [poseidon2BabyBearHasher]);
    state.commit(new Map([...accounts].map(([i, a]) => [i, { ...a }])));
    return state;
  }

  /** The prover's current STARK root, packed like `BatchOutput.newRoots[1]`. */
  get root(): bigint {
    return this.state.roots[0]!;
  }

  /** Queues a batch. Batches are proven strictly in order, each from the state the previous one left. */
  async submit(job: ProverJob): Promise<void> {
    if (this.closed) throw new KeelNodeError('The STARK prover is closed');
    if (job.system !== 'stark') throw new KeelNodeError(`A ${job.system} job was sent to the STARK prover`);
    this.pending.set(job.output.batchNumber, job);
    if (this.nextBatch === undefined) this.nextBatch = job.output.batchNumber;
    void this.drain();
  }

  onResult(listener: (result: ProofResult) => void): void {
    this.resultListeners.push(listener);
  }

  onFailure(listener: (failure: StarkProverFailure) => void): void {
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
    if (worker) await worker.terminate();
    for (const [id, resolve] of this.waiting) resolve({ id, ok: false, error: 'the prover was closed' });
    this.waiting.clear();
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

  /** Proves one batch; on failure tells the failure listeners, keeps the state where it was and returns false. */
  private async prove(job: ProverJob): Promise<boolean> {
    const out = job.output;
    const snapshot = [...this.state.entries()].map(([i, a]) => [i, { ...a }] as const);
    try {
      const inputs = starkPublicInputsFromOps(out, job.ops, this.depth);
      if (out.oldRoots[STARK_ROOT_INDEX] !== this.root)
        fail(`Batch ${out.batchNumber} starts from another state than the STARK prover's`);
      const witness = buildStarkWitness(this.state, job.ops, out.withdrawals, { chainId: this.chainId });
      if (this.root !== out.newRoots[STARK_ROOT_INDEX])
        fail(`Replaying batch ${out.batchNumber} does not reach its STARK root`);
      const response = await this.run({ id: ++this.requestId, witness, securityBits: this.securityBits });
      if (!response.ok) fail(`Proving batch ${out.batchNumber} failed`, response.error);
      const verdict = verifyBatchStark(response.proof, inputs, { minSecurityBits: this.securityBits });
      if (!verdict.ok) fail(`The STARK of batch ${out.batchNumber} does not verify`, verdict.error);
      const result: ProofResult = {
        jobId: job.id,
        batchNumber: out.batchNumber,
        system: 'stark',
        proof: response.proof,
        publicInput: out.publicInput,
      };
      for (const l of this.resultListeners) l(result);
      return true;
    } catch (cause) {
      this.state = StarkProver.stateOf(this.depth, snapshot);
      const error = cause instanceof KeelNodeError ? cause : new KeelNodeError('STARK proving failed', { cause });
      for (const l of this.failureListeners) l({ jobId: job.id, batchNumber: out.batchNumber, error });
      // A batch that cannot be proven blocks the ones after it; stop rather than prove from a wrong state.
      this.nextBatch = undefined;
      return false;
    }
  }

  private async run(request: StarkProveRequest): Promise<StarkProveResponse> {
    if (this.inline) return proveStarkWitness(request);
    if (!this.worker) {
      const worker = startWorker(new URL('./stark-prover-worker.ts', import.meta.url));
      const failAll = (message: string): void => {
        for (const [id, resolve] of this.waiting) resolve({ id, ok: false, error: message });
        this.waiting.clear();
        if (this.worker === worker) this.worker = undefined;
      };
      worker.on('message', (response: StarkProveResponse) => {
        this.waiting.get(response.id)?.(response);
        this.waiting.delete(response.id);
        // An idle worker must not keep the process alive; a busy one must.
        if (this.waiting.size === 0) worker.unref();
      });
      worker.on('error', (error) => failAll(error.message));
      worker.on('exit', (code) => failAll(`the STARK prover worker exited (${code})`));
      this.worker = worker;
    }
    return new Promise((resolve) => {
      this.waiting.set(request.id, resolve);
      this.worker!.ref();
      this.worker!.postMessage(request);
    });
  }
}

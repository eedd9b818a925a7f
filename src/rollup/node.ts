import { EventEmitter } from 'node:events';
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  applyDeposit,
  applyFeeCredit,
  applyForcedExit,
  applyTransaction,
  checkAgainstState,
  checkShape,
  forcedExitApplies,
  signedMessage,
} from './apply.ts';
import type { Withdrawal } from './apply.ts';
import { publicInput } from './batch.ts';
import type { BatchOutput, ProverQueue } from './batch.ts';
import { ZERO_HASH, blockHash, decodeBlock, encodeBlock } from './block.ts';
import type { Block, BlockHeader, StoredOp } from './block.ts';
import type { PublicKey } from './crypto/eddsa.ts';
import { isOnCurve } from './crypto/babyjub.ts';
import { RollupError, fail } from './errors.ts';
import { L1Queue, checkForcedInclusion } from './l1queue.ts';
import type { QueueEntry } from './l1queue.ts';
import { Mempool } from './mempool.ts';
import type { MempoolEntry, MempoolLimits } from './mempool.ts';
import { FEE_ACCOUNT } from './state/account.ts';
import type { Account } from './state/account.ts';
import { poseidonBn254Hasher } from './state/hasher.ts';
import type { TreeHasher } from './state/hasher.ts';
import { Overlay, State } from './state/state.ts';
import type { StateCommit } from './state/state.ts';
import { PREFIX, decodeTxLocation, encodeTxLocation, keys, readU64, writeU64 } from './storage/layout.ts';
import type { KvOp, KvStore } from './storage/kv.ts';
import { decodeBatch, encodeBatch } from './storage/records.ts';
import { PendingLog } from './storage/pending-log.ts';
import { DEFAULT_CHECKPOINT, StateLog } from './storage/state-log.ts';
import type { CheckpointPolicy } from './storage/state-log.ts';
import { dataDigest, encodeDa, toDaOp } from './tx/compact.ts';
import type { DaOp } from './tx/compact.ts';
import {
  decodeL1Item,
  encodeL1Item,
  encodeTransaction,
  parseTransaction,
  transactionId,
  withSignature,
} from './tx/encoding.ts';
import type { UnsignedFields } from './tx/encoding.ts';
import type { L1Item, L2Transaction, Op } from './tx/types.ts';
import { InlineVerifier } from './verifier.ts';
import type { SignatureVerifier, VerifyOutcome } from './verifier.ts';
import { withdrawalRoot } from './withdrawals.ts';
import { TreeHashWorkers } from './tree-hash-workers.ts';

export type RollupConfig = {
  chainId: number;
  /** Account tree depth (protocol §3), fixed at genesis. */
  depth: number;
  withdrawalDepth: number;
  /** Key of the fee account (index 0), the operator's. */
  feeAccountKey: PublicKey;
  blockIntervalMs: number;
  maxBlockOps: number;
  maxBatchOps: number;
  maxBatchAgeMs: number;
  mempool: MempoolLimits;
};

export const DEFAULT_CONFIG: Omit<RollupConfig, 'feeAccountKey' | 'chainId'> = {
  depth: 24,
  withdrawalDepth: 12,
  blockIntervalMs: 1000,
  maxBlockOps: 20_000,
  maxBatchOps: 4096,
  maxBatchAgeMs: 60_000,
  mempool: { maxSize: 500_000, maxPerAccount: 64 },
};

export type TxStatus =
  | { status: 'pending'; id: string }
  | { status: 'soft'; id: string; block: number; position: number; batch: number }
  | { status: 'dropped'; id: string; code: string; reason: string }
  | { status: 'unknown'; id: string };

export type RollupNodeOptions = {
  config: RollupConfig;
  store: KvStore;
  verifier?: SignatureVerifier;
  provers?: ProverQueue[];
  /** Extra tree hashers after BN254 Poseidon (the STARK tree). */
  extraHashers?: TreeHasher[];
  /**
   * Worker threads that hash each block's BN254 tree update while the main thread goes on accepting transactions.
   * 0 (the default) hashes on the main thread: workers pay off only under load (the sequencer benchmark uses two).
   */
  hashingThreads?: number;
  /** How often the state's per-block records are folded into a checkpoint (storage/state-log.ts). */
  checkpoint?: CheckpointPolicy;
  now?: () => number;
};

type OpenBatch = {
  number: number;
  firstBlock: number;
  startedAt: number;
  oldRoots: bigint[];
  queueStart: number;
  ops: StoredOp[];
  fees: bigint;
  withdrawals: Withdrawal[];
};

type Arrival = {
  id: string;
  fields: UnsignedFields;
  bytes: Uint8Array;
  /** Set when the signature check answers. */
  outcome: VerifyOutcome | { error: unknown } | undefined;
  resolve: (r: { id: string }) => void;
  reject: (e: unknown) => void;
};

/** A FIFO that does not shift its array on every removal. */
class ArrivalQueue {
  private items: Arrival[] = [];
  private head = 0;
  push(a: Arrival): void {
    this.items.push(a);
  }
  peek(): Arrival | undefined {
    return this.items[this.head];
  }
  shift(): void {
    this.items[this.head++] = undefined!;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

type Events = {
  block: [Block];
  batch: [BatchOutput];
  dropped: [{ id: string; reason: RollupError }];
  error: [unknown];
};

/**
 * The L2 node core: acceptance (decode, checks, signature, mempool, persistence), the sequencer (a block per
 * interval, a batch by size or age), and the read API. The JSON-RPC server, SDK and CLI are thin layers on this.
 */
export class RollupNode extends EventEmitter<Events> {
  readonly config: RollupConfig;
  readonly state: State;
  readonly queue = new L1Queue();
  readonly mempool: Mempool;
  private readonly store: KvStore;
  private readonly verifier: SignatureVerifier;
  private readonly provers: ProverQueue[];
  private readonly treeHashing: TreeHashWorkers | undefined;
  private readonly stateLog: StateLog;
  private readonly pendingLog = new PendingLog();
  private readonly now: () => number;
  private tip: BlockHeader | undefined;
  private tipHash = ZERO_HASH;
  private batch!: OpenBatch;
  private l1Height = 0;
  private timer: NodeJS.Timeout | undefined;
  private producing: Promise<unknown> = Promise.resolve();
  private pendingWrites: { ops: KvOp[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled = false;
  private closed = false;

  private constructor(opts: RollupNodeOptions) {
    super();
    this.config = opts.config;
    this.store = opts.store;
    this.verifier = opts.verifier ?? new InlineVerifier();
    this.provers = opts.provers ?? [];
    this.now = opts.now ?? Date.now;
    this.treeHashing = opts.hashingThreads ? new TreeHashWorkers(opts.hashingThreads) : undefined;
    this.state = new State(opts.config.depth, [poseidonBn254Hasher, ...(opts.extraHashers ?? [])]);
    this.mempool = new Mempool(opts.config.mempool);
    this.stateLog = new StateLog(this.state, opts.checkpoint ?? DEFAULT_CHECKPOINT);
  }

  /** Opens the node on a store: creates genesis on an empty store, otherwise restores what was committed. */
  static async open(opts: RollupNodeOptions): Promise<RollupNode> {
    const node = new RollupNode(opts);
    await node.load();
    return node;
  }

  get height(): number {
    return this.tip?.number ?? 0;
  }

  get roots(): bigint[] {
    return this.state.roots;
  }

  /** Fees of the open batch, credited to account 0 when it closes. */
  get pendingFees(): bigint {
    return this.batch.fees;
  }

  get l1Tip(): number {
    return this.l1Height;
  }

  // ---------------------------------------------------------------- acceptance

  /**
   * Accepts a transaction (canonical bytes or object). Resolves once it is persisted, with its id; rejects with
   * a RollupError (stable code) and changes nothing if it is not acceptable.
   */
  submitTransaction(input: Uint8Array | L2Transaction): Promise<{ id: string }> {
    let arrival: Arrival;
    try {
      if (this.closed) fail('CLOSED', 'the node is closed');
      const bytes = input instanceof Uint8Array ? input : encodeTransaction(input);
      // Bytes are parsed here without unpacking the signature point; the verifier (a worker) does that.
      const parsed = input instanceof Uint8Array ? parseTransaction(bytes) : { fields: input, sigBytes: undefined };
      const fields = parsed.fields;
      const id = transactionId(bytes);
      checkShape(fields, this.config.depth);
      if (this.pendingTransaction(id)) fail('DUPLICATE', `transaction ${id} is already known`);
      // Cheap checks before the signature; the exact ones run in arrival order afterwards.
      const sender = this.state.getAccount(fields.from);
      if (fields.nonce < sender.nonce) return this.refuseOldNonce(id, fields);
      checkAgainstState(fields, this.state, fields.nonce, 0n);
      if (fields.nonce >= sender.nonce + this.config.mempool.maxPerAccount)
        fail('WRONG_NONCE', `nonce ${fields.nonce} is not next`, `account nonce ${sender.nonce}`);
      arrival = { id, fields, bytes, outcome: undefined, resolve: undefined!, reject: undefined! };
      const request = {
        msg: signedMessage(fields, this.config.chainId),
        sig: parsed.sigBytes ?? (input as L2Transaction).sig,
        A: { x: sender.ax, y: sender.ay },
      };
      this.verifier.verify([request]).then(
        ([outcome]) => this.verified(arrival, outcome ?? 'invalid'),
        (err: unknown) => this.verified(arrival, { error: err }),
      );
    } catch (err) {
      return Promise.reject(err);
    }
    this.arrivals.push(arrival);
    return new Promise((resolve, reject) => {
      arrival.resolve = resolve;
      arrival.reject = reject;
    });
  }

  /**
   * Submissions whose signature is checked or being checked, in arrival order. They are admitted strictly in that
   * order, so nonces one account sends back to back all fit whatever order the checks finish in.
   */
  private readonly arrivals = new ArrivalQueue();

  private verified(arrival: Arrival, outcome: Arrival['outcome']): void {
    arrival.outcome = outcome;
    const admitted: { arrival: Arrival; entry: MempoolEntry; replaced: MempoolEntry | undefined }[] = [];
    for (let next = this.arrivals.peek(); next?.outcome !== undefined; next = this.arrivals.peek()) {
      this.arrivals.shift();
      try {
        const done = this.admit(next);
        if (done) admitted.push({ arrival: next, entry: done.entry, replaced: done.replaced });
      } catch (err) {
        next.reject(err);
      }
    }
    if (admitted.length === 0) return;
    // Acknowledged only once the group's record is written (by the flush this waits for); a block may take the
    // entries meanwhile, and their record then stays until that block is stored.
    this.persist([]).then(
      () => {
        for (const { arrival: a, replaced } of admitted) {
          if (replaced)
            this.noteDropped(replaced.id, new RollupError('REPLACEMENT_UNDERPRICED', 'replaced by a higher fee'));
          a.resolve({ id: a.id });
        }
      },
      (err: unknown) => {
        for (const { arrival: a, entry } of admitted) {
          for (const e of this.mempool.dropFrom(entry)) this.pendingLog.release(e, 'dropped');
          a.reject(err);
        }
      },
    );
  }

  /** The checks after the signature's, against the state and the mempool as they are now; then the mempool. */
  private admit(a: Arrival): { entry: MempoolEntry; replaced: MempoolEntry | undefined } | undefined {
    const outcome = a.outcome!;
    if (typeof outcome === 'object' && 'error' in outcome) throw outcome.error;
    if (outcome === 'malformed')
      fail('MALFORMED_ENCODING', `${a.fields.type}: signature is not a valid point and scalar`);
    if (outcome === 'invalid')
      fail('BAD_SIGNATURE', `signature of ${a.id} does not verify for account ${a.fields.from}`);
    const tx = withSignature(a.fields, outcome);
    if (this.closed) fail('CLOSED', 'the node is closed');
    if (this.pendingTransaction(a.id)) fail('DUPLICATE', `transaction ${a.id} is already known`);
    // A block may have included it meanwhile (its nonce is then behind the account's).
    if (tx.nonce < this.state.getAccount(tx.from).nonce) {
      this.refuseOldNonce(a.id, tx).catch(a.reject);
      return undefined;
    }
    this.checkState(tx);
    const entry: MempoolEntry = { id: a.id, tx, bytes: a.bytes, receivedAt: this.now() };
    const replaced = this.mempool.insert(entry, this.state.getAccount(tx.from).nonce);
    this.pendingLog.add(entry);
    if (replaced) this.pendingLog.release(replaced, 'dropped');
    return { entry, replaced };
  }

  /** A nonce behind the account's: a transaction already included, or one that can never be. */
  private async refuseOldNonce(id: string, fields: UnsignedFields): Promise<never> {
    if (await this.findIncluded(id)) fail('DUPLICATE', `transaction ${id} is already known`);
    checkAgainstState(fields, this.state, fields.nonce, 0n);
    fail(
      'WRONG_NONCE',
      `nonce ${fields.nonce} is not next`,
      `account nonce ${this.state.getAccount(fields.from).nonce}`,
    );
  }

  private checkState(tx: L2Transaction): void {
    const acc = this.state.getAccount(tx.from);
    const { spent } = this.mempool.plan(tx, acc.nonce);
    checkAgainstState(tx, this.state, tx.nonce, spent);
  }

  /**
   * Adds a deposit or forced exit seen on Bitcoin (in L1 order). `extraWrites` (e.g. the L1 watcher's scan height)
   * are committed in the same atomic batch as the queue item.
   */
  async addL1Item(item: L1Item, extraWrites: KvOp[] = []): Promise<QueueEntry> {
    const bytes = encodeL1Item(item);
    if (item.type === 'deposit' && !isOnCurve(item.pubKey.x, item.pubKey.y))
      fail('INVALID_PARAMETER', 'deposit key is not a curve point');
    const entry = this.queue.push(item);
    await this.persist([{ type: 'put', key: keys.queue(entry.index), value: bytes }, ...extraWrites]);
    return entry;
  }

  /** The Bitcoin tip the sequencer sees (blocks record it; forced inclusion is judged against it). */
  setL1Height(height: number): void {
    if (height > this.l1Height) this.l1Height = height;
  }

  // ---------------------------------------------------------------- reads

  getAccount(index: number): Readonly<Account> & { index: number } {
    if (!Number.isInteger(index) || index < 0 || index >= this.state.capacity)
      fail('UNKNOWN_ACCOUNT', `account ${index} is outside the tree`);
    return { index, ...this.state.getAccount(index) };
  }

  /** The account holding this L2 key (the lowest index if several), for wallets that know only their key. */
  accountOf(pubKey: PublicKey): (Readonly<Account> & { index: number }) | undefined {
    const index = this.state.indexOfKey(pubKey.x, pubKey.y);
    return index === undefined ? undefined : this.getAccount(index);
  }

  async getTransactionStatus(id: string): Promise<TxStatus> {
    if (this.pendingTransaction(id)) return { status: 'pending', id };
    const inc = await this.findIncluded(id);
    if (inc) return { status: 'soft', id, ...inc };
    const dropped = this.dropped.get(id);
    return dropped
      ? { status: 'dropped', id, code: dropped.code, reason: dropped.shortMessage }
      : { status: 'unknown', id };
  }

  /**
   * A transaction not yet in a stored block: in the mempool, or in the block being written (it reads as pending
   * until that block is in the store, so "soft" always names a block a reader can fetch).
   */
  pendingTransaction(id: string): L2Transaction | undefined {
    return this.mempool.get(id)?.tx ?? this.beingWritten.get(id);
  }

  private readonly beingWritten = new Map<string, L2Transaction>();

  /** Recently dropped transactions (replaced, or no longer executable), kept in memory for status queries. */
  private readonly dropped = new Map<string, RollupError>();

  private noteDropped(id: string, reason: unknown): void {
    const err =
      reason instanceof RollupError
        ? reason
        : new RollupError('INVALID_PARAMETER', 'no longer executable', { cause: reason });
    if (this.dropped.size >= 100_000) this.dropped.delete(this.dropped.keys().next().value!);
    this.dropped.set(id, err);
    this.emit('dropped', { id, reason: err });
  }

  async getBlock(number: number): Promise<Block | undefined> {
    const bytes = await this.store.get(keys.block(number));
    return bytes ? decodeBlock(bytes, (i) => this.queue.get(i)?.item) : undefined;
  }

  async getBatch(number: number): Promise<BatchOutput | undefined> {
    const bytes = await this.store.get(keys.batch(number));
    return bytes ? decodeBatch(bytes) : undefined;
  }

  private async findIncluded(id: string): Promise<{ block: number; position: number; batch: number } | undefined> {
    if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
    const v = await this.store.get(keys.txIndex(hexToBytes(id)));
    return v ? decodeTxLocation(v) : undefined;
  }

  // ---------------------------------------------------------------- sequencer

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.produceBlock().catch((err: unknown) => this.emit('error', err));
    }, this.config.blockIntervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Builds, commits and persists one block now (blocks are serialised). Empty blocks are skipped. */
  produceBlock(opts: { force?: boolean } = {}): Promise<Block | undefined> {
    const run = this.producing.then(() => this.buildAndCommit(opts.force ?? false));
    this.producing = run.catch(() => undefined);
    return run;
  }

  private async buildAndCommit(force: boolean): Promise<Block | undefined> {
    const now = this.now();
    const overlay = new Overlay(this.state);
    const ops: StoredOp[] = [];
    const withdrawals: Withdrawal[] = [];
    let fees = 0n;
    // L1 items first, all that are available (forced inclusion is then met by construction).
    const consumedBefore = this.queue.consumed;
    for (const entry of this.queue.pending(this.l1Height)) {
      if (ops.length >= this.config.maxBlockOps) break;
      const item = entry.item;
      if (item.type === 'deposit') {
        const index = overlay.depositIndex(item.pubKey.x, item.pubKey.y);
        applyDeposit(item, index, overlay);
        ops.push({ kind: 'deposit', queueIndex: entry.index, item, index });
      } else {
        const applied = forcedExitApplies(item, overlay, this.config.depth, this.config.chainId);
        let withdrawn = 0n;
        if (applied) {
          const w = applyForcedExit(item, overlay);
          withdrawals.push(w);
          withdrawn = w.amount;
        }
        ops.push({ kind: 'forcedExit', queueIndex: entry.index, item, applied, withdrawn });
      }
    }
    const queueEnd = consumedBefore + ops.length;
    // A block filled with L1 items is the most a sequencer can do; otherwise nothing overdue may be left behind.
    if (ops.length < this.config.maxBlockOps) checkForcedInclusion(this.queue, consumedBefore, queueEnd, this.l1Height);
    const dropped: MempoolEntry[] = [];
    const included: MempoolEntry[] = [];
    this.mempool.select(this.config.maxBlockOps - ops.length, (entry) => {
      try {
        const r = applyTransaction(entry.tx, overlay);
        fees += r.fee;
        if (r.withdrawal) withdrawals.push(r.withdrawal);
        ops.push(
          entry.tx.type === 'transfer' ? { kind: 'transfer', tx: entry.tx } : { kind: 'withdraw', tx: entry.tx },
        );
        included.push(entry);
        return true;
      } catch (err) {
        for (const e of this.mempool.dropFrom(entry)) {
          this.pendingLog.release(e, 'dropped');
          dropped.push(Object.assign(e, { reason: err }));
        }
        return false;
      }
    });
    const batch = this.batch;
    const batchOps = batch.ops.length + ops.length;
    const closes =
      batchOps > 0 && (batchOps + 1 >= this.config.maxBatchOps || now - batch.startedAt >= this.config.maxBatchAgeMs);
    if (ops.length === 0 && !closes && !force) return undefined;
    if (closes) {
      const feeTotal = batch.fees + fees;
      applyFeeCredit(feeTotal, overlay);
      ops.push({ kind: 'feeCredit', amount: feeTotal });
    }
    // One rehash of every tree for the whole block. Accounts, the L1 queue and the mempool move on at once, so
    // submissions checked while the trees are hashed (on a worker) see the state after this block; its
    // transactions read as pending until the block is stored.
    const hashing = this.treeHashing
      ? this.state.commitAsync(overlay.changes, this.treeHashing)
      : Promise.resolve(this.state.commit(overlay.changes));
    const number = this.height + 1;
    this.queue.markConsumed(queueEnd);
    // Records of transactions that left before this block (or were dropped by it) are tidied in its batch; this
    // block's own transactions stay in theirs until it is stored.
    const writes: KvOp[] = this.pendingLog.tidy();
    for (const entry of included) {
      this.mempool.advance(entry.tx.from, entry.tx.nonce + 1);
      this.pendingLog.release(entry, 'included');
    }
    batch.ops.push(...ops);
    batch.fees += fees;
    batch.withdrawals.push(...withdrawals);
    const written: string[] = [];
    // The block's transactions follow its L1 items, in the order they were included.
    included.forEach(({ id, tx }, k) => {
      const position = queueEnd - consumedBefore + k;
      writes.push({
        type: 'put',
        key: keys.txIndex(hexToBytes(id)),
        value: encodeTxLocation({ block: number, position, batch: batch.number }),
      });
      this.beingWritten.set(id, tx);
      written.push(id);
    });
    let commit: StateCommit;
    try {
      commit = await hashing;
    } catch (err) {
      for (const id of written) this.beingWritten.delete(id);
      throw err;
    }
    const header: BlockHeader = {
      number,
      parentHash: this.tipHash,
      timestamp: now,
      l1Height: this.l1Height,
      roots: commit.roots,
      queueEnd,
      batchNumber: batch.number,
      closesBatch: closes,
    };
    const block: Block = { header, hash: blockHash(header), ops };
    const knownBytes = new Map(included.map((e) => [e.tx, e.bytes]));
    writes.unshift({ type: 'put', key: keys.block(header.number), value: encodeBlock(block, knownBytes) });
    // A checkpoint can be hundreds of thousands of writes: appended one by one, not spread as arguments.
    for (const op of this.stateLog.writesFor(number, commit)) writes.push(op);
    let output: BatchOutput | undefined;
    if (closes) {
      output = this.closeBatch(header);
      writes.push({ type: 'put', key: keys.batch(output.batchNumber), value: encodeBatch(output) });
    }
    writes.push({ type: 'put', key: keys.tip(), value: writeU64(header.number) });
    this.tip = header;
    this.tipHash = block.hash;
    try {
      await this.persist(writes);
    } finally {
      for (const id of written) this.beingWritten.delete(id);
    }
    for (const e of dropped) this.noteDropped(e.id, (e as MempoolEntry & { reason: unknown }).reason);
    this.emit('block', block);
    if (output) {
      this.emit('batch', output);
      for (const prover of this.provers)
        void prover.submit({
          id: `${prover.system}-${output.batchNumber}`,
          system: prover.system,
          output,
          ops: this.lastBatchOps,
        });
    }
    return block;
  }

  private lastBatchOps: Op[] = [];

  private closeBatch(last: BlockHeader): BatchOutput {
    const b = this.batch;
    const da: DaOp[] = b.ops.map(toDaOp).filter((x): x is DaOp => x !== undefined);
    const partial: Omit<BatchOutput, 'publicInput'> = {
      batchNumber: b.number,
      chainId: this.config.chainId,
      firstBlock: b.firstBlock,
      lastBlock: last.number,
      oldRoots: b.oldRoots,
      newRoots: last.roots,
      dataDigest: dataDigest(da),
      withdrawalRoot: withdrawalRoot(b.withdrawals, this.config.withdrawalDepth),
      withdrawals: b.withdrawals,
      queueStart: b.queueStart,
      queueEnd: last.queueEnd,
      queueHashStart: this.queue.chainAt(b.queueStart),
      queueHashEnd: this.queue.chainAt(last.queueEnd),
      data: encodeDa(da, this.config.depth),
    };
    this.lastBatchOps = b.ops;
    const output = { ...partial, publicInput: publicInput(partial) };
    this.batch = {
      number: b.number + 1,
      firstBlock: last.number + 1,
      startedAt: this.now(),
      oldRoots: last.roots,
      queueStart: last.queueEnd,
      ops: [],
      fees: 0n,
      withdrawals: [],
    };
    return output;
  }

  // ---------------------------------------------------------------- storage

  /** Group commit: writes issued in the same tick share one atomic LevelDB batch. */
  private persist(ops: KvOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingWrites.push({ ops, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const group = this.pendingWrites;
    this.pendingWrites = [];
    // Groups are written strictly in order (a block's deletions must land after the entries they delete).
    const previous = this.flushing;
    let done!: () => void;
    this.flushing = new Promise<void>((r) => (done = r));
    await previous;
    try {
      const ops = group.flatMap((g) => g.ops);
      for (const op of this.pendingLog.flush()) ops.push(op);
      await this.store.write(ops);
      for (const g of group) g.resolve();
    } catch (cause) {
      const err = new RollupError('STORAGE', 'writing to the store failed', { cause });
      for (const g of group) g.reject(err);
    } finally {
      done();
    }
  }

  private flushing: Promise<void> = Promise.resolve();

  private async load(): Promise<void> {
    const tipBytes = await this.store.get(keys.tip());
    const genesis = {
      depth: this.config.depth,
      chainId: this.config.chainId,
      feeAccountKey: [this.config.feeAccountKey.x.toString(16), this.config.feeAccountKey.y.toString(16)],
      // The stored tree nodes are only meaningful under the same hashers (and tree shapes).
      trees: this.state.trees.map((t) => t.hasher.id),
      // 2: checkpoints in chunks of 1,024 accounts or nodes (layout.ts).
      storageVersion: 2,
    };
    if (!tipBytes) {
      const feeAccount: Account = {
        ax: this.config.feeAccountKey.x,
        ay: this.config.feeAccountKey.y,
        balance: 0n,
        nonce: 0,
      };
      const commit = this.state.commit(new Map([[FEE_ACCOUNT, feeAccount]]));
      const writes: KvOp[] = [
        { type: 'put', key: keys.genesis(), value: new TextEncoder().encode(JSON.stringify(genesis)) },
        ...this.stateLog.writesFor(0, commit, { checkpoint: true }),
      ];
      writes.push({ type: 'put', key: keys.tip(), value: writeU64(0) });
      await this.store.write(writes);
      this.batch = this.freshBatch(1, 1, 0);
      return;
    }
    const storedGenesis = await this.store.get(keys.genesis());
    if (!storedGenesis || new TextDecoder().decode(storedGenesis) !== JSON.stringify(genesis))
      fail(
        'INVALID_PARAMETER',
        'the store was created with different genesis parameters (depth, chain id, fee key, state trees or storage version)',
        `stored ${storedGenesis ? new TextDecoder().decode(storedGenesis) : 'nothing'}, configured ${JSON.stringify(genesis)}`,
      );
    for await (const [k, v] of this.store.scan(Uint8Array.of(PREFIX.queue))) {
      const entry = this.queue.push(decodeL1Item(v));
      if (entry.index !== readU64(k, 1)) fail('STORAGE', 'the stored L1 queue has a gap');
    }
    for await (const [k, v] of this.store.scan(Uint8Array.of(PREFIX.account))) this.stateLog.loadAccounts(k, v);
    for await (const [k, v] of this.store.scan(Uint8Array.of(PREFIX.node))) this.stateLog.loadNodes(k, v);
    for await (const [k, v] of this.store.scan(Uint8Array.of(PREFIX.stateLog))) this.stateLog.replay(readU64(k, 1), v);
    const tipNumber = readU64(tipBytes, 0);
    // The open batch is rebuilt from the blocks after the last closed one.
    let lastBatch: BatchOutput | undefined;
    for await (const [, v] of this.store.scan(Uint8Array.of(PREFIX.batch))) lastBatch = decodeBatch(v);
    this.batch = lastBatch
      ? this.freshBatch(lastBatch.batchNumber + 1, lastBatch.lastBlock + 1, lastBatch.queueEnd, lastBatch.newRoots)
      : this.freshBatch(1, 1, 0);
    let queueEnd = lastBatch?.queueEnd ?? 0;
    for (let n = this.batch.firstBlock; n <= tipNumber; n++) {
      const block = await this.getBlock(n);
      if (!block) fail('STORAGE', `block ${n} is missing`);
      this.batch.ops.push(...block.ops);
      for (const op of block.ops) {
        if (op.kind === 'transfer' || op.kind === 'withdraw') this.batch.fees += op.tx.fee;
        if (op.kind === 'withdraw') this.batch.withdrawals.push({ script: op.tx.script, amount: op.tx.amount });
        if (op.kind === 'forcedExit' && op.applied)
          this.batch.withdrawals.push({ script: op.item.script, amount: op.withdrawn ?? 0n });
      }
      queueEnd = block.header.queueEnd;
    }
    if (tipNumber > 0) {
      const tipBlock = await this.getBlock(tipNumber);
      if (!tipBlock) fail('STORAGE', `tip block ${tipNumber} is missing`);
      this.tip = tipBlock.header;
      this.tipHash = tipBlock.hash;
      queueEnd = tipBlock.header.queueEnd;
      this.l1Height = tipBlock.header.l1Height;
      const roots = this.state.roots;
      if (roots.some((r, i) => r !== tipBlock.header.roots[i]))
        fail('STORAGE', 'stored state does not match the tip block roots');
    }
    this.queue.markConsumed(queueEnd);
    // Pending transactions: re-admitted in nonce order without re-checking signatures (they were checked before
    // they were written); ones that no longer fit are dropped.
    // (Included ones are among them until the record is tidied: their nonce is behind the account's.)
    const pending: MempoolEntry[] = [];
    for await (const [k, v] of this.store.scan(Uint8Array.of(PREFIX.pending)))
      for (const e of this.pendingLog.read(readU64(k, 1), v)) pending.push(e);
    pending.sort((a, b) => a.tx.from - b.tx.from || a.tx.nonce - b.tx.nonce);
    for (const e of pending) {
      try {
        this.checkState(e.tx);
        const replaced = this.mempool.insert(e, this.state.getAccount(e.tx.from).nonce);
        if (replaced) this.pendingLog.release(replaced, 'dropped');
      } catch {
        this.pendingLog.release(e, 'dropped');
      }
    }
    await this.store.write(this.pendingLog.tidy());
  }

  private freshBatch(number: number, firstBlock: number, queueStart: number, oldRoots?: bigint[]): OpenBatch {
    return {
      number,
      firstBlock,
      startedAt: this.now(),
      oldRoots: oldRoots ?? this.state.roots,
      queueStart,
      ops: [],
      fees: 0n,
      withdrawals: [],
    };
  }

  async close(): Promise<void> {
    this.stop();
    this.closed = true;
    await this.producing;
    await this.verifier.close();
    await this.treeHashing?.close();
    await this.store.close();
  }
}

import { EventEmitter } from 'node:events';
import type { BitcoinClient } from '../bitcoin/index.ts';
import type { BatchOutput, L1Item, RollupNode } from '../rollup/index.ts';
import type { ProofChecker } from './derive.ts';
import { AnchorError } from './errors.ts';
import { DEFAULT_FEE_POLICY, estimateFeeRate } from './fees.ts';
import type { FeePolicy } from './fees.ts';
import { commitmentId, proofDigest, ZERO_COMMITMENT } from './header.ts';
import type { CommitmentHeader } from './header.ts';
import { encodePayload, headerFromBatch } from './payload.ts';
import type { PayloadLayout, PayloadOptions, Proofs } from './payload.ts';
import { buildCommitment } from './transactions.ts';
import type { BuiltCommitment, BuiltTx, ChainOutput } from './transactions.ts';

/** Finality of a batch on Bitcoin (ARCHITECTURE.md, "Finality, as a user sees it"); `queued` is not posted yet. */
export type AnchorStatus = 'queued' | 'posted' | 'anchored' | 'proven' | 'final';

export type AnchorRecord = {
  batchNumber: number;
  status: AnchorStatus;
  header: CommitmentHeader;
  layout: PayloadLayout;
  payload: Uint8Array;
  proofs: Proofs;
  /** The chain output this commitment spends (kept to rebuild it for a fee bump). */
  chainInput?: ChainOutput;
  built?: BuiltCommitment;
  feeRate?: number;
  /** Bitcoin height when (last) broadcast. */
  postedAt?: number;
  /** Confirmations of the least-confirmed of its transactions. */
  confirmations: number;
  /** Confirmations of the commit transaction alone (a fee bump is only possible while it is 0). */
  commitConfirmations: number;
  /** Bitcoin block holding the commit transaction, once mined. */
  blockHash?: string;
};

export type StatusChange = { batchNumber: number; status: AnchorStatus; previous: AnchorStatus; confirmations: number };

export type AnchorerOptions = {
  client: BitcoinClient;
  /** The sequencer's Bitcoin secret key: signs envelopes and owns the chain output. */
  secretKey: Uint8Array;
  /** The configured genesis outpoint (a key-path P2TR output of the sequencer key) with its value. */
  genesis: ChainOutput;
  /**
   * Continue an existing chain after a restart instead of starting at the genesis: the unspent chain output, the id
   * of the last posted header and its batch number (a `VerifierNode` synced to the tip knows all three).
   */
  resume?: { chain: ChainOutput; lastCommitment: Uint8Array; lastBatch: number };
  /** Confirmations for `anchored` (default 6; regtest tests use fewer). */
  confirmations?: number;
  /** Extra blocks after `proven` before `final` (a challenge window; default 0). */
  finalityBlocks?: number;
  fees?: Partial<FeePolicy>;
  /** Blocks a commitment may wait unconfirmed before it is fee-bumped (default 3). */
  bumpAfterBlocks?: number;
  payload?: PayloadOptions;
  /** Verifies a batch's proofs against its anchored header; without it nothing gets past `anchored`. */
  proofChecker?: ProofChecker;
  log?: (line: string) => void;
};

type Events = { status: [StatusChange]; error: [unknown] };

/** Confirmations beyond `anchored` after which a commitment is no longer watched for reorgs. */
const SETTLED_DEPTH = 100;

/** What the node's finality tracker hears (same shape as `AnchorUpdate` in src/node/finality.ts). */
export type AnchorUpdate = { batchNumber: number; status: 'posted' | 'anchored' | 'final'; l1Txid?: string };
export type NodeAnchorSeam = {
  submit(batch: BatchOutput): Promise<void>;
  onUpdate(listener: (update: AnchorUpdate) => void): void;
};

/**
 * Posts closed batches to Bitcoin as a chain of commit/reveal commitments and tracks their finality: posted →
 * anchored (k confirmations) → proven → final. A reorg that drops a commitment moves it back to posted; if its
 * transactions are gone from the node too, they are broadcast again. Commitments stuck in the mempool are
 * replaced at a higher fee (BIP125) together with the ones built on them.
 */
export class Anchorer extends EventEmitter<Events> {
  private readonly records: AnchorRecord[] = [];
  private chainTip: ChainOutput;
  private lastCommitment: Uint8Array = ZERO_COMMITMENT;
  private readonly fees: FeePolicy;
  private readonly k: number;
  private readonly log: (line: string) => void;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: AnchorerOptions) {
    super();
    this.chainTip = opts.resume?.chain ?? opts.genesis;
    this.lastCommitment = opts.resume?.lastCommitment ?? ZERO_COMMITMENT;
    this.fees = { ...DEFAULT_FEE_POLICY, ...opts.fees };
    this.k = opts.confirmations ?? 6;
    if (!Number.isInteger(this.k) || this.k < 1)
      throw new AnchorError('INVALID_PARAMETER', 'confirmations must be ≥ 1');
    this.log = opts.log ?? (() => {});
  }

  /** Queues a closed batch (in batch order); it is posted by the next `tick`. */
  submit(batch: BatchOutput, l1Items: L1Item[], proofs: Proofs = {}): AnchorRecord {
    const last = this.records[this.records.length - 1];
    const expected = (last?.batchNumber ?? this.opts.resume?.lastBatch ?? 0) + 1;
    if (batch.batchNumber !== expected)
      throw new AnchorError('INVALID_PARAMETER', `batch ${batch.batchNumber} submitted, expected ${expected}`);
    if (l1Items.length !== batch.queueEnd - batch.queueStart)
      throw new AnchorError('INVALID_PARAMETER', 'the L1 items do not cover the batch queue range');
    const header = headerFromBatch(batch, ZERO_COMMITMENT, proofs);
    const record: AnchorRecord = {
      batchNumber: batch.batchNumber,
      status: 'queued',
      header,
      layout: { header: 0, data: 0, proofs: 0, total: 0 },
      payload: new Uint8Array(),
      proofs,
      confirmations: 0,
      commitConfirmations: 0,
    };
    // The data is kept until posting, when the previous commitment's id is known.
    pendingData.set(record, { data: batch.data, l1Items });
    this.records.push(record);
    return record;
  }

  /**
   * The seam for the provers: proofs that arrive before the batch is posted go into its payload and header. (Once
   * posted, the header is fixed on Bitcoin.)
   */
  attachProofs(batchNumber: number, proofs: Proofs): void {
    const r = this.status(batchNumber);
    if (!r) throw new AnchorError('INVALID_PARAMETER', `batch ${batchNumber} is unknown`);
    if (r.status !== 'queued') throw new AnchorError('INVALID_PARAMETER', `batch ${batchNumber} is already posted`);
    r.proofs = { ...r.proofs, ...proofs };
    r.header = {
      ...r.header,
      snarkProofDigest: proofDigest(r.proofs.snark),
      starkProofDigest: proofDigest(r.proofs.stark),
    };
  }

  /** Anchors every batch `node` closes from now on. */
  attach(node: RollupNode): void {
    node.on('batch', (batch) => {
      try {
        const items: L1Item[] = [];
        for (let i = batch.queueStart; i < batch.queueEnd; i++) items.push(node.queue.get(i)!.item);
        this.submit(batch, items);
      } catch (err) {
        this.emit('error', err);
      }
    });
  }

  /**
   * The shape `KeelNode` takes as its anchorer (src/node/finality.ts): batches in, updates out. L1 items come from
   * `node`'s queue. `proven` is the node's own verdict from its provers, so it is not forwarded.
   */
  nodeSeam(node: RollupNode): NodeAnchorSeam {
    return {
      submit: async (batch) => {
        const items: L1Item[] = [];
        for (let i = batch.queueStart; i < batch.queueEnd; i++) items.push(node.queue.get(i)!.item);
        this.submit(batch, items);
      },
      onUpdate: (listener) => {
        this.on('status', (c) => {
          if (c.status === 'posted' || c.status === 'anchored' || c.status === 'final')
            listener({
              batchNumber: c.batchNumber,
              status: c.status,
              l1Txid: this.status(c.batchNumber)?.built?.commit.txid,
            });
        });
      },
    };
  }

  status(batchNumber: number): AnchorRecord | undefined {
    return this.records.find((r) => r.batchNumber === batchNumber);
  }

  /** The chain output the next commitment will spend. */
  get chainOutput(): ChainOutput {
    return this.chainTip;
  }

  /** Id of the last posted header (what the next header links to). */
  get lastCommitmentId(): Uint8Array {
    return this.lastCommitment;
  }

  get all(): readonly AnchorRecord[] {
    return this.records;
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.emit('error', err));
    }, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: post queued batches, update confirmations, re-post dropped and bump stuck commitments. */
  tick(): Promise<void> {
    const run = this.running.then(() => this.round());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async round(): Promise<void> {
    const height = await this.opts.client.getBlockCount();
    for (const r of this.records) {
      // Buried this deep a commitment is treated as settled: no more RPC per tick, and its payload is released.
      if (r.status === 'queued' || r.confirmations >= this.k + SETTLED_DEPTH) continue;
      await this.track(r, height);
      if (r.confirmations >= this.k + SETTLED_DEPTH) r.payload = new Uint8Array();
    }
    const stuck = this.records.findIndex(
      (r) =>
        r.status === 'posted' &&
        r.commitConfirmations === 0 &&
        r.postedAt !== undefined &&
        height - r.postedAt >= (this.opts.bumpAfterBlocks ?? 3),
    );
    if (stuck >= 0) await this.bump(stuck, height);
    for (const r of this.records) if (r.status === 'queued') await this.post(r, height);
  }

  private async post(r: AnchorRecord, height: number): Promise<void> {
    const feeRate = await estimateFeeRate(this.opts.client, this.fees);
    const source = pendingData.get(r)!;
    r.header = { ...r.header, prevCommitment: this.lastCommitment };
    const { bytes, layout } = encodePayload(
      { header: r.header, data: source.data, l1Items: source.l1Items, proofs: r.proofs },
      this.opts.payload,
    );
    r.payload = bytes;
    r.layout = layout;
    r.chainInput = this.chainTip;
    r.built = buildCommitment({ payload: bytes, secretKey: this.opts.secretKey, chainInput: this.chainTip, feeRate });
    r.feeRate = feeRate;
    await this.broadcast(r.built);
    pendingData.delete(r);
    this.chainTip = r.built.chain;
    this.lastCommitment = commitmentId(r.header);
    r.postedAt = height;
    this.log(
      `anchor: batch ${r.batchNumber} posted in ${r.built.commit.txid} + ${r.built.reveals.length} reveal(s), ` +
        `${layout.total} bytes at ${feeRate} sat/vB`,
    );
    this.setStatus(r, 'posted');
  }

  /**
   * Sends a commitment's transactions in order. Core caps an unconfirmed chain at 101 kvB of descendants, so a large
   * commitment (or a long run of unconfirmed ones) goes out in waves: what the mempool refuses for that reason is
   * sent again by later ticks, once its parents are mined.
   */
  private async broadcast(built: BuiltCommitment): Promise<void> {
    for (const tx of [built.commit, ...built.reveals]) if (!(await this.send(tx))) return;
  }

  /** false: deferred by the mempool's chain limits (retried later); other refusals throw. */
  private async send(tx: BuiltTx): Promise<boolean> {
    try {
      await this.opts.client.sendRawTransaction(tx.hex);
      return true;
    } catch (cause) {
      const code = (cause as { code?: number }).code;
      const text = String((cause as Error).message);
      // Already in a block or in the mempool: nothing to do.
      if (code === -27 || /already/i.test(text)) return true;
      if (/too-long-mempool-chain|missing-inputs|bad-txns-inputs-missingorspent/.test(text) && code !== -22) {
        this.log(`anchor: ${tx.txid} deferred (${text.split('\n')[0]})`);
        return false;
      }
      throw new AnchorError('BROADCAST_FAILED', `could not broadcast ${tx.txid}`, { cause });
    }
  }

  private async track(r: AnchorRecord, height: number): Promise<void> {
    const built = r.built!;
    let least = Infinity;
    let commitBlock: string | undefined;
    for (const tx of [built.commit, ...built.reveals]) {
      let confirmations = 0;
      try {
        const info = await this.opts.client.getRawTransactionVerbose(tx.txid);
        confirmations = info.confirmations ?? 0;
        if (tx === built.commit) {
          commitBlock = info.blockhash;
          r.commitConfirmations = confirmations;
        }
      } catch (err) {
        if ((err as { code?: number }).code !== -5) throw err;
        // Neither in a block nor in the mempool: deferred by the chain limits, or dropped by a reorg the node
        // did not return it from. Post it (again).
        if (await this.send(tx)) this.log(`anchor: batch ${r.batchNumber}: (re-)posted ${tx.txid}`);
      }
      least = Math.min(least, confirmations);
    }
    r.confirmations = least;
    r.blockHash = commitBlock;
    if (r.status === 'final') return;
    if (least < this.k) {
      if (r.status !== 'posted') {
        this.log(`anchor: batch ${r.batchNumber} lost its confirmations (reorg), back to posted`);
        r.postedAt = height;
        this.setStatus(r, 'posted');
      }
      return;
    }
    if (r.status === 'posted') this.setStatus(r, 'anchored');
    if (r.status === 'anchored' && (await this.proofsVerify(r))) this.setStatus(r, 'proven');
    if (r.status === 'proven' && least >= this.k + (this.opts.finalityBlocks ?? 0)) this.setStatus(r, 'final');
  }

  private async proofsVerify(r: AnchorRecord): Promise<boolean> {
    const checker = this.opts.proofChecker;
    if (!checker || !r.proofs.snark || !r.proofs.stark) return false;
    if (r.header.snarkProofDigest === 0n || r.header.starkProofDigest === 0n) return false;
    const v = await checker(r.header, r.proofs);
    return v.snark === true && v.stark === true;
  }

  /**
   * Replaces the stuck commitment `index` and everything built on it at a higher fee rate. BIP125 wants the new
   * commit to pay more than all it evicts (the old commit, its reveals and the later commitments) plus its own relay.
   */
  async bump(index: number, height?: number): Promise<void> {
    const tip = height ?? (await this.opts.client.getBlockCount());
    const chain = this.records
      .slice(index)
      .filter((r) => r.built && r.status === 'posted' && r.commitConfirmations === 0);
    if (chain.length === 0) return;
    const evicted = chain.reduce(
      (n, r) => n + r.built!.commit.fee + r.built!.reveals.reduce((m, t) => m + t.fee, 0n),
      0n,
    );
    const estimate = await estimateFeeRate(this.opts.client, this.fees);
    const old = chain[0]!.feeRate ?? this.fees.fallback;
    const feeRate = Math.min(Math.max(estimate, old * 1.5, old + 1), this.fees.max);
    let input = chain[0]!.chainInput!;
    for (const [i, r] of chain.entries()) {
      const minCommitFee = i === 0 ? evicted + BigInt(r.built!.commit.vsize) : undefined;
      const built = buildCommitment({
        payload: r.payload,
        secretKey: this.opts.secretKey,
        chainInput: input,
        feeRate,
        minCommitFee,
      });
      r.chainInput = input;
      r.built = built;
      r.feeRate = feeRate;
      r.postedAt = tip;
      input = built.chain;
    }
    for (const r of chain) await this.broadcast(r.built!);
    if (chain[chain.length - 1] === this.records.filter((r) => r.built).at(-1)) this.chainTip = input;
    this.log(`anchor: bumped batches ${chain.map((r) => r.batchNumber).join(', ')} to ${feeRate} sat/vB`);
  }

  private setStatus(r: AnchorRecord, status: AnchorStatus): void {
    const previous = r.status;
    if (previous === status) return;
    r.status = status;
    this.emit('status', { batchNumber: r.batchNumber, status, previous, confirmations: r.confirmations });
  }
}

const pendingData = new WeakMap<AnchorRecord, { data: Uint8Array; l1Items: L1Item[] }>();

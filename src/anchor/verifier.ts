import { EventEmitter } from 'node:events';
import type { BitcoinClient, BlockVerbose, TxVerbose } from '../bitcoin/index.ts';
import type { Account } from '../rollup/index.ts';
import { DerivedState } from './derive.ts';
import type { DeriveConfig, FailedCheck, ProofChecker } from './derive.ts';
import { leafScriptOf, parseEnvelope } from './envelope.ts';
import { AnchorError } from './errors.ts';
import type { CommitmentHeader } from './header.ts';
import { decodePayload } from './payload.ts';
import type { Outpoint } from './transactions.ts';

export type VerifierOptions = {
  /** The only thing the verifier reads: a Bitcoin Core compatible RPC. */
  client: BitcoinClient;
  /** The configured first link of the commitment chain. */
  genesis: Outpoint;
  /** The sequencer's x-only key (envelopes must be signed by it). */
  sequencerKey: Uint8Array;
  rollup: DeriveConfig;
  /** First Bitcoin block to scan (the block holding the genesis outpoint, or earlier). */
  startHeight?: number;
  /** Only blocks with at least this many confirmations are read (1 = up to the tip). */
  confirmations?: number;
  proofChecker?: ProofChecker;
  log?: (line: string) => void;
};

export type VerifiedBatch = {
  batchNumber: number;
  roots: bigint[];
  header: CommitmentHeader;
  commitTxid: string;
  l1Height: number;
};
export type FlaggedBatch = {
  batchNumber: number;
  check: FailedCheck;
  reason: string;
  commitTxid: string;
  l1Height: number;
};
export type IgnoredCommitment = { txid: string; l1Height: number; reason: string };

type Events = { batch: [VerifiedBatch]; flagged: [FlaggedBatch]; ignored: [IgnoredCommitment]; reorg: [number] };

type Pending = {
  commitTxid: string;
  envelopes: number;
  parts: Map<number, Uint8Array>;
  count?: number;
  height: number;
};

/**
 * A node that rebuilds Keel from Bitcoin alone: it follows the commitment chain from the genesis outpoint, collects
 * each commitment's reveals, decompresses and re-executes the batch, and checks every root (and the proofs, through
 * `proofChecker`). Anything malformed or off-chain is logged and ignored; a batch that fails a check is flagged and
 * leaves the state untouched.
 */
export class VerifierNode extends EventEmitter<Events> {
  private derived: DerivedState;
  private chainTip: Outpoint;
  private pending: Pending[] = [];
  /** Hashes of the blocks read, by height, to notice a reorg. */
  private hashes = new Map<number, string>();
  private height: number;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<number> | undefined;
  readonly verified: VerifiedBatch[] = [];
  readonly flagged: FlaggedBatch[] = [];
  readonly ignored: IgnoredCommitment[] = [];
  private readonly log: (line: string) => void;

  constructor(private readonly opts: VerifierOptions) {
    super();
    if (opts.sequencerKey.length !== 32)
      throw new AnchorError('INVALID_PARAMETER', 'the sequencer key must be a 32-byte x-only key');
    this.log = opts.log ?? (() => {});
    this.derived = new DerivedState(opts.rollup);
    this.chainTip = opts.genesis;
    this.height = (opts.startHeight ?? 0) - 1;
  }

  get roots(): bigint[] {
    return this.derived.roots;
  }
  /** Number of the last batch that passed every check (0 before the first). */
  get batchNumber(): number {
    return this.derived.batchNumber;
  }
  /** Height of the last Bitcoin block read. */
  get l1Height(): number {
    return this.height;
  }
  /** The chain output the next commitment must spend (a restarted sequencer can resume from here). */
  get chainOutpoint(): Outpoint {
    return this.chainTip;
  }
  /** Id of the last accepted header: what the next batch's header must link to. */
  get lastCommitmentId(): Uint8Array {
    return this.derived.lastCommitment;
  }
  get chainId(): number {
    return this.opts.rollup.chainId;
  }
  /** The account at `index`, or undefined outside the tree. */
  getAccount(index: number): Readonly<Account> | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.derived.state.capacity) return undefined;
    return this.derived.state.getAccount(index);
  }
  /** The lowest account index holding this L2 key, as the sequencer answers it. */
  indexOfKey(x: bigint, y: bigint): number | undefined {
    return this.derived.state.indexOfKey(x, y);
  }
  batch(number: number): VerifiedBatch | undefined {
    return this.verified.find((b) => b.batchNumber === number);
  }

  /** Reads every new block; resolves with the height reached. Calls are serialised. */
  sync(): Promise<number> {
    const run = (this.syncing ?? Promise.resolve(0)).then(() => this.syncOnce());
    this.syncing = run.catch(() => this.height);
    return run;
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sync().catch((err: unknown) => this.log(`verifier: sync failed: ${String(err)}`));
    }, intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async syncOnce(): Promise<number> {
    const client = this.opts.client;
    const tip = await client.getBlockCount();
    if (this.height >= (this.opts.startHeight ?? 0)) {
      const known = this.hashes.get(this.height);
      const now = this.height <= tip ? await client.getBlockHash(this.height) : undefined;
      if (now !== known) this.reset(`block ${this.height} was reorganised away`);
    }
    const last = tip - ((this.opts.confirmations ?? 1) - 1);
    while (this.height < last) {
      const h = this.height + 1;
      const hash = await client.getBlockHash(h);
      const block = await client.getBlockWithTxs(hash);
      if (block.previousblockhash && this.hashes.has(h - 1) && this.hashes.get(h - 1) !== block.previousblockhash) {
        this.reset(`block ${h - 1} changed while reading`);
        continue;
      }
      this.readBlock(block, h);
      await this.drain(h);
      this.hashes.set(h, hash);
      this.hashes.delete(h - 200);
      this.height = h;
    }
    return this.height;
  }

  /** A reorg below what was read: start over from genesis (state is rebuilt from Bitcoin, as at first start). */
  private reset(reason: string): void {
    this.log(`verifier: ${reason}; rebuilding from the genesis outpoint`);
    this.emit('reorg', this.height);
    this.derived = new DerivedState(this.opts.rollup);
    this.chainTip = this.opts.genesis;
    this.pending = [];
    this.hashes.clear();
    this.height = (this.opts.startHeight ?? 0) - 1;
    this.verified.length = 0;
    this.flagged.length = 0;
  }

  private ignore(txid: string, l1Height: number, reason: string): void {
    const entry = { txid, l1Height, reason };
    this.ignored.push(entry);
    if (this.ignored.length > 1000) this.ignored.shift();
    this.log(`verifier: ignored ${txid} at ${l1Height}: ${reason}`);
    this.emit('ignored', entry);
  }

  private readBlock(block: BlockVerbose<TxVerbose>, height: number): void {
    for (const tx of block.tx) {
      for (const vin of tx.vin) {
        if (vin.txid === undefined) continue;
        if (vin.txid === this.chainTip.txid && vin.vout === this.chainTip.vout) {
          // The one spend of the chain output is the next link, whatever it carries: there is one history.
          this.chainTip = { txid: tx.txid, vout: 0 };
          const envelopes = tx.vout.length - 1;
          if (envelopes < 1) this.ignore(tx.txid, height, 'commitment link without envelope outputs');
          else this.pending.push({ commitTxid: tx.txid, envelopes, parts: new Map(), height });
          continue;
        }
        this.readEnvelope(tx, vin.txid, vin.vout ?? 0, vin.txinwitness ?? [], height);
      }
    }
  }

  private readEnvelope(tx: TxVerbose, prevTxid: string, prevVout: number, witnessHex: string[], height: number): void {
    const witness = witnessHex.map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
    const leaf = leafScriptOf(witness);
    if (!leaf) return;
    const pending = this.pending.find((p) => p.commitTxid === prevTxid);
    let part;
    try {
      part = parseEnvelope(leaf);
    } catch (err) {
      // Other protocols' script paths are none of our business; only a spend of a commitment output is reported.
      if (pending) this.ignore(tx.txid, height, `malformed envelope: ${(err as AnchorError).shortMessage}`);
      return;
    }
    if (!pending) return this.ignore(tx.txid, height, 'envelope outside the commitment chain');
    if (!part.key.every((b, i) => b === this.opts.sequencerKey[i]))
      return this.ignore(tx.txid, height, 'envelope not locked to the sequencer key');
    if (prevVout !== part.index + 1 || part.count !== pending.envelopes || (pending.count ?? part.count) !== part.count)
      return this.ignore(tx.txid, height, `envelope part ${part.index}/${part.count} does not fit output ${prevVout}`);
    pending.count = part.count;
    pending.parts.set(part.index, part.data);
  }

  /** Processes complete commitments in chain order. */
  private async drain(height: number): Promise<void> {
    while (this.pending.length > 0) {
      const head = this.pending[0]!;
      if (head.count === undefined || head.parts.size < head.count) return;
      this.pending.shift();
      const size = [...head.parts.values()].reduce((n, p) => n + p.length, 0);
      const payload = new Uint8Array(size);
      let off = 0;
      for (let i = 0; i < head.count; i++) {
        payload.set(head.parts.get(i)!, off);
        off += head.parts.get(i)!.length;
      }
      await this.process(head.commitTxid, payload, height);
    }
  }

  private async process(commitTxid: string, payload: Uint8Array, height: number): Promise<void> {
    let c;
    try {
      c = decodePayload(payload);
    } catch (err) {
      return this.ignore(commitTxid, height, `garbage payload: ${(err as AnchorError).shortMessage ?? String(err)}`);
    }
    const h = c.header;
    const expected = this.derived.batchNumber + 1;
    if (h.batchNumber !== expected)
      return this.ignore(commitTxid, height, `batch number ${h.batchNumber}, expected ${expected}`);
    if (!h.prevCommitment.every((b, i) => b === this.derived.lastCommitment[i]))
      return this.ignore(commitTxid, height, 'previous-commitment link breaks the chain');
    let result;
    try {
      result = await this.derived.apply(c, this.opts.proofChecker);
    } catch (err) {
      // apply() reports every check as a result; an exception here is a bug or a failing proof checker, and must not
      // stop the node (the state is only changed after every check passed).
      return this.ignore(commitTxid, height, `could not check batch ${h.batchNumber}: ${String(err)}`);
    }
    if (!result.ok) {
      const entry = {
        batchNumber: h.batchNumber,
        check: result.check,
        reason: result.reason,
        commitTxid,
        l1Height: height,
      };
      this.flagged.push(entry);
      this.log(`verifier: batch ${h.batchNumber} FLAGGED (${result.check}): ${result.reason}`);
      this.emit('flagged', entry);
      return;
    }
    const entry = { batchNumber: h.batchNumber, roots: result.roots, header: h, commitTxid, l1Height: height };
    this.verified.push(entry);
    this.log(
      `verifier: batch ${h.batchNumber} verified at ${height}, root ${result.roots[0]!.toString(16).slice(0, 16)}…`,
    );
    this.emit('batch', entry);
  }
}

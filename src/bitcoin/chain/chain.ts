import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { layout, type BatchOp, type KVStore, type StoredCoin } from '../storage/index.ts';
import {
  checkSequenceLocks,
  hashToHex,
  isCoinbase,
  MAX_MONEY,
  sequenceLocks,
  txid as computeTxid,
  type Transaction,
  type TxOutput,
} from '../tx/index.ts';
import { blockHash, decodeBlock, decodeHeader, encodeBlock, encodeHeader, type Block } from './block.ts';
import { checkBlock, contextualCheckBlock, contextualCheckHeader, type PrevContext } from './checks.ts';
import { ChainError, ValidationError } from './errors.ts';
import { blockSubsidy, REGTEST, type ChainParams } from './params.ts';
import { blockWork } from './pow.ts';
import { sigOpCost } from './sigops.ts';
import { scriptErrorText, type TxVerifier } from './verify.ts';

export type Coin = StoredCoin;

/** Block index status bits. */
export const STATUS = { DATA: 1, VALID: 2, FAILED: 4, FAILED_CHILD: 8 } as const;

export interface BlockEntry {
  /** Internal byte order. */
  hash: Uint8Array;
  /** Display (RPC) hex. */
  id: string;
  header: Block['header'];
  height: number;
  chainWork: bigint;
  prev: BlockEntry | undefined;
  status: number;
  nTx: number;
  /** Order of arrival; on equal work the block seen first wins, as in Core. */
  sequence: number;
  medianTimePast: number;
}

export interface ChainListener {
  /** A block joined the active chain (its coins are already applied). */
  blockConnected?(entry: BlockEntry, block: Block, txids: Uint8Array[]): void;
  /** A block left the active chain. */
  blockDisconnected?(entry: BlockEntry, block: Block): void;
  /** The tip moved and every connect/disconnect of this step is done. */
  tipChanged?(tip: BlockEntry): void;
}

export interface ChainOptions {
  params?: ChainParams;
  /** Script checks; without one, scripts are not checked (never do this outside unit tests of other rules). */
  verifier?: TxVerifier;
  /** Clock in UNIX seconds (for the future-timestamp rule). */
  now?: () => number;
}

export function outpointKey(txid: Uint8Array, vout: number): string {
  return `${bytesToHex(txid)}:${vout}`;
}

/** Core's IsUnspendable: such outputs never enter the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === 0x6a) || script.length > 10_000;
}

function isFailed(e: BlockEntry): boolean {
  return (e.status & (STATUS.FAILED | STATUS.FAILED_CHILD)) !== 0;
}

/**
 * The block tree, the active chain and the UTXO set. Each block connect or disconnect is one atomic store batch;
 * every mutating call runs under one lock, so concurrent RPC calls see a consistent chain.
 */
export class Chain {
  readonly params: ChainParams;
  private readonly entries = new Map<string, BlockEntry>();
  private readonly active: BlockEntry[] = [];
  private readonly coins = new Map<string, Coin>();
  private readonly listeners: ChainListener[] = [];
  private nextSequence = 0;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly verifier: TxVerifier | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly store: KVStore,
    options: ChainOptions,
  ) {
    this.params = options.params ?? REGTEST;
    this.verifier = options.verifier;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Loads the chain from `store` (or writes the genesis block into an empty one) and resumes at its tip. */
  static async open(store: KVStore, options: ChainOptions = {}): Promise<Chain> {
    const chain = new Chain(store, options);
    await chain.load();
    return chain;
  }

  private async load(): Promise<void> {
    const stored: { hash: Uint8Array; e: layout.StoredEntry }[] = [];
    for await (const [k, v] of this.store.entries(Uint8Array.of(layout.PREFIX.entry)))
      stored.push({ hash: k.slice(1), e: layout.decodeEntry(v) });
    if (stored.length === 0) {
      await this.writeGenesis();
      return this.load();
    }
    stored.sort((a, b) => a.e.height - b.e.height);
    for (const { hash, e } of stored) {
      const header = decodeHeader(e.header);
      const prev = e.height === 0 ? undefined : this.entries.get(hashToHex(header.prevHash));
      if (e.height > 0 && !prev) throw new ChainError('corrupt block index', { details: `orphan ${hashToHex(hash)}` });
      const entry = this.makeEntry(hash, header, prev, e.status, e.nTx, e.sequence);
      this.nextSequence = Math.max(this.nextSequence, e.sequence + 1);
      this.entries.set(entry.id, entry);
    }
    for await (const [k, v] of this.store.entries(Uint8Array.of(layout.PREFIX.coin))) {
      const txid = k.subarray(1, 33);
      const vout = new DataView(k.buffer, k.byteOffset + 33, 4).getUint32(0, false);
      this.coins.set(outpointKey(txid, vout), layout.decodeCoin(v));
    }
    const tipHash = await this.store.get(Uint8Array.of(layout.PREFIX.tip));
    const tip = tipHash && this.entries.get(hashToHex(tipHash));
    if (!tip) throw new ChainError('corrupt chain state', { details: 'tip block missing from the index' });
    for (let e: BlockEntry | undefined = tip; e; e = e.prev) this.active[e.height] = e;
    // A crash between storing a better block and connecting it leaves work to do.
    await this.withLock(() => this.activateBestChain());
  }

  private async writeGenesis(): Promise<void> {
    const genesis = this.params.genesis;
    const hash = blockHash(genesis.header);
    const entry: layout.StoredEntry = {
      header: encodeHeader(genesis.header),
      height: 0,
      status: STATUS.DATA | STATUS.VALID,
      nTx: genesis.txs.length,
      sequence: 0,
    };
    // The genesis coinbase output is not spendable (Core never adds it to the UTXO set).
    await this.store.write([
      { type: 'put', key: layout.key(layout.PREFIX.entry, hash), value: layout.encodeEntry(entry) },
      { type: 'put', key: layout.key(layout.PREFIX.block, hash), value: encodeBlock(genesis) },
      { type: 'put', key: Uint8Array.of(layout.PREFIX.tip), value: hash },
    ]);
  }

  private makeEntry(
    hash: Uint8Array,
    header: Block['header'],
    prev: BlockEntry | undefined,
    status: number,
    nTx: number,
    sequence: number,
  ): BlockEntry {
    const times: number[] = [header.time];
    for (let e = prev; e && times.length < 11; e = e.prev) times.push(e.header.time);
    times.sort((a, b) => a - b);
    return {
      hash,
      id: hashToHex(hash),
      header,
      height: prev ? prev.height + 1 : 0,
      chainWork: (prev?.chainWork ?? 0n) + blockWork(header.bits),
      prev,
      status,
      nTx,
      sequence,
      medianTimePast: times[Math.floor(times.length / 2)],
    };
  }

  /** Serializes mutations: each runs after the previous one finished (or failed). */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  addListener(listener: ChainListener): void {
    this.listeners.push(listener);
  }

  get tip(): BlockEntry {
    return this.active[this.active.length - 1];
  }

  get height(): number {
    return this.active.length - 1;
  }

  /** Best known header (any chain), for getblockchaininfo's `headers`. */
  get bestHeaderHeight(): number {
    let best = 0;
    for (const e of this.entries.values()) if (!isFailed(e)) best = Math.max(best, e.height);
    return best;
  }

  entry(id: string): BlockEntry | undefined {
    return this.entries.get(id.toLowerCase());
  }

  entryAt(height: number): BlockEntry | undefined {
    return this.active[height];
  }

  isActive(entry: BlockEntry): boolean {
    return this.active[entry.height] === entry;
  }

  allEntries(): BlockEntry[] {
    return [...this.entries.values()];
  }

  async readBlock(entry: BlockEntry): Promise<Block> {
    const raw = await this.readBlockBytes(entry);
    return decodeBlock(raw);
  }

  async readBlockBytes(entry: BlockEntry): Promise<Uint8Array> {
    const raw = await this.store.get(layout.key(layout.PREFIX.block, entry.hash));
    if (!raw) throw new ChainError('Block not available', { details: entry.id });
    return raw;
  }

  /** The coins a connected block spent, in input order (empty for genesis). */
  async readUndo(entry: BlockEntry): Promise<Coin[]> {
    const raw = await this.store.get(layout.key(layout.PREFIX.undo, entry.hash));
    return raw ? layout.decodeUndo(raw) : [];
  }

  getCoin(txid: Uint8Array, vout: number): Coin | undefined {
    return this.coins.get(outpointKey(txid, vout));
  }

  /** Every unspent output, for scans and digests. */
  *utxos(): Iterable<[string, Coin]> {
    yield* this.coins.entries();
  }

  get utxoCount(): number {
    return this.coins.size;
  }

  /** The active-chain block holding `txid` (txindex), or undefined. */
  async findTransaction(txid: Uint8Array): Promise<{ entry: BlockEntry; tx: Transaction; index: number } | undefined> {
    const where = await this.store.get(layout.key(layout.PREFIX.txIndex, txid));
    if (!where) return undefined;
    const entry = this.entries.get(hashToHex(where));
    if (!entry || !this.isActive(entry)) return undefined;
    const block = await this.readBlock(entry);
    const index = block.txs.findIndex((tx) => bytesToHex(computeTxid(tx)) === bytesToHex(txid));
    return index < 0 ? undefined : { entry, tx: block.txs[index], index };
  }

  prevContext(prev: BlockEntry): PrevContext {
    return { height: prev.height, bits: prev.header.bits, medianTimePast: prev.medianTimePast };
  }

  /** Median time past of the active block at `height` (clamped to the chain). */
  medianTimePastAt(height: number): number {
    return this.active[Math.max(0, Math.min(height, this.height))].medianTimePast;
  }

  /**
   * Validates and stores a block, then moves to the most-work chain. Returns the block's entry; throws
   * ValidationError (nothing changed) when the block is invalid, including when it fails to connect.
   */
  processBlock(block: Block): Promise<{ entry: BlockEntry; duplicate: boolean }> {
    return this.withLock(() => this.acceptBlock(block));
  }

  private async acceptBlock(block: Block): Promise<{ entry: BlockEntry; duplicate: boolean }> {
    const hash = blockHash(block.header);
    const existing = this.entries.get(hashToHex(hash));
    if (existing) {
      if (isFailed(existing)) throw new ValidationError('duplicate-invalid', 'block is marked invalid');
      return { entry: existing, duplicate: true };
    }
    const txids = block.txs.map(computeTxid);
    checkBlock(block, this.params, txids);
    const prev = this.entries.get(hashToHex(block.header.prevHash));
    if (!prev) throw new ValidationError('prev-blk-not-found', 'previous block is unknown');
    if (isFailed(prev)) throw new ValidationError('bad-prevblk', 'previous block is invalid');
    const ctx = this.prevContext(prev);
    contextualCheckHeader(block.header, ctx, this.now(), this.params);
    contextualCheckBlock(block, ctx, this.params);
    const entry = this.makeEntry(hash, block.header, prev, STATUS.DATA, block.txs.length, this.nextSequence++);
    await this.store.write([
      { type: 'put', key: layout.key(layout.PREFIX.entry, hash), value: this.encodeEntry(entry) },
      { type: 'put', key: layout.key(layout.PREFIX.block, hash), value: encodeBlock(block) },
    ]);
    this.entries.set(entry.id, entry);
    const failures = await this.activateBestChain();
    const own = failures.get(entry.id);
    if (own) throw own;
    return { entry, duplicate: false };
  }

  /**
   * Checks that `block` would connect on top of the current tip, without storing or connecting it
   * (Core's TestBlockValidity). Proof of work is not checked, as the header is usually not solved yet. Throws
   * ValidationError.
   */
  testBlock(block: Block): Promise<void> {
    return this.withLock(async () => {
      const txids = block.txs.map(computeTxid);
      checkBlock(block, this.params, txids, { checkPow: false });
      const prev = this.tip;
      if (hashToHex(block.header.prevHash) !== prev.id) throw new ValidationError('inconclusive-not-best-prevblk');
      const ctx = this.prevContext(prev);
      contextualCheckHeader(block.header, ctx, this.now(), this.params);
      contextualCheckBlock(block, ctx, this.params);
      this.computeConnect(block, txids, prev.height + 1, prev.medianTimePast);
    });
  }

  private encodeEntry(e: BlockEntry): Uint8Array {
    return layout.encodeEntry({
      header: encodeHeader(e.header),
      height: e.height,
      status: e.status,
      nTx: e.nTx,
      sequence: e.sequence,
    });
  }

  private bestCandidate(): BlockEntry {
    let best = this.tip;
    for (const e of this.entries.values()) {
      if (!(e.status & STATUS.DATA) || isFailed(e)) continue;
      if (
        e.chainWork > best.chainWork ||
        (e.chainWork === best.chainWork && e.sequence < best.sequence && !this.isActive(best))
      ) {
        if (this.pathUsable(e)) best = e;
      }
    }
    return best;
  }

  /** Every block from `e` down to the active chain has data and is not failed. */
  private pathUsable(e: BlockEntry): boolean {
    for (let x: BlockEntry | undefined = e; x && !this.isActive(x); x = x.prev) {
      if (!(x.status & STATUS.DATA) || isFailed(x)) return false;
    }
    return true;
  }

  /** Reorganises to the most-work valid chain. Returns the validation failures met, by block id. */
  private async activateBestChain(): Promise<Map<string, ValidationError>> {
    const failures = new Map<string, ValidationError>();
    let moved = false;
    for (;;) {
      const best = this.bestCandidate();
      if (best === this.tip || best.chainWork < this.tip.chainWork) break;
      if (best.chainWork === this.tip.chainWork && this.isActive(best)) break;
      const path: BlockEntry[] = [];
      let fork: BlockEntry | undefined = best;
      while (fork && !this.isActive(fork)) {
        path.push(fork);
        fork = fork.prev;
      }
      if (!fork) break;
      while (this.tip !== fork) {
        await this.disconnectTip();
        moved = true;
      }
      for (const entry of path.reverse()) {
        try {
          await this.connectTip(entry);
          moved = true;
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          failures.set(entry.id, err);
          await this.markFailed(entry);
          break;
        }
      }
    }
    if (moved) for (const l of this.listeners) l.tipChanged?.(this.tip);
    return failures;
  }

  private async markFailed(entry: BlockEntry): Promise<void> {
    const ops: BatchOp[] = [];
    entry.status |= STATUS.FAILED;
    ops.push({ type: 'put', key: layout.key(layout.PREFIX.entry, entry.hash), value: this.encodeEntry(entry) });
    for (const e of this.entries.values()) {
      if (e !== entry && this.descendsFrom(e, entry) && !(e.status & STATUS.FAILED_CHILD)) {
        e.status |= STATUS.FAILED_CHILD;
        ops.push({ type: 'put', key: layout.key(layout.PREFIX.entry, e.hash), value: this.encodeEntry(e) });
      }
    }
    await this.store.write(ops);
  }

  private descendsFrom(e: BlockEntry, ancestor: BlockEntry): boolean {
    let x: BlockEntry | undefined = e;
    while (x && x.height > ancestor.height) x = x.prev;
    return x === ancestor;
  }

  private lookupCoin(view: Map<string, Coin | null>, key: string): Coin | undefined {
    const local = view.get(key);
    if (local === null) return undefined;
    return local ?? this.coins.get(key);
  }

  /**
   * Core's ConnectBlock minus the writes: checks every transaction against the UTXO set and returns the coin
   * changes and undo data. Throws ValidationError.
   */
  private computeConnect(block: Block, txids: Uint8Array[], height: number, prevMedianTimePast: number) {
    const view = new Map<string, Coin | null>();
    const undo: Coin[] = [];
    let fees = 0n;
    let sigops = 0;
    for (let t = 0; t < block.txs.length; t++) {
      const tx = block.txs[t];
      const prevouts: TxOutput[] = [];
      if (!isCoinbase(tx)) {
        const heights: number[] = [];
        let valueIn = 0n;
        for (const input of tx.inputs) {
          const key = outpointKey(input.txid, input.vout);
          const coin = this.lookupCoin(view, key);
          if (!coin)
            throw new ValidationError(
              'bad-txns-inputs-missingorspent',
              `tx ${hashToHex(txids[t])}: input missing or spent`,
            );
          if (coin.coinbase && height - coin.height < this.params.coinbaseMaturity)
            throw new ValidationError(
              'bad-txns-premature-spend-of-coinbase',
              `tried to spend coinbase at depth ${height - coin.height}`,
            );
          valueIn += coin.value;
          if (coin.value < 0n || coin.value > MAX_MONEY || valueIn > MAX_MONEY)
            throw new ValidationError('bad-txns-inputvalues-outofrange');
          prevouts.push({ value: coin.value, script: coin.script });
          heights.push(coin.height);
          undo.push(coin);
          view.set(key, null);
        }
        const valueOut = tx.outputs.reduce((s, o) => s + o.value, 0n);
        if (valueIn < valueOut)
          throw new ValidationError('bad-txns-in-belowout', `value in (${valueIn}) < value out (${valueOut})`);
        fees += valueIn - valueOut;
        if (fees > MAX_MONEY) throw new ValidationError('bad-txns-accumulated-fee-outofrange');
        const locks = sequenceLocks(tx, heights, (h) => this.medianTimePastAt(h));
        if (!checkSequenceLocks(locks, height, prevMedianTimePast))
          throw new ValidationError('bad-txns-nonfinal', 'contains a non-BIP68-final transaction');
      }
      sigops += sigOpCost(tx, prevouts);
      if (sigops > this.params.maxBlockSigopsCost) throw new ValidationError('bad-blk-sigops', 'too many sigops');
      if (this.verifier && !isCoinbase(tx)) {
        try {
          this.verifier({ tx, prevouts, policy: 'consensus' });
        } catch (err) {
          throw new ValidationError(
            `mandatory-script-verify-flag-failed (${scriptErrorText(err)})`,
            `tx ${hashToHex(txids[t])}: ${err instanceof Error ? err.message : String(err)}`,
            err,
          );
        }
      }
      const coinbase = isCoinbase(tx);
      tx.outputs.forEach((out, vout) => {
        if (isUnspendable(out.script)) return;
        const key = outpointKey(txids[t], vout);
        if (this.lookupCoin(view, key)) throw new ValidationError('bad-txns-BIP30', 'tried to overwrite transaction');
        view.set(key, { value: out.value, script: out.script, height, coinbase });
      });
    }
    const cbOut = block.txs[0].outputs.reduce((s, o) => s + o.value, 0n);
    const allowed = fees + blockSubsidy(height, this.params);
    if (cbOut > allowed)
      throw new ValidationError('bad-cb-amount', `coinbase pays too much (actual=${cbOut} vs limit=${allowed})`);
    return { view, undo, fees };
  }

  private coinOps(view: Map<string, Coin | null>): BatchOp[] {
    const ops: BatchOp[] = [];
    for (const [k, coin] of view) {
      const [txHex, vout] = k.split(':');
      const key = layout.coinKey(hexToBytes(txHex), Number(vout));
      if (coin) ops.push({ type: 'put', key, value: layout.encodeCoin(coin) });
      else if (this.coins.has(k)) ops.push({ type: 'del', key });
    }
    return ops;
  }

  private applyView(view: Map<string, Coin | null>): void {
    for (const [k, coin] of view) {
      if (coin) this.coins.set(k, coin);
      else this.coins.delete(k);
    }
  }

  private async connectTip(entry: BlockEntry): Promise<void> {
    const block = await this.readBlock(entry);
    const txids = block.txs.map(computeTxid);
    const prev = this.tip;
    const { view, undo } = this.computeConnect(block, txids, entry.height, prev.medianTimePast);
    entry.status |= STATUS.VALID;
    const ops = this.coinOps(view);
    ops.push({ type: 'put', key: layout.key(layout.PREFIX.undo, entry.hash), value: layout.encodeUndo(undo) });
    for (const id of txids) ops.push({ type: 'put', key: layout.key(layout.PREFIX.txIndex, id), value: entry.hash });
    ops.push({ type: 'put', key: layout.key(layout.PREFIX.entry, entry.hash), value: this.encodeEntry(entry) });
    ops.push({ type: 'put', key: Uint8Array.of(layout.PREFIX.tip), value: entry.hash });
    await this.store.write(ops);
    this.applyView(view);
    this.active.push(entry);
    for (const l of this.listeners) l.blockConnected?.(entry, block, txids);
  }

  private async disconnectTip(): Promise<void> {
    const entry = this.tip;
    if (!entry.prev) throw new ChainError('cannot disconnect the genesis block');
    const block = await this.readBlock(entry);
    const undo = await this.readUndo(entry);
    const txids = block.txs.map(computeTxid);
    const view = new Map<string, Coin | null>();
    let u = undo.length;
    for (let t = block.txs.length - 1; t >= 0; t--) {
      const tx = block.txs[t];
      tx.outputs.forEach((out, vout) => {
        if (!isUnspendable(out.script)) view.set(outpointKey(txids[t], vout), null);
      });
      if (isCoinbase(tx)) continue;
      for (let i = tx.inputs.length - 1; i >= 0; i--) {
        const coin = undo[--u];
        if (!coin) throw new ChainError('corrupt undo data', { details: entry.id });
        view.set(outpointKey(tx.inputs[i].txid, tx.inputs[i].vout), coin);
      }
    }
    const ops = this.coinOps(view);
    ops.push({ type: 'del', key: layout.key(layout.PREFIX.undo, entry.hash) });
    for (const id of txids) ops.push({ type: 'del', key: layout.key(layout.PREFIX.txIndex, id) });
    ops.push({ type: 'put', key: Uint8Array.of(layout.PREFIX.tip), value: entry.prev.hash });
    await this.store.write(ops);
    this.applyView(view);
    this.active.pop();
    for (const l of this.listeners) l.blockDisconnected?.(entry, block);
  }

  /** Core's invalidateblock: marks the block and its descendants invalid and moves to the best remaining chain. */
  invalidateBlock(id: string): Promise<void> {
    return this.withLock(async () => {
      const entry = this.entry(id);
      if (!entry) throw new ChainError('Block not found');
      if (entry.height === 0) throw new ChainError('cannot invalidate the genesis block');
      let moved = false;
      while (this.isActive(entry)) {
        await this.disconnectTip();
        moved = true;
      }
      await this.markFailed(entry);
      if (moved) for (const l of this.listeners) l.tipChanged?.(this.tip);
      await this.activateBestChain();
    });
  }

  /** Core's reconsiderblock: clears the failure marks of the block, its ancestors and descendants. */
  reconsiderBlock(id: string): Promise<void> {
    return this.withLock(async () => {
      const entry = this.entry(id);
      if (!entry) throw new ChainError('Block not found');
      const ops: BatchOp[] = [];
      for (const e of this.entries.values()) {
        if (!isFailed(e)) continue;
        if (this.descendsFrom(e, entry) || this.descendsFrom(entry, e)) {
          e.status &= ~(STATUS.FAILED | STATUS.FAILED_CHILD);
          ops.push({ type: 'put', key: layout.key(layout.PREFIX.entry, e.hash), value: this.encodeEntry(e) });
        }
      }
      await this.store.write(ops);
      await this.activateBestChain();
    });
  }
}

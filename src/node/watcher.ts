import { EventEmitter } from 'node:events';
import { btcToSats } from '../bitcoin/index.ts';
import type { BitcoinClient } from '../bitcoin/index.ts';
import type { DepositItem, KvStore, RollupNode } from '../rollup/index.ts';
import { depositsOfTransaction } from './deposit.ts';
import { KeelNodeError } from './errors.ts';
import { decodeCursor, encodeCursor, watcherKeys } from './layout.ts';
import type { ScanCursor } from './layout.ts';

export type L1WatcherOptions = {
  /** Typed Bitcoin RPC client: the watcher never touches a Bitcoin node in-process. */
  client: BitcoinClient;
  rollup: RollupNode;
  /** The rollup's store (the cursor lives next to the queue, written atomically with it). */
  store: KvStore;
  bridgeScript: Uint8Array;
  /** A block is taken once it has this many confirmations (1 = in the tip block). */
  confirmations: number;
  /** First Bitcoin height scanned on a fresh store. */
  startHeight: number;
  pollIntervalMs: number;
  log?: (line: string) => void;
};

type Events = {
  deposit: [DepositItem];
  scanned: [ScanCursor];
  error: [unknown];
};

/**
 * Follows Bitcoin over RPC and turns confirmed deposits into L1 queue items, in L1 order (height, transaction
 * position, output index). Only blocks with `confirmations` confirmations are read, so a reorg shallower than that
 * never reaches the L2. A deeper reorg of a block already taken cannot be undone on L2: the watcher halts and says so
 * (`halted`), and the operator decides.
 */
export class L1Watcher extends EventEmitter<Events> {
  private cursor: ScanCursor = { height: 0, hash: '' };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private haltReason: string | undefined;
  private lastTip = 0;
  private lastError: string | undefined;

  constructor(private readonly opts: L1WatcherOptions) {
    super();
    if (!Number.isInteger(opts.confirmations) || opts.confirmations < 1)
      throw new KeelNodeError('confirmations must be an integer ≥ 1');
  }

  get scanned(): Readonly<ScanCursor> {
    return this.cursor;
  }

  get halted(): string | undefined {
    return this.haltReason;
  }

  get bitcoinTip(): number {
    return this.lastTip;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  async init(): Promise<void> {
    const stored = await this.opts.store.get(watcherKeys.scan());
    this.cursor = stored ? decodeCursor(stored) : { height: this.opts.startHeight - 1, hash: '' };
    if (this.cursor.height > 0) this.opts.rollup.setL1Height(this.cursor.height);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sync(), this.opts.pollIntervalMs);
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: takes every newly confirmed block. Passes never overlap; errors are reported, not thrown. */
  sync(): Promise<void> {
    const run = this.running.then(() => this.pass());
    this.running = run.catch((err: unknown) => {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.report(err);
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    if (this.haltReason) return;
    const { client } = this.opts;
    const tip = await client.getBlockCount();
    this.lastTip = tip;
    const confirmedTip = tip - this.opts.confirmations + 1;
    if (this.cursor.hash && this.cursor.height <= tip) {
      const hash = await client.getBlockHash(this.cursor.height);
      if (hash !== this.cursor.hash) return this.halt(this.cursor.height, hash);
    }
    for (let h = this.cursor.height + 1; h <= confirmedTip; h++) {
      if (this.stopped) return;
      const hash = await client.getBlockHash(h);
      const block = await client.getBlockWithTxs(hash);
      if (this.cursor.hash && block.previousblockhash !== this.cursor.hash) return this.halt(this.cursor.height, hash);
      await this.takeBlock(h, hash, block.tx);
    }
    this.lastError = undefined;
  }

  private stopped = false;

  private async takeBlock(
    height: number,
    hash: string,
    txs: { txid: string; vout: { value: number; scriptPubKey: { hex: string } }[] }[],
  ): Promise<void> {
    const items: DepositItem[] = [];
    for (const tx of txs)
      items.push(
        ...depositsOfTransaction(
          tx.txid,
          tx.vout.map((o) => ({ scriptHex: o.scriptPubKey.hex, sats: btcToSats(o.value) })),
          this.opts.bridgeScript,
          height,
        ),
      );
    const next = { height, hash };
    const cursorWrite = { type: 'put' as const, key: watcherKeys.scan(), value: encodeCursor(next) };
    const fresh = items.filter((item) => !this.alreadyQueued(item));
    if (fresh.length === 0) await this.opts.store.write([cursorWrite]);
    for (let i = 0; i < fresh.length; i++) {
      const item = fresh[i]!;
      await this.opts.rollup.addL1Item(item, i === fresh.length - 1 ? [cursorWrite] : []);
      this.emit('deposit', item);
      this.opts.log?.(
        `l1: deposit ${item.amount} sat at height ${height} (${Buffer.from(item.txid).reverse().toString('hex')}:${item.vout})`,
      );
    }
    this.cursor = next;
    this.opts.rollup.setL1Height(height);
    this.emit('scanned', next);
  }

  /** A crash between two items of one block leaves the first queued and the cursor before the block; the rescan
   * after the restart must skip it. */
  private alreadyQueued(item: DepositItem): boolean {
    const queue = this.opts.rollup.queue;
    for (let i = queue.length - 1; i >= 0; i--) {
      const e = queue.get(i)!.item;
      if (e.l1Height < item.l1Height) return false;
      if (e.vout === item.vout && Buffer.from(e.txid).equals(Buffer.from(item.txid))) return true;
    }
    return false;
  }

  /** Errors are state (`error`, `halted`) first; listeners are optional, so an unheard error never throws. */
  private report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private halt(height: number, seen: string): void {
    this.haltReason = `Bitcoin reorganised below the ${this.opts.confirmations}-confirmation depth at height ${height} (taken ${this.cursor.hash}, now ${seen}); deposits stopped`;
    this.opts.log?.(`l1: ${this.haltReason}`);
    this.report(new KeelNodeError('deep Bitcoin reorg', { details: this.haltReason }));
  }
}

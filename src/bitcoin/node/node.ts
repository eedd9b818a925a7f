import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BaseError } from '../../shared/index.ts';
import { Chain } from '../chain/chain.ts';
import type { ChainParams } from '../chain/params.ts';
import { FeeEstimator } from '../mempool/fees.ts';
import { MempoolJournal } from '../mempool/journal.ts';
import { Mempool } from '../mempool/mempool.ts';
import { Miner } from '../miner/miner.ts';
import { removeCookie, writeCookie, type Credentials } from '../rpc/auth.ts';
import { RpcServer } from '../rpc/server.ts';
import { LevelStore } from '../storage/level.ts';
import { MemoryStore } from '../storage/memory.ts';
import type { KVStore } from '../storage/store.ts';
import { hashToHex } from '../tx/index.ts';
import { scriptVerifier } from './verifier.ts';

export class NodeError extends BaseError {
  override name = 'NodeError';
}

export interface BitcoinNodeOptions {
  /** Data directory (LevelDB in `<datadir>/chainstate`, cookie in `<datadir>/.cookie`). Omit for an in-memory node. */
  datadir?: string;
  /** Use this store instead of one from `datadir`. */
  store?: KVStore;
  /** RPC port on 127.0.0.1; 0 picks a free one. Default 18443 (Core's regtest port). */
  rpcPort?: number;
  rpcUser?: string;
  rpcPassword?: string;
  /** Write a cookie file (default: when a datadir is given). */
  cookie?: boolean;
  /** Pool size limit in serialized bytes (default Core's 300 MB); beyond it the cheapest transactions are evicted. */
  maxMempoolBytes?: number;
  /** fsync each block batch (default true). */
  sync?: boolean;
  params?: ChainParams;
  log?: (line: string) => void;
  now?: () => number;
}

/**
 * The embedded regtest node: chain + mempool + miner + fee estimator behind a Core-compatible JSON-RPC server,
 * with WebSocket notifications.
 */
export class BitcoinNode {
  private constructor(
    readonly chain: Chain,
    readonly mempool: Mempool,
    private readonly journal: MempoolJournal,
    readonly miner: Miner,
    readonly fees: FeeEstimator,
    readonly rpc: RpcServer,
    private readonly store: KVStore,
    readonly credentials: Credentials,
    readonly cookiePath: string | undefined,
    private readonly datadir: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  private stopping: Promise<void> | undefined;
  private stopWaiters: (() => void)[] = [];

  static async start(options: BitcoinNodeOptions = {}): Promise<BitcoinNode> {
    const log = options.log ?? (() => {});
    let store = options.store;
    if (!store) {
      if (options.datadir) {
        mkdirSync(options.datadir, { recursive: true });
        store = await LevelStore.open(join(options.datadir, 'chainstate'), { sync: options.sync ?? true });
      } else store = new MemoryStore();
    }
    const verifier = scriptVerifier();
    const chain = await Chain.open(store, { params: options.params, verifier, now: options.now });
    log(`chain: loaded at height ${chain.height} tip ${chain.tip.id} (${chain.utxoCount} coins)`);
    const mempool = new Mempool(chain, verifier, options.now, options.maxMempoolBytes);
    const fees = new FeeEstimator(chain, mempool);
    const journal = await MempoolJournal.open(store, mempool, log);
    const miner = new Miner(chain, mempool, options.now);
    const accepted: Credentials[] = [];
    let cookiePath: string | undefined;
    if (options.cookie ?? Boolean(options.datadir)) {
      if (!options.datadir) throw new NodeError('a cookie file needs a datadir');
      cookiePath = join(options.datadir, '.cookie');
      accepted.push(writeCookie(cookiePath));
    }
    if (options.rpcUser !== undefined || options.rpcPassword !== undefined) {
      if (!options.rpcUser || !options.rpcPassword) throw new NodeError('rpcuser and rpcpassword go together');
      accepted.push({ user: options.rpcUser, password: options.rpcPassword });
    }
    if (accepted.length === 0)
      throw new NodeError('no RPC credentials: give a datadir (cookie) or rpcuser/rpcpassword');
    const startTime = Math.floor(Date.now() / 1000);
    // The stop RPC needs the node, which exists only once the server is up.
    const self: { node?: BitcoinNode } = {};
    const rpc = new RpcServer(
      {
        chain,
        mempool,
        fees,
        miner,
        startTime,
        requestStop: () => setImmediate(() => void self.node?.stop()),
        persist: () => journal.flush(),
        sizeOnDisk: () => (options.datadir ? dirSize(join(options.datadir, 'chainstate')) : 0),
      },
      { port: options.rpcPort ?? 18443, credentials: accepted, log },
    );
    chain.addListener({
      blockConnected: (entry, block) => {
        log(`chain: connected ${entry.id} height ${entry.height} txs ${block.txs.length}`);
        rpc.notify({ type: 'block', hash: entry.id, height: entry.height });
      },
      blockDisconnected: (entry) => {
        log(`chain: disconnected ${entry.id} height ${entry.height}`);
        rpc.notify({ type: 'block-disconnected', hash: entry.id, height: entry.height });
      },
    });
    mempool.addListener({
      txAdded: (e) => rpc.notify({ type: 'tx', txid: e.id, wtxid: e.wtxid }),
      txRemoved: (e, reason) => rpc.notify({ type: 'tx-removed', txid: e.id, reason }),
    });
    const port = await rpc.listen();
    log(`rpc: listening on 127.0.0.1:${port}${cookiePath ? ` (cookie ${cookiePath})` : ''}`);
    const node = new BitcoinNode(
      chain,
      mempool,
      journal,
      miner,
      fees,
      rpc,
      store,
      accepted[0],
      cookiePath,
      options.datadir,
      log,
    );
    self.node = node;
    return node;
  }

  get rpcPort(): number {
    return this.rpc.port;
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpc.port}`;
  }

  /** Resolves once the node has stopped (by `stop()` or the `stop` RPC). */
  waitForStop(): Promise<void> {
    if (this.stopping) return this.stopping;
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  /** Closes the RPC server, waits for in-flight chain work, and closes the store. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.log('node: stopping');
        await this.rpc.close();
        await this.chain.withLock(async () => {});
        await this.journal.flush().catch(() => {});
        await this.store.close();
        if (this.cookiePath) removeCookie(this.cookiePath);
        this.log('node: stopped');
        for (const w of this.stopWaiters) w();
      })();
    }
    return this.stopping;
  }

  /** The tip as `{ height, hash }`, for logs and tests. */
  get tip(): { height: number; hash: string } {
    return { height: this.chain.height, hash: hashToHex(this.chain.tip.hash) };
  }
}

function dirSize(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // A file LevelDB removed while we looked.
    }
  }
  return total;
}

import type { Chain } from '../chain/chain.ts';
import type { FeeEstimator } from '../mempool/fees.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { Miner } from '../miner/miner.ts';
import type { Args } from './params.ts';

/** What the RPC methods need from the node. */
export interface RpcContext {
  chain: Chain;
  mempool: Mempool;
  fees: FeeEstimator;
  miner: Miner;
  /** UNIX seconds the node started. */
  startTime: number;
  /** Asks the node to shut down after answering. */
  requestStop(): void;
  /** Resolves once accepted mempool changes are stored (before a transaction is acknowledged). */
  persist(): Promise<void>;
  /** Bytes the store occupies on disk (0 for memory). */
  sizeOnDisk(): number;
}

export interface MethodDef {
  /** Parameter names, for named-parameter calls. */
  params: string[];
  handler(args: Args, ctx: RpcContext): unknown;
}

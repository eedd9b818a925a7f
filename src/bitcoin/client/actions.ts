import { RpcRequestError, TransportError } from './errors.ts';
import type { Transport } from './transport.ts';
import type {
  BlockchainInfo,
  BlockHeaderVerbose,
  BlockVerbose,
  ChainTip,
  EstimateSmartFeeResult,
  MempoolEntryInfo,
  MempoolInfo,
  ScanTxOutSetResult,
  TestMempoolAcceptResult,
  TxOutInfo,
  TxVerbose,
} from './types.ts';

/** What every action needs: something that can make a request. */
export interface ClientBase {
  transport: Transport;
}

const call = <T>(c: ClientBase, method: string, params: unknown[] = []) => c.transport.request<T>(method, params);

/** Exact satoshis from a BTC amount as Core prints it (8 decimals fit a double exactly enough to round). */
export function btcToSats(btc: number): bigint {
  return BigInt(Math.round(btc * 1e8));
}

/** A BTC amount for RPC parameters, from satoshis (as a decimal string Core accepts, no float rounding). */
export function satsToBtc(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  return `${neg ? '-' : ''}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`;
}

// chain
export const getBlockchainInfo = (c: ClientBase) => call<BlockchainInfo>(c, 'getblockchaininfo');
export const getBlockCount = (c: ClientBase) => call<number>(c, 'getblockcount');
export const getBestBlockHash = (c: ClientBase) => call<string>(c, 'getbestblockhash');
export const getBlockHash = (c: ClientBase, height: number) => call<string>(c, 'getblockhash', [height]);
export const getBlockHex = (c: ClientBase, hash: string) => call<string>(c, 'getblock', [hash, 0]);
export const getBlock = (c: ClientBase, hash: string) => call<BlockVerbose<string>>(c, 'getblock', [hash, 1]);
export const getBlockWithTxs = (c: ClientBase, hash: string) => call<BlockVerbose<TxVerbose>>(c, 'getblock', [hash, 2]);
export const getBlockHeader = (c: ClientBase, hash: string) =>
  call<BlockHeaderVerbose>(c, 'getblockheader', [hash, true]);
export const getBlockHeaderHex = (c: ClientBase, hash: string) => call<string>(c, 'getblockheader', [hash, false]);
export const getChainTips = (c: ClientBase) => call<ChainTip[]>(c, 'getchaintips');

// transactions
export const getRawTransaction = (c: ClientBase, txid: string, blockhash?: string) =>
  call<string>(c, 'getrawtransaction', blockhash ? [txid, false, blockhash] : [txid, false]);
export const getRawTransactionVerbose = (c: ClientBase, txid: string, blockhash?: string) =>
  call<TxVerbose>(c, 'getrawtransaction', blockhash ? [txid, true, blockhash] : [txid, true]);
export const decodeRawTransaction = (c: ClientBase, hex: string) => call<TxVerbose>(c, 'decoderawtransaction', [hex]);
/** `maxFeeRate` in sat/kvB-free BTC/kvB string or number; omit for Core's default (0.10 BTC/kvB). */
export const sendRawTransaction = (c: ClientBase, hex: string, maxFeeRate?: string | number) =>
  call<string>(c, 'sendrawtransaction', maxFeeRate === undefined ? [hex] : [hex, maxFeeRate]);
export const testMempoolAccept = (c: ClientBase, hexes: string[], maxFeeRate?: string | number) =>
  call<TestMempoolAcceptResult[]>(c, 'testmempoolaccept', maxFeeRate === undefined ? [hexes] : [hexes, maxFeeRate]);
export const getTxOut = (c: ClientBase, txid: string, vout: number, includeMempool = true) =>
  call<TxOutInfo | null>(c, 'gettxout', [txid, vout, includeMempool]);
/** Descriptors such as `addr(<address>)` or `raw(<script hex>)`. */
export const scanTxOutSet = (c: ClientBase, descriptors: string[]) =>
  call<ScanTxOutSetResult>(c, 'scantxoutset', ['start', descriptors]);

// mempool
export const getMempoolInfo = (c: ClientBase) => call<MempoolInfo>(c, 'getmempoolinfo');
export const getRawMempool = (c: ClientBase) => call<string[]>(c, 'getrawmempool', [false]);
export const getMempoolEntry = (c: ClientBase, txid: string) => call<MempoolEntryInfo>(c, 'getmempoolentry', [txid]);

// mining (regtest)
export const generateToAddress = (c: ClientBase, blocks: number, address: string) =>
  call<string[]>(c, 'generatetoaddress', [blocks, address]);
/** `transactions`: raw hex or txids of pool transactions, in block order. */
export const generateBlock = (c: ClientBase, output: string, transactions: string[]) =>
  call<{ hash: string }>(c, 'generateblock', [output, transactions]);
export const submitBlock = (c: ClientBase, hex: string) => call<string | null>(c, 'submitblock', [hex]);

// control
export const invalidateBlock = (c: ClientBase, hash: string) => call<null>(c, 'invalidateblock', [hash]);
export const reconsiderBlock = (c: ClientBase, hash: string) => call<null>(c, 'reconsiderblock', [hash]);
export const estimateSmartFee = (c: ClientBase, target: number, mode?: 'economical' | 'conservative') =>
  call<EstimateSmartFeeResult>(c, 'estimatesmartfee', mode ? [target, mode] : [target]);
export const uptime = (c: ClientBase) => call<number>(c, 'uptime');
export const stop = (c: ClientBase) => call<string>(c, 'stop');

/**
 * Polls until `txid` has at least `confirmations` (default 1) and returns its verbose form. Against Bitcoin Core this
 * needs `-txindex=1` (or the transaction in the wallet's mempool view), as `getrawtransaction` does.
 */
export async function waitForConfirmations(
  c: ClientBase,
  txid: string,
  options: { confirmations?: number; pollingInterval?: number; timeout?: number } = {},
): Promise<TxVerbose> {
  const want = options.confirmations ?? 1;
  const deadline = Date.now() + (options.timeout ?? 60_000);
  for (;;) {
    try {
      const tx = await getRawTransactionVerbose(c, txid);
      if ((tx.confirmations ?? 0) >= want) return tx;
    } catch (err) {
      // -5: not known yet (not relayed to this node, or evicted); keep waiting until the deadline.
      if (!(err instanceof RpcRequestError && err.code === -5)) throw err;
    }
    if (Date.now() > deadline) throw new TransportError(`timed out waiting for ${want} confirmations of ${txid}`);
    await new Promise((r) => setTimeout(r, options.pollingInterval ?? 1000));
  }
}

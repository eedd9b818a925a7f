import { sha256 } from '@noble/hashes/sha2.js';
import * as btc from '@scure/btc-signer';
import { BitcoinNode, btcToSats, createBitcoinClient, http } from '../../src/bitcoin/index.ts';
import type { BitcoinClient } from '../../src/bitcoin/index.ts';
import { MemoryStore, RollupNode, getPublicKey } from '../../src/rollup/index.ts';
import type { DepositItem, RollupConfig } from '../../src/rollup/index.ts';
import { chainScript, xOnlyKey } from '../../src/anchor/index.ts';
import type { ChainOutput } from '../../src/anchor/index.ts';

export const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
export const CHAIN = 3;
const utf8 = (s: string) => new TextEncoder().encode(s);
export const l2Key = (i: number): Uint8Array => sha256(utf8(`keel anchor test key ${i}`));
export const SEQUENCER_SECRET = sha256(utf8('keel anchor test sequencer'));
export const SEQUENCER_KEY = xOnlyKey(SEQUENCER_SECRET);
export const SEQUENCER_ADDRESS = btc.p2tr(SEQUENCER_KEY, undefined, REGTEST).address!;

export function rollupConfig(): RollupConfig {
  return {
    chainId: CHAIN,
    depth: 8,
    withdrawalDepth: 4,
    feeAccountKey: getPublicKey(l2Key(0)),
    blockIntervalMs: 1000,
    maxBlockOps: 1000,
    maxBatchOps: 1000,
    // Every non-empty block closes a batch, so each produceBlock() is one batch to anchor.
    maxBatchAgeMs: 0,
    mempool: { maxSize: 1000, maxPerAccount: 16 },
  };
}

let deposits = 0;
export function deposit(owner: number, amount: bigint, l1Height = 1): DepositItem {
  const txid = sha256(utf8(`anchor deposit ${deposits++}`));
  return { type: 'deposit', txid, vout: 0, l1Height, pubKey: getPublicKey(l2Key(owner)), amount };
}

export type Env = { bitcoin: BitcoinNode; client: BitcoinClient; rollup: RollupNode; genesis: ChainOutput };

/** An embedded regtest node reached over RPC, 101 blocks to the sequencer (block 1's coinbase is the genesis). */
export async function startEnv(): Promise<Env> {
  const bitcoin = await BitcoinNode.start({ rpcPort: 0, rpcUser: 'keel', rpcPassword: 'anchor-test' });
  const client = createBitcoinClient({ transport: http(bitcoin.rpcUrl, { user: 'keel', password: 'anchor-test' }) });
  await client.generateToAddress(101, SEQUENCER_ADDRESS);
  const rollup = await RollupNode.open({ config: rollupConfig(), store: new MemoryStore() });
  rollup.setL1Height(10);
  return { bitcoin, client, rollup, genesis: await coinbaseOutput(client, 1) };
}

export async function coinbaseOutput(client: BitcoinClient, height: number): Promise<ChainOutput> {
  const block = await client.getBlockWithTxs(await client.getBlockHash(height));
  const cb = block.tx[0]!;
  return { txid: cb.txid, vout: 0, amount: btcToSats(cb.vout[0]!.value), script: chainScript(SEQUENCER_KEY) };
}

export const mine = (env: Env, n = 1) => env.client.generateToAddress(n, SEQUENCER_ADDRESS);
let miners = 0;
/** Mines to a new address each call: a block replacing an invalidated one must differ from it (same coinbase and
 * time would give the same hash, which the node refuses as known-invalid). */
export const mineElsewhere = (env: Env, n = 1) =>
  env.client.generateToAddress(n, btc.p2tr(xOnlyKey(sha256(utf8(`miner ${miners++}`))), undefined, REGTEST).address!);

export type RpcReply = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: { code: number; message: string } };
/** One JSON-RPC call over HTTP POST to an L2 node (the sequencer's or the verifier's). */
export async function rpcCall(port: number, method: string, params: unknown[] = []): Promise<RpcReply> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as RpcReply;
}

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as btc from '@scure/btc-signer';
import { BitcoinNode, btcToSats, createBitcoinClient, http as btcHttp } from '../../src/bitcoin/index.ts';
import type { BitcoinClient } from '../../src/bitcoin/index.ts';
import { KeelNode, buildDepositTransaction, rollupConfig } from '../../src/node/index.ts';
import type { KeelNodeOptions } from '../../src/node/index.ts';
import { ChainId, MemoryStore, deriveL2Key } from '../../src/rollup/index.ts';
import type { KvStore, L2KeyPair, RollupConfig } from '../../src/rollup/index.ts';
import { createKeelClient, http } from '../../src/sdk/index.ts';
import type { KeelClient } from '../../src/sdk/index.ts';

export const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
export const secret = (label: string): Uint8Array => sha256(new TextEncoder().encode(`keel node test ${label}`));
export const MINER = secret('miner');
export const MINER_SCRIPT = btc.p2wpkh(secp256k1.getPublicKey(MINER, true), REGTEST).script;
export const MINER_ADDRESS = btc.p2wpkh(secp256k1.getPublicKey(MINER, true), REGTEST).address!;
export const BRIDGE_KEY = secp256k1.getPublicKey(secret('bridge'), true).subarray(1);

export type Harness = {
  bitcoin: BitcoinNode;
  btcClient: BitcoinClient;
  node: KeelNode;
  client: KeelClient;
  /** Next unspent coinbase height (blocks 1.. are mined to MINER). */
  nextCoinbase: number;
  restart(openStore?: () => Promise<KvStore>): Promise<void>;
  stop(): Promise<void>;
};

export async function startHarness(
  opts: {
    store?: KvStore;
    rollup?: Partial<KeelNodeOptions['rollup']>;
    startHeight?: number;
    /** Builds the node's anchorer once regtest has its first 101 blocks (coinbases 1.. are mature). */
    anchorer?: (btcClient: BitcoinClient) => Promise<KeelNodeOptions['anchorer']>;
  } = {},
) {
  const auth = { user: 'keel', password: 'node-test' };
  const bitcoin = await BitcoinNode.start({ rpcPort: 0, rpcUser: auth.user, rpcPassword: auth.password });
  const btcClient = createBitcoinClient({ transport: btcHttp(bitcoin.rpcUrl, auth) });
  await btcClient.generateToAddress(101, MINER_ADDRESS);
  const anchorer = await opts.anchorer?.(btcClient).catch(async (err: unknown) => {
    await bitcoin.stop();
    throw err;
  });
  const options = (store: KvStore): KeelNodeOptions => ({
    rollup: rollupConfig({
      chainId: ChainId.regtest,
      feeAccountKey: deriveL2Key(secret('operator')).publicKey,
      depth: 8,
      withdrawalDepth: 4,
      blockIntervalMs: 50,
      maxBatchAgeMs: 400,
      mempool: { maxSize: 1000, maxPerAccount: 16 },
      ...opts.rollup,
    }),
    store,
    l1: {
      client: btcClient,
      bridgeKey: BRIDGE_KEY,
      confirmations: 2,
      pollIntervalMs: 50,
      startHeight: opts.startHeight ?? 100,
    },
    rpc: { port: 0, maxBodyBytes: 64 * 1024 },
    anchorer,
  });
  const node = await KeelNode.start(options(opts.store ?? new MemoryStore()));
  const h: Harness = {
    bitcoin,
    btcClient,
    node,
    client: createKeelClient({ transport: http(node.rpcUrl) }),
    nextCoinbase: 1,
    async restart(openStore) {
      await h.node.stop();
      h.node = await KeelNode.start(options(openStore ? await openStore() : new MemoryStore()));
      h.client = createKeelClient({ transport: http(h.node.rpcUrl) });
    },
    async stop() {
      await h.node.stop();
      await bitcoin.stop();
    },
  };
  return h;
}

/** Sends a real deposit transaction (spending a matured coinbase) for `l2Key`; does not mine. */
export async function sendDeposit(h: Harness, l2Key: L2KeyPair, amount: bigint): Promise<string> {
  const height = h.nextCoinbase++;
  const block = await h.btcClient.getBlockWithTxs(await h.btcClient.getBlockHash(height));
  const cb = block.tx[0]!;
  const { hex } = buildDepositTransaction({
    inputs: [{ txid: cb.txid, vout: 0, amount: btcToSats(cb.vout[0]!.value), script: MINER_SCRIPT }],
    secretKey: MINER,
    bridgeKey: BRIDGE_KEY,
    l2Key: l2Key.publicKey,
    amount,
    fee: 2000n,
    changeScript: MINER_SCRIPT,
  });
  return h.btcClient.sendRawTransaction(hex);
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const l2Key = (label: string): L2KeyPair => deriveL2Key(secret(label));

/**
 * The node of the crash test (test/node/crash.test.ts and its child): the parent replays the child's store, so both
 * must agree on genesis. Accounts 1..CRASH_ACCOUNTS belong to crashKey(1..), each funded by one deposit.
 */
export const CRASH_ACCOUNTS = 200;
export const CRASH_DEPOSIT = 1_000_000n;
export const crashKey = (i: number): L2KeyPair => l2Key(`crash ${i}`);
export function crashRollupConfig(): RollupConfig {
  return rollupConfig({
    chainId: ChainId.regtest,
    feeAccountKey: l2Key('crash operator').publicKey,
    depth: 10,
    withdrawalDepth: 4,
    blockIntervalMs: 100,
    maxBatchAgeMs: 1000,
    mempool: { maxSize: 20_000, maxPerAccount: 64 },
  });
}

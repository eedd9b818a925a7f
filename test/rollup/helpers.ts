import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryStore, RollupNode, getPublicKey } from '../../src/rollup/index.ts';
import type { DepositItem, KvStore, RollupConfig } from '../../src/rollup/index.ts';

export const CHAIN = 3;
export const key = (i: number): Uint8Array => sha256(new TextEncoder().encode(`keel test key ${i}`));
export const pub = (i: number) => getPublicKey(key(i));

export function testConfig(over: Partial<RollupConfig> = {}): RollupConfig {
  return {
    chainId: CHAIN,
    depth: 8,
    withdrawalDepth: 4,
    feeAccountKey: pub(0),
    blockIntervalMs: 50,
    maxBlockOps: 1000,
    maxBatchOps: 1000,
    maxBatchAgeMs: 60_000,
    mempool: { maxSize: 10_000, maxPerAccount: 64 },
    ...over,
  };
}

let txCounter = 0;
export function deposit(owner: number, amount: bigint, l1Height = 1): DepositItem {
  const txid = sha256(new TextEncoder().encode(`deposit ${txCounter++}`));
  return { type: 'deposit', txid, vout: 0, l1Height, pubKey: pub(owner), amount };
}

export async function openNode(over: Partial<RollupConfig> = {}, store: KvStore = new MemoryStore()) {
  const node = await RollupNode.open({ config: testConfig(over), store });
  node.setL1Height(10);
  return { node, store };
}

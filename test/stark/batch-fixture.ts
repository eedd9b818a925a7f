// A real batch sequenced by the rollup node (deposits, transfers, a withdrawal, an applied and a rejected forced
// exit, the fee credit) with the STARK-field tree configured, for the batch AIR and prover-service tests.
import {
  MemoryStore,
  PendingProverQueue,
  RollupNode,
  getPublicKey,
  poseidon2BabyBearHasher,
  signForcedExit,
  signTransfer,
  signWithdraw,
} from '../../src/rollup/index.ts';
import type { Account, BatchOutput, L1Item, Op, RollupConfig } from '../../src/rollup/index.ts';
import { sha256 } from '@noble/hashes/sha2.js';

export const CHAIN = 3;
export const DEPTH = 8;
export const key = (i: number): Uint8Array => sha256(new TextEncoder().encode(`keel stark test key ${i}`));
export const pub = (i: number) => getPublicKey(key(i));
export const P2WPKH = new Uint8Array([0x00, 0x14, ...new Array<number>(20).fill(0xcd)]);

export function starkTestConfig(over: Partial<RollupConfig> = {}): RollupConfig {
  return {
    chainId: CHAIN,
    depth: DEPTH,
    withdrawalDepth: 4,
    feeAccountKey: pub(0),
    blockIntervalMs: 50,
    maxBlockOps: 1000,
    maxBatchOps: 1000,
    maxBatchAgeMs: 3_600_000,
    mempool: { maxSize: 1000, maxPerAccount: 64 },
    ...over,
  };
}

/** The node's genesis: the fee account alone. */
export function genesisAccounts(): Array<[number, Account]> {
  const k = pub(0);
  return [[0, { ax: k.x, ay: k.y, balance: 0n, nonce: 0 }]];
}

export interface SequencedBatch {
  node: RollupNode;
  output: BatchOutput;
  ops: Op[];
  l1Items: L1Item[];
  /** The node's roots (BN254, STARK) after the batch. */
  roots: bigint[];
}

let counter = 0;
const txid = (): Uint8Array => sha256(new TextEncoder().encode(`stark test l1 item ${counter++}`));

/** Sequences one batch; `node` stays open (the caller closes it). */
export async function sequenceBatch(store = new MemoryStore()): Promise<SequencedBatch> {
  const queue = new PendingProverQueue('stark');
  const node = await RollupNode.open({
    // 9 operations and the fee credit: the third block closes the batch.
    config: starkTestConfig({ maxBatchOps: 10 }),
    store,
    extraHashers: [poseidon2BabyBearHasher],
    provers: [queue],
  });
  node.setL1Height(10);
  const l1Items: L1Item[] = [];
  const addItem = async (item: L1Item): Promise<void> => {
    l1Items.push(item);
    await node.addL1Item(item);
  };
  for (const [owner, amount] of [
    [1, 1_000_000n],
    [2, 500_000n],
    [3, 300_000n],
  ] as const)
    await addItem({ type: 'deposit', txid: txid(), vout: 0, l1Height: 5, pubKey: pub(owner), amount });
  await node.produceBlock();
  await node.submitTransaction(signTransfer(key(1), { from: 1, to: 2, amount: 250_000n, fee: 100n, nonce: 0 }, CHAIN));
  await node.submitTransaction(signTransfer(key(2), { from: 2, to: 3, amount: 1_234n, fee: 7n, nonce: 0 }, CHAIN));
  await node.submitTransaction(
    signWithdraw(key(2), { from: 2, script: P2WPKH, amount: 40_000n, fee: 50n, nonce: 1 }, CHAIN),
  );
  await node.produceBlock();
  // A second deposit to an existing key (account 1), an applied forced exit of account 3, a rejected one (bad nonce).
  await addItem({ type: 'deposit', txid: txid(), vout: 1, l1Height: 11, pubKey: pub(1), amount: 7_000n });
  await addItem(
    signForcedExit(key(3), { txid: txid(), vout: 0, l1Height: 11, account: 3, nonce: 0, script: P2WPKH }, CHAIN),
  );
  await addItem(
    signForcedExit(key(1), { txid: txid(), vout: 0, l1Height: 11, account: 1, nonce: 9, script: P2WPKH }, CHAIN),
  );
  node.setL1Height(12);
  await node.produceBlock({ force: true });
  const job = queue.jobs[0];
  if (!job) throw new Error('the node closed no batch');
  return { node, output: job.output, ops: job.ops, l1Items, roots: [...(await currentRoots(node))] };
}

async function currentRoots(node: RollupNode): Promise<bigint[]> {
  const block = await node.getBlock(node.height);
  if (!block) throw new Error('no tip block');
  return block.header.roots;
}

// A node that hashes its state tree on a worker thread builds exactly the blocks of one that hashes on the main
// thread, and while a block's tree is being hashed it keeps accepting against the state after that block.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, RollupError, RollupNode, encodeTransaction, signTransfer } from '../../src/rollup/index.ts';
import type { DepositItem } from '../../src/rollup/index.ts';
import { CHAIN, deposit, key, testConfig } from './helpers.ts';

const ACCOUNTS = 40;

async function open(hashingThreads: number): Promise<RollupNode> {
  const node = await RollupNode.open({
    config: testConfig({ depth: 12, mempool: { maxSize: 10_000, maxPerAccount: 64 } }),
    store: new MemoryStore(),
    hashingThreads,
  });
  node.setL1Height(10);
  return node;
}

const transfer = (from: number, nonce: number): Uint8Array =>
  encodeTransaction(
    signTransfer(key(from), { from, to: (from % ACCOUNTS) + 1, amount: 100n + BigInt(nonce), fee: 2n, nonce }, CHAIN),
  );

describe('tree hashing on a worker thread', () => {
  it('gives the same blocks and roots as the main thread, and accepts against the new state meanwhile', async () => {
    const deposits: DepositItem[] = [];
    for (let a = 1; a <= ACCOUNTS; a++) deposits.push(deposit(a, 1_000_000n));
    const plain = await open(0);
    const threaded = await open(1);
    try {
      for (const node of [plain, threaded]) {
        for (const d of deposits) await node.addL1Item(d);
        await node.produceBlock();
      }
      assert.deepEqual(threaded.roots, plain.roots);
      const round = async (nonce: number): Promise<void> => {
        for (let a = 1; a <= ACCOUNTS; a++) {
          const bytes = transfer(a, nonce);
          await plain.submitTransaction(bytes);
          await threaded.submitTransaction(bytes);
        }
      };
      await round(0);
      await plain.produceBlock();

      // The block's state change happens in a microtask; its tree digests come back from the worker as a message, a
      // macrotask. So polling on microtasks finds the window between the two deterministically.
      const height = threaded.height;
      const included = transfer(1, 0);
      const building = threaded.produceBlock();
      let sawWindow = false;
      for (let i = 0; i < 100 && !sawWindow; i++) {
        await null;
        if (threaded.height === height && threaded.getAccount(1).nonce === 1) {
          sawWindow = true;
          const ids = (
            await Promise.all([...Array(ACCOUNTS)].map((_, k) => threaded.submitTransaction(transfer(k + 1, 1))))
          ).map((r) => r.id);
          assert.equal(ids.length, ACCOUNTS, 'next nonces are accepted while the tree is hashed');
          await assert.rejects(
            threaded.submitTransaction(included),
            (e: unknown) => e instanceof RollupError && e.code === 'DUPLICATE',
          );
        }
      }
      await building;
      assert.ok(sawWindow, 'the block had a window while its tree was hashed');
      assert.equal(threaded.height, height + 1);
      assert.deepEqual(threaded.roots, plain.roots, 'same roots after the block');
      for (let a = 1; a <= ACCOUNTS; a++) await plain.submitTransaction(transfer(a, 1));
      await plain.produceBlock();
      await threaded.produceBlock();
      assert.deepEqual(threaded.roots, plain.roots);
      assert.equal(threaded.getAccount(1).nonce, 2);
      assert.equal(threaded.mempool.size, 0);
    } finally {
      await plain.close();
      await threaded.close();
    }
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BitcoinClient } from '../../../src/bitcoin/client/index.ts';
import { coinbaseUtxo, spend, startNode, Wallet, type TestNode } from './helpers.ts';

interface UtxoInfo {
  height: number;
  bestblock: string;
  txouts: number;
  keel_utxo_hash: string;
}

const utxoInfo = (c: BitcoinClient) => c.request<UtxoInfo>('gettxoutsetinfo');

/** Replays `from`'s active chain into a fresh node via submitblock and returns that node's UTXO digest. */
async function replayDigest(from: BitcoinClient): Promise<UtxoInfo> {
  const fresh = await startNode();
  try {
    const height = await from.getBlockCount();
    for (let h = 1; h <= height; h++) {
      const hex = await from.getBlockHex(await from.getBlockHash(h));
      assert.equal(await fresh.client.submitBlock(hex), null, `replay of block ${h}`);
    }
    return await utxoInfo(fresh.client);
  } finally {
    await fresh.node.stop();
  }
}

describe('reorganisations', () => {
  let t: TestNode;
  const alice = new Wallet(5);
  const bob = new Wallet(6);
  before(async () => {
    t = await startNode();
    await t.client.generateToAddress(110, alice.p2wpkh.address as string);
  });
  after(async () => {
    await t.node.stop();
  });

  it('invalidateblock puts the block transactions back in the mempool; the UTXO set matches a replay', async () => {
    const before = await utxoInfo(t.client);
    const cb1 = await coinbaseUtxo(t.client, 1);
    const cb2 = await coinbaseUtxo(t.client, 2);
    const tx1 = spend(alice, [cb1], [{ script: bob.p2wpkh.script, amount: cb1.amount - 1000n }]);
    const tx2 = spend(
      bob,
      [{ txid: tx1.txid, vout: 0, amount: cb1.amount - 1000n, script: bob.p2wpkh.script }],
      [{ script: bob.p2tr.script, amount: cb1.amount - 2000n }],
    );
    const tx3 = spend(alice, [cb2], [{ script: bob.p2tr.script, amount: cb2.amount - 1000n }]);
    for (const tx of [tx1, tx2, tx3]) await t.client.sendRawTransaction(tx.hex);
    const [blockHash] = await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    assert.deepEqual(await t.client.getRawMempool(), []);
    const mined = await utxoInfo(t.client);
    assert.notEqual(mined.keel_utxo_hash, before.keel_utxo_hash);
    assert.deepEqual(await replayDigest(t.client), mined);

    await t.client.invalidateBlock(blockHash);
    assert.equal(await t.client.getBlockCount(), 110);
    assert.deepEqual((await t.client.getRawMempool()).sort(), [tx1.txid, tx2.txid, tx3.txid].sort());
    const afterInvalidate = await utxoInfo(t.client);
    assert.equal(afterInvalidate.keel_utxo_hash, before.keel_utxo_hash);
    assert.deepEqual(await replayDigest(t.client), afterInvalidate);
    const tips = await t.client.getChainTips();
    assert.ok(tips.some((tip) => tip.hash === blockHash && tip.status === 'invalid'));
    // The parent/child link survives the round trip.
    assert.deepEqual((await t.client.getMempoolEntry(tx2.txid)).depends, [tx1.txid]);

    await t.client.reconsiderBlock(blockHash);
    assert.equal(await t.client.getBestBlockHash(), blockHash);
    assert.deepEqual(await t.client.getRawMempool(), []);
    assert.deepEqual(await utxoInfo(t.client), mined);
  });

  it('switches to a chain with more work from another node, and back to the first by reconsider', async () => {
    const other = await startNode();
    try {
      // Give the other node our chain, then let both extend it differently.
      const height = await t.client.getBlockCount();
      for (let h = 1; h <= height; h++)
        await other.client.submitBlock(await t.client.getBlockHex(await t.client.getBlockHash(h)));
      const cb = await coinbaseUtxo(t.client, 3);
      const tx = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 1000n }]);
      await t.client.sendRawTransaction(tx.hex);
      const [ours] = await t.client.generateToAddress(1, alice.p2wpkh.address as string);
      const theirs = await other.client.generateToAddress(2, bob.p2wpkh.address as string);
      for (const hash of theirs) await t.client.submitBlock(await other.client.getBlockHex(hash));
      assert.equal(await t.client.getBestBlockHash(), theirs[1]);
      assert.deepEqual(await t.client.getRawMempool(), [tx.txid], 'our block tx is back in the pool');
      const tips = await t.client.getChainTips();
      assert.ok(tips.some((tip) => tip.hash === ours && tip.status === 'valid-fork' && tip.branchlen === 1));
      assert.deepEqual(await replayDigest(t.client), await utxoInfo(t.client));
      // Invalidating their first block leaves ours as the best valid chain.
      await t.client.invalidateBlock(theirs[0]);
      assert.equal(await t.client.getBestBlockHash(), ours);
      assert.deepEqual(await t.client.getRawMempool(), []);
      assert.deepEqual(await replayDigest(t.client), await utxoInfo(t.client));
    } finally {
      await other.node.stop();
    }
  });

  it('drops pool transactions that a reorg makes invalid (a coinbase spend that is immature again)', async () => {
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    const tip = await t.client.getBlockCount();
    // The coinbase at tip - 99 is spendable in the next block, and not any more once the tip is invalidated.
    const cb = await coinbaseUtxo(t.client, tip - 99);
    const tx = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 1000n }]);
    await t.client.sendRawTransaction(tx.hex);
    const unrelated = await coinbaseUtxo(t.client, 4);
    const keep = spend(alice, [unrelated], [{ script: bob.p2wpkh.script, amount: unrelated.amount - 1000n }]);
    await t.client.sendRawTransaction(keep.hex);
    await t.client.invalidateBlock(await t.client.getBestBlockHash());
    assert.deepEqual(await t.client.getRawMempool(), [keep.txid]);
  });
});

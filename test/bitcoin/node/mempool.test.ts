import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as btc from '@scure/btc-signer';
import { btcToSats } from '../../../src/bitcoin/client/index.ts';
import {
  coinbaseUtxo,
  expectRpcError,
  REGTEST,
  spend,
  startNode,
  Wallet,
  type TestNode,
  type Utxo,
} from './helpers.ts';

describe('mempool policy over JSON-RPC', () => {
  let t: TestNode;
  const alice = new Wallet(3);
  const bob = new Wallet(4);
  let nextCoinbase = 1;
  const coin = () => coinbaseUtxo(t.client, nextCoinbase++);
  before(async () => {
    t = await startNode();
    await t.client.generateToAddress(130, alice.p2wpkh.address as string);
  });
  after(async () => {
    await t.node.stop();
  });

  it('rejects a double spend and accepts a higher-fee replacement (BIP125)', async () => {
    const cb = await coin();
    const first = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 1000n }]);
    await t.client.sendRawTransaction(first.hex);
    // Same fee: a replacement must pay a higher feerate.
    const same = spend(alice, [cb], [{ script: alice.p2wpkh.script, amount: cb.amount - 1000n }]);
    await expectRpcError(t.client.sendRawTransaction(same.hex), -26, /^insufficient fee, rejecting replacement/);
    // Higher feerate but not enough extra to pay for its own relay (incremental relay fee 1 sat/vB).
    const tooSmall = spend(alice, [cb], [{ script: alice.p2wpkh.script, amount: cb.amount - 1050n }]);
    await expectRpcError(t.client.sendRawTransaction(tooSmall.hex), -26, /not enough additional fees to relay/);
    assert.deepEqual(await t.client.getRawMempool(), [first.txid]);

    const replacement = spend(alice, [cb], [{ script: alice.p2wpkh.script, amount: cb.amount - 5000n }]);
    assert.equal(await t.client.sendRawTransaction(replacement.hex), replacement.txid);
    assert.deepEqual(await t.client.getRawMempool(), [replacement.txid]);
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    // Once confirmed, the original is a plain double spend of a spent coin.
    await expectRpcError(t.client.sendRawTransaction(first.hex), -25, /^Inputs missing or spent$/);
    const accept = await t.client.testMempoolAccept([first.hex]);
    assert.equal(accept[0].allowed, false);
    assert.equal(accept[0]['reject-reason'], 'missing-inputs');
  });

  it('evicts descendants of a replaced transaction, and refuses a replacement spending them', async () => {
    const cb = await coin();
    const parent = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 1000n }]);
    await t.client.sendRawTransaction(parent.hex);
    const childIn: Utxo = { txid: parent.txid, vout: 0, amount: cb.amount - 1000n, script: bob.p2wpkh.script };
    const child = spend(bob, [childIn], [{ script: bob.p2wpkh.script, amount: childIn.amount - 1000n }]);
    await t.client.sendRawTransaction(child.hex);
    const entry = await t.client.getMempoolEntry(child.txid);
    assert.equal(entry.ancestorcount, 2);
    assert.deepEqual(entry.depends, [parent.txid]);
    const replacement = spend(alice, [cb], [{ script: alice.p2wpkh.script, amount: cb.amount - 10_000n }]);
    await t.client.sendRawTransaction(replacement.hex);
    const pool = await t.client.getRawMempool();
    assert.ok(!pool.includes(parent.txid) && !pool.includes(child.txid) && pool.includes(replacement.txid));
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
  });

  it('rejects below the minimum relay fee and dust outputs', async () => {
    const cb = await coin();
    const free = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 50n }]);
    await expectRpcError(t.client.sendRawTransaction(free.hex), -26, /^min relay fee not met, 50 < 110$/);
    const dust = spend(
      alice,
      [cb],
      [
        { script: bob.p2wpkh.script, amount: 293n },
        { script: alice.p2wpkh.script, amount: cb.amount - 2000n },
      ],
    );
    await expectRpcError(t.client.sendRawTransaction(dust.hex), -26, /^dust$/);
    const notDust = spend(
      alice,
      [cb],
      [
        { script: bob.p2wpkh.script, amount: 294n },
        { script: alice.p2wpkh.script, amount: cb.amount - 2000n },
      ],
    );
    assert.equal(await t.client.sendRawTransaction(notDust.hex), notDust.txid);
  });

  it('refuses fees above maxfeerate unless the caller raises it', async () => {
    const cb = await coin();
    const greedy = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: 100_000n }]);
    await expectRpcError(t.client.sendRawTransaction(greedy.hex), -25, /^Fee exceeds maximum configured by user/);
    assert.equal(await t.client.sendRawTransaction(greedy.hex, 0), greedy.txid);
  });

  it('rejects a 401,000 WU transaction as non-standard, but a block containing it is valid', async () => {
    const cb = await coin();
    const outputs = Array.from({ length: 3240 }, () => ({ script: bob.p2wpkh.script, amount: 10_000n }));
    const total = 3240n * 10_000n;
    outputs.push({ script: alice.p2wpkh.script, amount: cb.amount - total - 500_000n });
    const big = spend(alice, [cb], outputs);
    const decoded = await t.client.decodeRawTransaction(big.hex);
    assert.ok(decoded.weight > 400_000 && decoded.weight < 410_000, `weight ${decoded.weight}`);
    await expectRpcError(t.client.sendRawTransaction(big.hex), -26, /^tx-size$/);
    const accept = await t.client.testMempoolAccept([big.hex]);
    assert.equal(accept[0]['reject-reason'], 'tx-size');
    const { hash } = await t.client.generateBlock(alice.p2wpkh.address as string, [big.hex]);
    assert.equal(await t.client.getBestBlockHash(), hash);
    const block = await t.client.getBlock(hash);
    assert.deepEqual(block.tx.slice(1), [big.txid]);
    const out = await t.client.getTxOut(big.txid, 3239);
    assert.equal(out && btcToSats(out.value), 10_000n);
  });

  it('enforces the ancestor limit of 25', async () => {
    const cb = await coin();
    let utxo: Utxo = cb;
    const chain: string[] = [];
    for (let i = 0; i < 25; i++) {
      const tx = spend(alice, [utxo], [{ script: alice.p2wpkh.script, amount: utxo.amount - 1000n }]);
      await t.client.sendRawTransaction(tx.hex);
      chain.push(tx.txid);
      utxo = { txid: tx.txid, vout: 0, amount: utxo.amount - 1000n, script: alice.p2wpkh.script };
    }
    const tooLong = spend(alice, [utxo], [{ script: alice.p2wpkh.script, amount: utxo.amount - 1000n }]);
    await expectRpcError(t.client.sendRawTransaction(tooLong.hex), -26, /^too-long-mempool-chain/);
    // Mining takes the whole package in dependency order.
    const [hash] = await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    const block = await t.client.getBlock(hash);
    assert.deepEqual(
      block.tx.filter((id) => chain.includes(id)),
      chain,
    );
  });

  it('orders a block template by ancestor feerate (child pays for parent)', async () => {
    const [a, b] = [await coin(), await coin()];
    const lowParent = spend(alice, [a], [{ script: alice.p2wpkh.script, amount: a.amount - 200n }]);
    const mid = spend(alice, [b], [{ script: alice.p2wpkh.script, amount: b.amount - 2000n }]);
    await t.client.sendRawTransaction(lowParent.hex);
    await t.client.sendRawTransaction(mid.hex);
    const richChild = spend(
      alice,
      [{ txid: lowParent.txid, vout: 0, amount: a.amount - 200n, script: alice.p2wpkh.script }],
      [{ script: alice.p2wpkh.script, amount: a.amount - 200n - 20_000n }],
    );
    await t.client.sendRawTransaction(richChild.hex);
    const gbt = (await t.client.request('getblocktemplate', [{ rules: ['segwit'] }])) as {
      transactions: { txid: string; depends: number[] }[];
    };
    assert.deepEqual(
      gbt.transactions.map((x) => x.txid),
      [lowParent.txid, richChild.txid, mid.txid],
    );
    assert.deepEqual(gbt.transactions[1].depends, [1]);
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    assert.deepEqual(await t.client.getRawMempool(), []);
  });

  it('estimates fees from confirmed pool transactions', async () => {
    const fee = await t.client.estimateSmartFee(6);
    assert.equal(fee.errors, undefined);
    assert.ok(fee.feerate !== undefined && fee.feerate >= 0.00001, `feerate ${fee.feerate}`);
    await expectRpcError(t.client.estimateSmartFee(0), -8, /Invalid conf_target/);
  });

  it('testmempoolaccept checks a parent and child together without changing the pool', async () => {
    const cb = await coin();
    const parent = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 1000n }]);
    const child = spend(
      bob,
      [{ txid: parent.txid, vout: 0, amount: cb.amount - 1000n, script: bob.p2wpkh.script }],
      [{ script: bob.p2tr.script, amount: cb.amount - 2000n }],
    );
    const poolBefore = await t.client.getRawMempool();
    const results = await t.client.testMempoolAccept([parent.hex, child.hex]);
    assert.deepEqual(
      results.map((r) => [r.txid, r.allowed]),
      [
        [parent.txid, true],
        [child.txid, true],
      ],
    );
    assert.deepEqual(await t.client.getRawMempool(), poolBefore);
    // Alone, the child has no parent to spend.
    assert.equal((await t.client.testMempoolAccept([child.hex]))[0]['reject-reason'], 'missing-inputs');
    const rival = spend(alice, [cb], [{ script: alice.p2wpkh.script, amount: cb.amount - 3000n }]);
    assert.equal(
      (await t.client.testMempoolAccept([parent.hex, rival.hex]))[1]['reject-reason'],
      'conflict-in-package',
    );
  });

  it('limits tapscript initial stack items to 80 bytes (policy, not consensus)', async () => {
    // Leaf `OP_DROP OP_1`: any item satisfies it, so only the standardness rule decides.
    const leaf = Uint8Array.of(0x75, 0x51);
    const tree = btc.p2tr(btc.TAPROOT_UNSPENDABLE_KEY, { script: leaf }, REGTEST, true);
    const cb = await coin();
    const fund = spend(
      alice,
      [cb],
      [
        { script: tree.script, amount: 100_000n },
        { script: tree.script, amount: 100_000n },
        { script: alice.p2wpkh.script, amount: cb.amount - 210_000n },
      ],
    );
    await t.client.sendRawTransaction(fund.hex);
    const leafEntry = tree.tapLeafScript?.[0];
    assert.ok(leafEntry);
    const [control, scriptWithVersion] = leafEntry;
    const spendWith = (vout: number, itemSize: number) => {
      const tx = new btc.Transaction({ version: 2, allowUnknownInputs: true });
      tx.addInput({ txid: fund.txid, index: vout, witnessUtxo: { script: tree.script, amount: 100_000n } });
      tx.addOutput({ script: bob.p2wpkh.script, amount: 99_000n });
      tx.updateInput(
        0,
        {
          finalScriptWitness: [
            new Uint8Array(itemSize).fill(1),
            scriptWithVersion.subarray(0, -1),
            btc.TaprootControlBlock.encode(control),
          ],
        },
        true,
      );
      return tx;
    };
    const big = spendWith(0, 81);
    await expectRpcError(t.client.sendRawTransaction(big.hex), -26, /^bad-witness-nonstandard$/);
    const ok = spendWith(1, 80);
    assert.equal(await t.client.sendRawTransaction(ok.hex), ok.id);
    // Consensus does not care: a block may carry the 81-byte item.
    await t.client.generateBlock(alice.p2wpkh.address as string, [fund.txid, big.hex]);
    assert.equal((await t.client.getRawTransactionVerbose(big.id)).confirmations, 1);
  });

  it('evicts the cheapest transactions when full and raises the minimum fee', async () => {
    // Room for three 1-in-1-out P2WPKH spends (191 bytes each).
    const small = await startNode({ maxMempoolBytes: 600 });
    try {
      await small.client.generateToAddress(105, alice.p2wpkh.address as string);
      const txs = [];
      for (const [height, fee] of [
        [1, 1000n],
        [2, 2000n],
        [3, 3000n],
        [4, 5000n],
      ] as const) {
        const cb = await coinbaseUtxo(small.client, height);
        txs.push(spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - fee }]));
      }
      for (const tx of txs) await small.client.sendRawTransaction(tx.hex);
      const pool = await small.client.getRawMempool();
      assert.deepEqual(pool.sort(), [txs[1].txid, txs[2].txid, txs[3].txid].sort(), 'the 1000-sat one was evicted');
      const info = await small.client.getMempoolInfo();
      assert.ok(info.mempoolminfee > 0.00001, `mempoolminfee ${info.mempoolminfee}`);
      const cb = await coinbaseUtxo(small.client, 5);
      const cheap = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 1000n }]);
      await expectRpcError(small.client.sendRawTransaction(cheap.hex), -26, /^mempool min fee not met/);
    } finally {
      await small.node.stop();
    }
  });
});

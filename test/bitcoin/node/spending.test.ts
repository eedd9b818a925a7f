import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as btc from '@scure/btc-signer';
import { btcToSats } from '../../../src/bitcoin/client/index.ts';
import {
  coinbaseUtxo,
  expectRpcError,
  finalizeLeaf,
  hexBytes,
  REGTEST,
  spend,
  startNode,
  Wallet,
  type TestNode,
} from './helpers.ts';

describe('mining and spending over JSON-RPC', () => {
  let t: TestNode;
  const alice = new Wallet(1);
  const bob = new Wallet(2);
  before(async () => {
    t = await startNode();
  });
  after(async () => {
    await t.node.stop();
  });

  it('mines 101 blocks quickly, to the regtest genesis chain', async () => {
    const start = performance.now();
    const hashes = await t.client.generateToAddress(101, alice.p2wpkh.address as string);
    const ms = performance.now() - start;
    assert.equal(hashes.length, 101);
    assert.ok(ms < 5000, `101 blocks took ${ms} ms`);
    assert.equal(await t.client.getBlockCount(), 101);
    assert.equal(await t.client.getBlockHash(0), '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206');
    const info = await t.client.getBlockchainInfo();
    assert.equal(info.chain, 'regtest');
    assert.equal(info.bestblockhash, hashes[100]);
  });

  it('refuses to spend a coinbase before 100 confirmations', async () => {
    const immature = await coinbaseUtxo(t.client, 3);
    const tx = spend(alice, [immature], [{ script: bob.p2wpkh.script, amount: immature.amount - 1000n }]);
    await expectRpcError(t.client.sendRawTransaction(tx.hex), -26, /bad-txns-premature-spend-of-coinbase/);
  });

  let wpkhUtxo: { txid: string; vout: number; amount: bigint; script: Uint8Array };
  it('spends a coinbase to P2WPKH and confirms it', async () => {
    const cb = await coinbaseUtxo(t.client, 1);
    const tx = spend(alice, [cb], [{ script: bob.p2wpkh.script, amount: cb.amount - 2000n }]);
    assert.equal(await t.client.sendRawTransaction(tx.hex), tx.txid);
    assert.deepEqual(await t.client.getRawMempool(), [tx.txid]);
    const entry = await t.client.getMempoolEntry(tx.txid);
    assert.equal(btcToSats(entry.fees.base), 2000n);
    const waiting = t.client.waitForConfirmations(tx.txid, { pollingInterval: 20, timeout: 10_000 });
    const [hash] = await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    assert.equal((await waiting).blockhash, hash);
    const block = await t.client.getBlock(hash);
    assert.deepEqual(block.tx.slice(1), [tx.txid]);
    assert.deepEqual(await t.client.getRawMempool(), []);
    const out = await t.client.getTxOut(tx.txid, 0);
    assert.ok(out);
    assert.equal(out.confirmations, 1);
    assert.equal(out.scriptPubKey.address, bob.p2wpkh.address);
    // The spent coinbase is gone from the UTXO set.
    assert.equal(await t.client.getTxOut(cb.txid, 0), null);
    wpkhUtxo = { txid: tx.txid, vout: 0, amount: cb.amount - 2000n, script: bob.p2wpkh.script };
    const verbose = await t.client.getRawTransactionVerbose(tx.txid);
    assert.equal(verbose.blockhash, hash);
    assert.equal(verbose.confirmations, 1);
    // Verbosity 2 (Core 25+) adds what each input spent and the fee.
    const v2 = await t.client.request<{ fee: number; vin: { prevout: { generated: boolean; value: number } }[] }>(
      'getrawtransaction',
      [tx.txid, 2],
    );
    assert.equal(v2.fee, 0.00002);
    assert.deepEqual(v2.vin[0].prevout.generated, true);
    assert.equal(btcToSats(v2.vin[0].prevout.value), cb.amount);
  });

  let trUtxo: { txid: string; vout: number; amount: bigint; script: Uint8Array };
  it('spends P2WPKH to P2TR, then the P2TR output by key path', async () => {
    const tx = spend(bob, [wpkhUtxo], [{ script: alice.p2tr.script, amount: wpkhUtxo.amount - 1500n }]);
    await t.client.sendRawTransaction(tx.hex);
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    trUtxo = { txid: tx.txid, vout: 0, amount: wpkhUtxo.amount - 1500n, script: alice.p2tr.script };
    const scan = await t.client.scanTxOutSet([`addr(${alice.p2tr.address})`]);
    assert.equal(scan.unspents.length, 1);
    assert.equal(btcToSats(scan.total_amount), trUtxo.amount);

    const keyPath = spend(alice, [trUtxo], [{ script: bob.p2tr.script, amount: trUtxo.amount - 1000n }], {
      kind: 'tr',
    });
    const decoded = await t.client.decodeRawTransaction(keyPath.hex);
    assert.equal(decoded.vin[0].txinwitness?.length, 1, 'key path: one signature');
    assert.equal(await t.client.sendRawTransaction(keyPath.hex), keyPath.txid);
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    const out = await t.client.getTxOut(keyPath.txid, 0);
    assert.equal(out?.scriptPubKey.type, 'witness_v1_taproot');
  });

  it('rejects a key-path spend with a bad signature (script check)', async () => {
    // Mature more coinbases for the following cases.
    await t.client.generateToAddress(100, bob.p2wpkh.address as string);
    const cb = await coinbaseUtxo(t.client, 3);
    // Move the coinbase to a P2TR output first.
    const fund = spend(alice, [cb], [{ script: alice.p2tr.script, amount: cb.amount - 1000n }]);
    await t.client.sendRawTransaction(fund.hex);
    const utxo = { txid: fund.txid, vout: 0, amount: cb.amount - 1000n, script: alice.p2tr.script };
    const good = spend(alice, [utxo], [{ script: bob.p2wpkh.script, amount: utxo.amount - 1000n }], { kind: 'tr' });
    const raw = hexBytes(good.hex);
    // Flip one byte of the 64-byte signature (it sits just before the 4-byte locktime).
    raw[raw.length - 10] ^= 1;
    await expectRpcError(
      t.client.sendRawTransaction(Buffer.from(raw).toString('hex')),
      -26,
      /^mandatory-script-verify-flag-failed \(Invalid Schnorr signature\)/,
    );
    assert.equal(await t.client.sendRawTransaction(good.hex), good.txid);
  });

  it('enforces a CSV script-path leaf: rejected before n blocks, accepted after', async () => {
    const n = 5;
    const leaf = btc.Script.encode([n, 'CHECKSEQUENCEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
    const tree = btc.p2tr(btc.TAPROOT_UNSPENDABLE_KEY, { script: leaf }, REGTEST, true);
    const cb = await coinbaseUtxo(t.client, 4);
    const fund = spend(alice, [cb], [{ script: tree.script, amount: cb.amount - 1000n }]);
    await t.client.sendRawTransaction(fund.hex);
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    const value = cb.amount - 1000n;

    const build = () => {
      const tx = new btc.Transaction({ version: 2 });
      tx.addInput({
        ...tree,
        txid: fund.txid,
        index: 0,
        witnessUtxo: { script: tree.script, amount: value },
        sequence: n,
      });
      tx.addOutput({ script: bob.p2wpkh.script, amount: value - 2000n });
      tx.sign(alice.priv);
      finalizeLeaf(tx, 0);
      return tx;
    };
    const tx = build();
    assert.equal(tx.getInput(0).finalScriptWitness?.length, 3, 'script path: sig, leaf, control block');
    // One confirmation so far; the leaf needs n.
    for (let confirmations = 1; confirmations < n; confirmations++) {
      await expectRpcError(t.client.sendRawTransaction(tx.hex), -26, /^non-BIP68-final/);
      // Consensus agrees: a block holding it now is invalid.
      await expectRpcError(
        t.client.generateBlock(alice.p2wpkh.address as string, [tx.hex]),
        -25,
        /TestBlockValidity failed: bad-txns-nonfinal/,
      );
      await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    }
    assert.equal(await t.client.sendRawTransaction(tx.hex), tx.id);
    await t.client.generateToAddress(1, alice.p2wpkh.address as string);
    assert.equal((await t.client.getRawTransactionVerbose(tx.id)).confirmations, 1);
  });

  it('rejects a CSV leaf whose sequence is below n (script failure, not BIP68)', async () => {
    const n = 3;
    const leaf = btc.Script.encode([n, 'CHECKSEQUENCEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
    const tree = btc.p2tr(btc.TAPROOT_UNSPENDABLE_KEY, { script: leaf }, REGTEST, true);
    const cb = await coinbaseUtxo(t.client, 5);
    const fund = spend(alice, [cb], [{ script: tree.script, amount: cb.amount - 1000n }]);
    await t.client.sendRawTransaction(fund.hex);
    await t.client.generateToAddress(n + 1, alice.p2wpkh.address as string);
    const tx = new btc.Transaction({ version: 2 });
    tx.addInput({
      ...tree,
      txid: fund.txid,
      index: 0,
      witnessUtxo: { script: tree.script, amount: cb.amount - 1000n },
      sequence: n - 1,
    });
    tx.addOutput({ script: bob.p2wpkh.script, amount: cb.amount - 3000n });
    tx.sign(alice.priv);
    finalizeLeaf(tx, 0);
    await expectRpcError(t.client.sendRawTransaction(tx.hex), -26, /Locktime requirement not satisfied/);
  });

  it('serialises concurrent generatetoaddress calls onto one chain', async () => {
    const start = await t.client.getBlockCount();
    const results = await Promise.all([1, 2, 3].map(() => t.client.generateToAddress(5, bob.p2wpkh.address as string)));
    assert.equal(await t.client.getBlockCount(), start + 15);
    assert.equal(new Set(results.flat()).size, 15);
    assert.deepEqual(
      (await t.client.getChainTips()).map((tip) => tip.status),
      ['active'],
    );
  });
});

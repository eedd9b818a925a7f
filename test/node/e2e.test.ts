// End to end through the real JSON-RPC: a deposit on regtest credits L2, a transfer, a withdrawal whose leaf is in
// the batch output, and WebSocket subscriptions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as btc from '@scure/btc-signer';
import { packPoint, withdrawalRoot } from '../../src/rollup/index.ts';
import { createKeelClient, webSocket } from '../../src/sdk/index.ts';
import type { BlockNotification, TransactionStatusJson } from '../../src/sdk/index.ts';
import { MINER_ADDRESS, REGTEST, l2Key, sendDeposit, startHarness, until } from './helpers.ts';
import type { Harness } from './helpers.ts';

const alice = l2Key('alice');
const bob = l2Key('bob');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('L2 node end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('a deposit on regtest is credited on L2 only after the required confirmations', async () => {
    const txid = await sendDeposit(h, alice, 150_000n);
    await sendDeposit(h, bob, 20_000n);
    await h.btcClient.generateToAddress(1, MINER_ADDRESS);
    const mined = await h.btcClient.getRawTransactionVerbose(txid);
    assert.equal(mined.confirmations, 1);
    // One confirmation is not enough (confirmations: 2): once the watcher has seen that tip, it has taken the
    // block below it only.
    const tip = await h.btcClient.getBlockCount();
    const seen = await until('the watcher to see the tip', async () => {
      const s = await h.client.getStatus();
      return s.l1.tip === tip && s.l1.scanned === tip - 1 && s;
    });
    assert.equal(seen.queue.length, 0);
    assert.equal(await h.client.getAccountByKey(packPoint(alice.publicKey)), null);
    await h.btcClient.generateToAddress(1, MINER_ADDRESS);
    const account = await until('alice credited', () => h.client.getAccountByKey(packPoint(alice.publicKey)));
    assert.equal(account.balance, '150000');
    assert.equal(account.nonce, 0);
    const bobAccount = await until('bob credited', () => h.client.getAccountByKey(packPoint(bob.publicKey)));
    assert.equal(bobAccount.balance, '20000');
    assert.notEqual(account.index, bobAccount.index);
    // The block that took it says where the deposit came from.
    const status = await h.client.getStatus();
    assert.equal(status.queue.length, 2);
    assert.equal(status.queue.consumed, 2);
    let found = false;
    for (let n = 1; n <= status.height && !found; n++) {
      const block = await h.client.getBlock(n);
      found = block!.ops.some((op) => op.kind === 'deposit' && op.l1Txid === txid && op.amount === '150000');
    }
    assert.ok(found, 'the deposit op names its L1 txid');
  });

  it('transfers between two accounts, with the status moving pending → soft', async () => {
    const a = (await h.client.getAccountByKey(packPoint(alice.publicKey)))!;
    const b = (await h.client.getAccountByKey(packPoint(bob.publicKey)))!;
    const { id } = await h.client.transfer(alice, { to: b.index, amount: 30_000n, fee: 100n });
    const s = await h.client.waitForTransaction(id, { timeoutMs: 10_000 });
    assert.equal(s.status, 'soft');
    assert.equal(s.transaction?.type, 'transfer');
    assert.ok(s.block! > 0);
    assert.equal((await h.client.getAccount(a.index))!.balance, `${150_000n - 30_100n}`);
    assert.equal((await h.client.getAccount(a.index))!.nonce, 1);
    assert.equal((await h.client.getAccount(b.index))!.balance, `${20_000n + 30_000n}`);
  });

  it('a withdrawal burns on L2 and its leaf appears in the batch output', async () => {
    const script = btc.OutScript.encode(btc.Address(REGTEST).decode(MINER_ADDRESS));
    const { id } = await h.client.withdraw(alice, { script, amount: 50_000n, fee: 200n });
    const s = await h.client.waitForTransaction(id, { timeoutMs: 10_000 });
    assert.equal(s.status, 'soft');
    const batch = await until('the batch to close', () => h.client.getBatch(s.batch!), 10_000);
    assert.ok(batch.firstBlock <= s.block! && s.block! <= batch.lastBlock);
    const leaf = batch.withdrawals.find((w) => w.script === hex(script) && w.amount === '50000');
    assert.ok(leaf, 'the withdrawal leaf is in the batch');
    const root = withdrawalRoot(
      batch.withdrawals.map((w) => ({ script: Buffer.from(w.script, 'hex'), amount: BigInt(w.amount) })),
      4,
    );
    assert.equal(batch.withdrawalRoot, `0x${root.toString(16)}`);
    assert.equal(batch.status, 'soft', 'no anchorer or prover runs here');
    const a = (await h.client.getAccountByKey(packPoint(alice.publicKey)))!;
    assert.equal(a.balance, `${150_000n - 30_100n - 50_200n}`);
  });

  it('WebSocket subscriptions deliver new blocks and a transaction status', async () => {
    const ws = createKeelClient({ transport: webSocket(h.node.wsUrl) });
    try {
      const blocks: BlockNotification[] = [];
      const unwatch = await ws.watchBlocks((b) => blocks.push(b));
      const b = (await ws.getAccountByKey(packPoint(bob.publicKey)))!;
      const a = (await ws.getAccountByKey(packPoint(alice.publicKey)))!;
      const { id } = await ws.transfer(bob, { to: a.index, amount: 1_000n, fee: 10n });
      const statuses: TransactionStatusJson[] = [];
      const unwatchTx = await ws.watchTransaction(id, (s) => statuses.push(s));
      await until('a soft status notification', async () => statuses.some((s) => s.status === 'soft'));
      await until('a block notification', async () => blocks.length > 0);
      const soft = statuses.find((s) => s.status === 'soft')!;
      assert.ok(
        blocks.some((x) => x.number === soft.block),
        'the block holding it was announced',
      );
      assert.equal(soft.transaction?.type === 'transfer' && soft.transaction.from, b.index);
      await unwatch();
      await unwatchTx();
    } finally {
      await ws.close();
    }
  });
});

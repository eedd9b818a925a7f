// The L1 watcher: deposits survive restarts exactly once, an unconfirmed deposit that a reorg removes is never
// credited, a reorg below the confirmation depth halts deposits, and the deposit format is parsed strictly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as btc from '@scure/btc-signer';
import { LevelStore, packPoint } from '../../src/rollup/index.ts';
import {
  bridgeDepositScript,
  depositMarkerScript,
  depositsOfTransaction,
  encodeCursor,
  parseDepositMarker,
  watcherKeys,
} from '../../src/node/index.ts';
import { BRIDGE_KEY, MINER_ADDRESS, l2Key, sendDeposit, startHarness, until } from './helpers.ts';
import type { Harness } from './helpers.ts';

const carol = l2Key('watch-carol');
const dave = l2Key('watch-dave');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('deposit format', () => {
  const bridge = hex(bridgeDepositScript(BRIDGE_KEY));
  const marker = hex(depositMarkerScript(carol.publicKey));
  it('the marker round-trips and rejects near misses', () => {
    assert.deepEqual(parseDepositMarker(depositMarkerScript(carol.publicKey)), carol.publicKey);
    const bad = depositMarkerScript(carol.publicKey);
    bad[2] ^= 1; // "KEEL" → "JEEL"
    assert.equal(parseDepositMarker(bad), undefined);
    const version = depositMarkerScript(carol.publicKey);
    version[6] = 2;
    assert.equal(parseDepositMarker(version), undefined);
    assert.equal(parseDepositMarker(btc.Script.encode(['RETURN', new Uint8Array(37)])), undefined);
  });
  it('every bridge output of a marked transaction is a deposit; two markers or none make no deposit', () => {
    const txid = '11'.repeat(31) + '22';
    const outs = [
      { scriptHex: bridge, sats: 5000n },
      { scriptHex: marker, sats: 0n },
      { scriptHex: '0014' + 'ab'.repeat(20), sats: 7000n },
      { scriptHex: bridge, sats: 600n },
    ];
    const items = depositsOfTransaction(txid, outs, bridgeDepositScript(BRIDGE_KEY), 7);
    assert.deepEqual(
      items.map((i) => [i.vout, i.amount, i.l1Height]),
      [
        [0, 5000n, 7],
        [3, 600n, 7],
      ],
    );
    assert.equal(hex(items[0]!.txid), '22' + '11'.repeat(31), 'outpoint byte order');
    assert.deepEqual(
      depositsOfTransaction(txid, [...outs, { scriptHex: marker, sats: 0n }], bridgeDepositScript(BRIDGE_KEY), 7),
      [],
    );
    assert.deepEqual(depositsOfTransaction(txid, [outs[0]!], bridgeDepositScript(BRIDGE_KEY), 7), []);
  });
});

describe('L1 watcher', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-watcher-'));
    h = await startHarness({ store: await LevelStore.open(join(dir, 'l2')) });
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a deposit is taken once, and a restart neither loses nor repeats it', async () => {
    const depositTxid = await sendDeposit(h, carol, 40_000n);
    await h.btcClient.generateToAddress(2, MINER_ADDRESS);
    const acc = await until('carol credited', () => h.client.getAccountByKey(packPoint(carol.publicKey)));
    assert.equal(acc.balance, '40000');
    const before = await h.client.getStatus();
    await h.restart(() => LevelStore.open(join(dir, 'l2')));
    // Let the restarted watcher poll a few times over the same chain.
    await new Promise((r) => setTimeout(r, 300));
    const after = await h.client.getStatus();
    assert.equal(after.queue.length, before.queue.length);
    assert.equal(after.l1.scanned, before.l1.scanned);
    assert.equal((await h.client.getAccountByKey(packPoint(carol.publicKey)))!.balance, '40000');
    // A crash after a block's queue items but before its cursor (impossible with the atomic write, but the watcher
    // must not double-credit stores that got there some other way): the rescan skips what is queued.
    const block = await h.btcClient.getBlockHeader(
      (await h.btcClient.getRawTransactionVerbose(depositTxid)).blockhash!,
    );
    const previous = await h.btcClient.getBlockHash(block.height - 1);
    await h.restart(async () => {
      const store = await LevelStore.open(join(dir, 'l2'));
      await store.write([
        { type: 'put', key: watcherKeys.scan(), value: encodeCursor({ height: block.height - 1, hash: previous }) },
      ]);
      return store;
    });
    await until('the rescan', async () => (await h.client.getStatus()).l1.scanned >= before.l1.scanned);
    assert.equal((await h.client.getStatus()).queue.length, before.queue.length, 'no deposit queued twice');
    assert.equal((await h.client.getAccountByKey(packPoint(carol.publicKey)))!.balance, '40000');
    // And it keeps following: a new deposit after the restart is credited.
    await sendDeposit(h, carol, 1_000n);
    await h.btcClient.generateToAddress(2, MINER_ADDRESS);
    await until(
      'second deposit',
      async () => (await h.client.getAccountByKey(packPoint(carol.publicKey)))?.balance === '41000',
    );
  });

  it('a deposit reorganised out before its confirmations is never credited', async () => {
    const txid = await sendDeposit(h, dave, 25_000n);
    const [blockHash] = await h.btcClient.generateToAddress(1, MINER_ADDRESS);
    assert.equal((await h.btcClient.getRawTransactionVerbose(txid)).confirmations, 1);
    // Replace that block by two without the deposit (it returns to the mempool; generateblock leaves it there).
    await h.btcClient.invalidateBlock(blockHash!);
    await h.btcClient.generateBlock(MINER_ADDRESS, []);
    await h.btcClient.generateBlock(MINER_ADDRESS, []);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await h.client.getAccountByKey(packPoint(dave.publicKey)), null);
    const status = await h.client.getStatus();
    assert.equal(status.l1.halted, null, 'a shallow reorg is not an incident');
    // Mined for real later, it is credited once.
    await h.btcClient.generateToAddress(2, MINER_ADDRESS);
    const acc = await until('dave credited', () => h.client.getAccountByKey(packPoint(dave.publicKey)));
    assert.equal(acc.balance, '25000');
  });

  it('a reorg below the confirmation depth halts deposits and says so', async () => {
    const status = await h.client.getStatus();
    const taken = status.l1.scanned;
    const hash = await h.btcClient.getBlockHash(taken);
    await h.btcClient.invalidateBlock(hash);
    for (let i = 0; i < 4; i++) await h.btcClient.generateBlock(MINER_ADDRESS, []);
    const halted = await until('the watcher to halt', async () => (await h.client.getStatus()).l1.halted);
    assert.match(halted, /reorganised/);
    assert.equal((await h.client.getStatus()).l1.scanned, taken, 'nothing past the fork is taken');
    // The L2 keeps serving.
    assert.equal((await h.client.getAccountByKey(packPoint(dave.publicKey)))!.balance, '25000');
  });
});

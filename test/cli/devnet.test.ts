// `keel devnet` as a child process on free ports and a temporary datadir: it comes up with funded demo accounts,
// `keel transfer`/`tx`/`balance`/`status` work against it, its batches are anchored on regtest, SIGINT stops it
// cleanly, and a restart continues the same commitment chain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import * as btc from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { createBitcoinClient, http as btcHttp } from '../../src/bitcoin/index.ts';
import type { BitcoinClient } from '../../src/bitcoin/index.ts';
import { createKeelClient, http } from '../../src/sdk/index.ts';
import type { KeelClient } from '../../src/sdk/index.ts';
import { keel, startKeel, stopKeel } from './helpers.ts';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const SOMEONE = btc.p2tr(schnorr.getPublicKey(schnorr.utils.randomSecretKey()), undefined, REGTEST).address!;
type AnchorState = { chain: { txid: string; vout: number }; lastBatch: number };

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('keel devnet', () => {
  let dir: string;
  let child: ChildProcess;
  let output: string;
  let transferId: string;
  const args = () => [
    'devnet',
    '--datadir',
    dir,
    '--rpcport',
    '0',
    '--btcport',
    '0',
    '--blocktime',
    '0',
    '--deposit',
    '500000',
    '--anchor-confirmations',
    '1',
    // Proving is tested in devnet-prove.test.ts; here batches stay anchored so each stage can be checked.
    '--no-prove',
  ];
  const clients = (): { l2: KeelClient; l1: BitcoinClient } => {
    const info = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as {
      rpcUrl: string;
      bitcoinRpcUrl: string;
      bitcoinCookie: string;
    };
    return {
      l2: createKeelClient({ transport: http(info.rpcUrl) }),
      l1: createBitcoinClient({ transport: btcHttp(info.bitcoinRpcUrl, { cookieFile: info.bitcoinCookie }) }),
    };
  };
  const anchorState = () => JSON.parse(readFileSync(join(dir, 'anchor.json'), 'utf8')) as AnchorState;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-devnet-'));
    ({ child, output } = await startKeel(args(), /Ctrl-C stops the devnet/));
  });
  after(async () => {
    if (child) await stopKeel(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the endpoints, the funded accounts and the next commands', () => {
    assert.match(output, /keel devnet ready/);
    assert.match(output, /L2 JSON-RPC {4}http:\/\/127\.0\.0\.1:\d+/);
    assert.match(output, /Bitcoin RPC {4}http:\/\/127\.0\.0\.1:\d+/);
    assert.match(output, /you {4}#1 +500,000 sat/);
    assert.match(output, /bob {4}#3 +500,000 sat/);
    assert.match(output, /keel transfer --to 3 --amount 10000/);
  });

  it('keel transfer against the devnet soft-confirms, and tx/balance/status show it', async () => {
    const sent = await keel(['transfer', '--to', '3', '--amount', '1234', '--fee', '10', '--datadir', dir]);
    assert.equal(sent.code, 0, sent.stderr);
    const id = sent.stdout.trim();
    transferId = id;
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.match(sent.stderr, /soft-confirmed in L2 block \d+/);
    const tx = await keel(['tx', id, '--datadir', dir]);
    assert.equal(tx.code, 0, tx.stderr);
    assert.match(tx.stdout, /transfer {2}#1 → #3, amount 1234 sat, fee 10 sat, nonce 0/);
    // A batch older than its age limit closes with this block and may be posted within the anchorer's 1 s tick.
    assert.match(tx.stdout, /finality {2}soft ✔ → posted [✔·] → anchored · → proven · → final ·/);
    const balance = await keel(['balance', '--datadir', dir]);
    assert.match(balance.stdout, /balance 498,756 sat/);
    const status = await keel(['status', '--datadir', dir]);
    assert.match(status.stdout, /L1 queue {4}3\/3 consumed/);
    // A clear error, a non-zero exit, and the devnet keeps going.
    const bad = await keel(['transfer', '--to', '3', '--amount', '99999999', '--datadir', dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /keel transfer: account 1 cannot pay/);
    assert.equal(child.exitCode, null);
  });

  it('posts the batch to regtest and shows it anchored once a block confirms it', async () => {
    const { l2, l1 } = clients();
    const status = async () => (await l2.getTransaction(transferId)).status;
    await until('the batch to be posted', async () => (await status()) === 'posted');
    assert.ok(anchorState().lastBatch >= 1, 'the chain position is saved');
    await l1.generateToAddress(1, SOMEONE);
    await until('anchored', async () => (await status()) === 'anchored');
    const tx = await keel(['tx', transferId, '--datadir', dir]);
    assert.match(tx.stdout, /finality {2}soft ✔ → posted ✔ → anchored ✔ → proven · → final ·/);
  });

  it('stops cleanly on SIGINT', async () => {
    assert.equal(await stopKeel(child, 'SIGINT'), 0);
  });

  it('after a restart the next commitment spends the saved chain output', async () => {
    const saved = anchorState();
    ({ child } = await startKeel(args(), /Ctrl-C stops the devnet/));
    assert.match(
      readFileSync(join(dir, 'devnet.log'), 'utf8'),
      new RegExp(`resuming the commitment chain after batch ${saved.lastBatch} at ${saved.chain.txid}`),
    );
    const sent = await keel(['transfer', '--to', '3', '--amount', '1000', '--datadir', dir]);
    assert.equal(sent.code, 0, sent.stderr);
    const { l2, l1 } = clients();
    const id = sent.stdout.trim();
    await until('the new batch to be posted', async () => (await l2.getTransaction(id)).status === 'posted');
    const next = anchorState();
    assert.ok(next.lastBatch > saved.lastBatch);
    // Commitments after the saved one link back to it: walk the chain outputs back from the new tip.
    let txid = next.chain.txid;
    for (let i = next.lastBatch; i > saved.lastBatch + 1; i--)
      txid = (await l1.getRawTransactionVerbose(txid)).vin[0]!.txid!;
    const input = (await l1.getRawTransactionVerbose(txid)).vin[0]!;
    assert.deepEqual({ txid: input.txid, vout: input.vout }, { txid: saved.chain.txid, vout: saved.chain.vout });
    assert.equal(await stopKeel(child, 'SIGINT'), 0);
  });
});

// `keel devnet` proves its batches in the background: the devnet circuit's keys are set up (or taken from the cache)
// while the L2 runs, a transfer's batch is proven with Groth16 and the batch STARK and, once anchored, `keel tx` shows
// `proven (snark + stark)`; `keel verify-batch` checks both served proofs locally; after a restart it is still proven.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import * as btc from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { createBitcoinClient, http as btcHttp } from '../../src/bitcoin/index.ts';
import { keel, startKeel, stopKeel } from './helpers.ts';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const SOMEONE = btc.p2tr(schnorr.getPublicKey(schnorr.utils.randomSecretKey()), undefined, REGTEST).address!;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('keel devnet proves its batches', () => {
  let dir: string;
  let child: ChildProcess | undefined;
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
  ];
  const log = () => (existsSync(join(dir, 'devnet.log')) ? readFileSync(join(dir, 'devnet.log'), 'utf8') : '');
  const mine = async () => {
    const info = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as {
      bitcoinRpcUrl: string;
      bitcoinCookie: string;
    };
    const l1 = createBitcoinClient({ transport: btcHttp(info.bitcoinRpcUrl, { cookieFile: info.bitcoinCookie }) });
    await l1.generateToAddress(1, SOMEONE);
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-devnet-prove-'));
  });
  after(async () => {
    if (child) await stopKeel(child, 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a transfer reaches proven (snark + stark), verify-batch checks both, and it stays proven after a restart', async () => {
    let output: string;
    ({ child, output } = await startKeel(args(), /Ctrl-C stops the devnet/, 300_000));
    assert.match(output, /proving {8}SNARK \(Groth16, devnet circuit Batch\(3, 8, 12\)\) and STARK in the background/);
    // The L2 is usable before the keys exist (the first run sets them up; later runs read the cache).
    const sent = await keel(['transfer', '--to', '3', '--amount', '1234', '--datadir', dir]);
    assert.equal(sent.code, 0, sent.stderr);
    const id = sent.stdout.trim();
    await until('the keys', async () => /snark: keys ready/.test(log()) || /setup failed/.test(log()), 1_500_000);
    assert.doesNotMatch(log(), /setup failed/);
    // Every batch is proven in order (the funding deposits' batches first); blocks anchor them meanwhile.
    const proven = await until(
      'proven (snark + stark)',
      async () => {
        await mine();
        const tx = await keel(['tx', id, '--datadir', dir]);
        return /status {4}proven \(snark \+ stark\)/.test(tx.stdout) ? tx.stdout : undefined;
      },
      600_000,
    );
    assert.match(proven, /finality {2}soft ✔ → posted ✔ → anchored ✔ → proven \(snark \+ stark\) ✔ → final ·/);
    const batch = /batch (\d+)/.exec(proven)![1]!;
    const verified = await keel(['verify-batch', batch, '--datadir', dir]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /✔ input {2}public input 0x[0-9a-f]+ recomputed from the batch output/);
    assert.match(verified.stdout, /✔ snark {2}Groth16 proof verifies \(served key [0-9a-f]{16}\)/);
    assert.match(verified.stdout, /✔ stark {2}batch STARK verifies \(\d+ bits conjectured security\)/);
    assert.match(log(), new RegExp(`proofs: snark proof of batch ${batch} verified`));
    assert.match(log(), new RegExp(`proofs: stark proof of batch ${batch} verified`));

    assert.equal(await stopKeel(child, 'SIGINT'), 0);
    ({ child } = await startKeel(args(), /Ctrl-C stops the devnet/, 300_000));
    const again = await keel(['tx', id, '--datadir', dir]);
    assert.match(again.stdout, /status {4}proven \(snark \+ stark\)/);
    assert.equal((await keel(['verify-batch', batch, '--datadir', dir])).code, 0);
    assert.equal(await stopKeel(child, 'SIGINT'), 0);
    child = undefined;
  });
});

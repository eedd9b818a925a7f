import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBitcoinClient, http, type BitcoinClient } from '../../../src/bitcoin/client/index.ts';
import { coinbaseUtxo, spend, startNode, Wallet } from './helpers.ts';

const KEEL = new URL('../../../bin/keel.mjs', import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  client: BitcoinClient;
  log: string[];
}

/** Starts `keel bitcoind` as a real process and waits until its RPC answers. */
async function launch(datadir: string): Promise<Running> {
  const child = spawn(process.execPath, [KEEL, 'bitcoind', '--datadir', datadir, '--rpcport', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${log.join('\n')}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line) log.push(line);
        const m = /ready at height \d+ \(rpc 127\.0\.0\.1:(\d+)\)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`node exited (${code}):\n${log.join('\n')}`)));
  });
  const client = createBitcoinClient({
    transport: http(`http://127.0.0.1:${port}`, { cookieFile: join(datadir, '.cookie') }),
  });
  return { child, client, log };
}

function kill9(r: Running): Promise<void> {
  return new Promise((resolve) => {
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

interface UtxoInfo {
  height: number;
  bestblock: string;
  keel_utxo_hash: string;
}

async function checkConsistent(client: BitcoinClient): Promise<UtxoInfo> {
  const height = await client.getBlockCount();
  const tip = await client.getBestBlockHash();
  assert.equal(await client.getBlockHash(height), tip);
  const tips = await client.getChainTips();
  assert.equal(tips.find((x) => x.status === 'active')?.hash, tip);
  const info = await client.request<UtxoInfo>('gettxoutsetinfo');
  assert.equal(info.height, height);
  assert.equal(info.bestblock, tip);
  // The same blocks replayed into a fresh node give the same UTXO set.
  const fresh = await startNode();
  try {
    for (let h = 1; h <= height; h++) {
      const hex = await client.getBlockHex(await client.getBlockHash(h));
      assert.equal(await fresh.client.submitBlock(hex), null);
    }
    const replay = await fresh.client.request<UtxoInfo>('gettxoutsetinfo');
    assert.equal(replay.keel_utxo_hash, info.keel_utxo_hash);
  } finally {
    await fresh.node.stop();
  }
  return info;
}

describe('crash safety', () => {
  const datadir = mkdtempSync(join(tmpdir(), 'keel-crash-'));
  after(() => rmSync(datadir, { recursive: true, force: true }));

  it('resumes at the last connected block after SIGKILL during mining', async () => {
    const miner = new Wallet(7);
    const address = miner.p2wpkh.address as string;
    let observed = 0;
    for (let round = 0; round < 2; round++) {
      const node = await launch(datadir);
      const start = await node.client.getBlockCount();
      assert.ok(start >= observed, `restart at ${start}, but ${observed} blocks were acknowledged before the kill`);
      if (round > 0) await checkConsistent(node.client);
      // Mine in the background and kill the process part way through.
      const mining = node.client.generateToAddress(5000, address).catch(() => []);
      const target = start + 40 + round * 17;
      for (let i = 0; i < 600; i++) {
        observed = await node.client.getBlockCount();
        if (observed >= target) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(observed >= target, 'mining made progress before the kill');
      await kill9(node);
      await mining;
    }
    const node = await launch(datadir);
    try {
      const info = await checkConsistent(node.client);
      assert.ok(info.height >= observed);
      // And it keeps working.
      const [hash] = await node.client.generateToAddress(1, address);
      assert.equal(await node.client.getBestBlockHash(), hash);
      assert.ok(node.log.some((l) => l.includes('chain: loaded at height')));
    } finally {
      await node.client.stop();
      await new Promise((r) => node.child.once('exit', r));
    }
  });

  it('keeps acknowledged mempool transactions across a SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-crash-pool-'));
    try {
      const alice = new Wallet(10);
      let node = await launch(dir);
      await node.client.generateToAddress(101, alice.p2wpkh.address as string);
      const cb = await coinbaseUtxo(node.client, 1);
      const tx = spend(alice, [cb], [{ script: alice.p2tr.script, amount: cb.amount - 1000n }]);
      assert.equal(await node.client.sendRawTransaction(tx.hex), tx.txid);
      await kill9(node);
      node = await launch(dir);
      try {
        assert.deepEqual(await node.client.getRawMempool(), [tx.txid]);
        assert.ok(node.log.some((l) => l.includes('mempool: restored 1 of 1')));
      } finally {
        await node.client.stop();
        await new Promise((r) => node.child.once('exit', r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Crash safety (issue 4, acceptance): SIGKILL the node during a burst of 10,000 transfers, restart, and check that
// every acknowledged transaction is there and the state root equals a replay from genesis.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LevelStore, RollupNode, encodeTransaction, replayFromStore, signTransfer } from '../../src/rollup/index.ts';
import { CHAIN, key, testConfig } from './helpers.ts';

const ACCOUNTS = 50;
const TRANSFERS = 10_000;

describe('crash safety', () => {
  it('nothing acknowledged is lost after kill -9, and the root equals a replay from genesis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-crash-'));
    try {
      // Accounts 1..50 are owned by key(1..50); each sends 200 transfers in nonce order, interleaved.
      const parts: Uint8Array[] = [];
      for (let round = 0; round < TRANSFERS / ACCOUNTS; round++)
        for (let a = 1; a <= ACCOUNTS; a++) {
          const to = (a % ACCOUNTS) + 1;
          parts.push(
            encodeTransaction(
              signTransfer(key(a), { from: a, to, amount: BigInt(1 + round), fee: 1n, nonce: round }, CHAIN),
            ),
          );
        }
      const fixture = join(dir, 'transfers.bin');
      writeFileSync(fixture, Buffer.concat(parts));
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), join(dir, 'db'), fixture, String(ACCOUNTS)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const acked = new Set<string>();
      const errors: string[] = [];
      const killAt = 3_000;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child too slow: ${acked.size} acks`));
        }, 240_000);
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line.startsWith('ack ')) acked.add(line.slice(4));
          else if (line.startsWith('err ')) errors.push(line);
          if (acked.size >= killAt && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        });
      });
      assert.deepEqual(errors, [], 'the burst itself is all valid');
      assert.ok(acked.size >= killAt, `killed after ${acked.size} acks`);
      assert.ok(acked.size < TRANSFERS, 'killed during the burst');

      const config = testConfig({ depth: 10, mempool: { maxSize: 20_000, maxPerAccount: 1024 } });
      const node = await RollupNode.open({ config, store: await LevelStore.open(join(dir, 'db')) });
      const statuses = await Promise.all([...acked].map((id) => node.getTransactionStatus(id)));
      const missing = statuses.filter((s) => s.status === 'unknown');
      assert.equal(missing.length, 0, `${missing.length} acknowledged transactions lost`);
      // Drain what was pending into blocks, then compare with a replay from genesis (signatures re-checked).
      while (node.mempool.size > 0) await node.produceBlock();
      for (const id of acked) assert.equal((await node.getTransactionStatus(id)).status, 'soft');
      const roots = node.roots;
      const height = node.height;
      await node.close();
      const store = await LevelStore.open(join(dir, 'db'));
      const replay = await replayFromStore(store, config, { verifySignatures: true });
      await store.close();
      assert.equal(replay.blocks, height);
      assert.deepEqual(replay.roots, roots);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

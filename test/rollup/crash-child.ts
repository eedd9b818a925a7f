// Child process of crash.test.ts: a node on LevelDB that accepts a burst of pre-signed transfers and prints
// "ack <id>" for each one it acknowledged. The parent SIGKILLs it mid-burst.
import { readFileSync } from 'node:fs';
import { LevelStore, RollupNode } from '../../src/rollup/index.ts';
import { deposit, testConfig } from './helpers.ts';

const [dir, fixture, accounts] = process.argv.slice(2) as [string, string, string];
const config = testConfig({ depth: 10, blockIntervalMs: 100, mempool: { maxSize: 20_000, maxPerAccount: 1024 } });
const node = await RollupNode.open({ config, store: await LevelStore.open(dir) });
node.setL1Height(10);
if (node.height === 0) {
  for (let i = 1; i <= Number(accounts); i++) await node.addL1Item(deposit(i, 1_000_000_000n));
  await node.produceBlock();
}
node.start();
const raw = readFileSync(fixture);
const txs: Uint8Array[] = [];
for (let off = 0; off < raw.length; off += 93) txs.push(new Uint8Array(raw.subarray(off, off + 93)));
process.stdout.write('ready\n');
let inFlight = 0;
for (const bytes of txs) {
  while (inFlight >= 64) await new Promise((r) => setImmediate(r));
  inFlight++;
  node
    .submitTransaction(bytes)
    .then(({ id }) => process.stdout.write(`ack ${id}\n`))
    .catch((err: unknown) => process.stdout.write(`err ${String(err).split('\n')[0]}\n`))
    .finally(() => inFlight--);
}

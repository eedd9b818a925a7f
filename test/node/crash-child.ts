// Child process of crash.test.ts: the real L2 node wiring (KeelNode: rollup core, JSON-RPC server, metrics) on a
// LevelDB store in <datadir>/l2, with signature checks in a worker thread. On a fresh store it funds the crash
// accounts through the L1 queue (no Bitcoin here: the watcher's path is tested in e2e.test.ts), then prints
// "rpc <url> <stored tip at open>" once it serves. The parent SIGKILLs it mid-burst; SIGTERM stops it cleanly.
//
// KEEL_CRASH_CHILD_STORE=memory swaps LevelDB for a MemoryStore: the crash test must then fail (it is how the test
// was shown to catch a node that loses what it acknowledged). The test itself never sets it.
import { sha256 } from '@noble/hashes/sha2.js';
import { join } from 'node:path';
import { KeelNode } from '../../src/node/index.ts';
import { LevelStore, MemoryStore, WorkerVerifier, poseidon2BabyBearHasher } from '../../src/rollup/index.ts';
import { CRASH_ACCOUNTS, CRASH_DEPOSIT, crashKey, crashRollupConfig } from './helpers.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child.ts <datadir>');
const memory = process.env.KEEL_CRASH_CHILD_STORE === 'memory';
const store = memory ? new MemoryStore() : await LevelStore.open(join(dir, 'l2'));
const node = await KeelNode.start({
  rollup: crashRollupConfig(),
  store,
  // The devnet keeps the STARK's second state tree; so does this node, so the replay checks both roots.
  extraHashers: [poseidon2BabyBearHasher],
  verifier: new WorkerVerifier({ threads: 1 }),
  rpc: { port: 0 },
  log: (line) => process.stderr.write(`child: ${line}\n`),
});
// The stored tip, read before the sequencer's first tick: blocks after it were built from what this run loaded.
const openedAt = node.rollup.height;
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  node.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`child: stop failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});

node.rollup.setL1Height(1);
if (node.rollup.queue.length === 0) {
  const deposits = [];
  for (let i = 1; i <= CRASH_ACCOUNTS; i++)
    deposits.push(
      node.rollup.addL1Item({
        type: 'deposit',
        txid: sha256(new TextEncoder().encode(`crash deposit ${i}`)),
        vout: 0,
        l1Height: 1,
        pubKey: crashKey(i).publicKey,
        amount: CRASH_DEPOSIT,
      }),
    );
  await Promise.all(deposits);
}
// Serve the burst only once every deposit is in a stored block (the accounts exist).
const deadline = Date.now() + 30_000;
while (node.rollup.queue.consumed < node.rollup.queue.length || !(await node.rollup.getBlock(node.rollup.height))) {
  if (Date.now() > deadline) throw new Error('the deposits were not included within 30 s');
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write(`rpc ${node.rpcUrl} ${openedAt}\n`);

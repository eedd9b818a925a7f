// Sequencer benchmark (issue 4): pre-signed transfers among many accounts through the real acceptance path
// (decode, signature check in worker threads, mempool, block building with a state root per block), measuring
// sustained TPS and latency from submission to soft confirmation (inclusion in a committed block).
//
//   npm run bench:sequencer                         200,000 transfers among 100,000 accounts, depth 24
//   npm run bench:sequencer -- --transfers 20000 --accounts 10000
//   npm run bench:sequencer -- --limit 20000          (first 20,000 transfers of the full fixture)
//   npm run bench:sequencer -- --hash-workers 1       (one tree hashing worker instead of two; 0: main thread only)
//   npm run bench:sequencer -- --store memory         (an in-memory store instead of LevelDB)
//
// The npm script runs node with --single-threaded-gc --max-semi-space-size=256: on two cores V8's parallel
// garbage-collection helpers compete with the signature and hashing workers (they took ~57 µs of CPU a transfer),
// and a larger young generation lets more of each transaction's objects die before a scavenge copies them. Two
// hashing workers halve a block's hashing time, so blocks, and the transactions waiting in memory, stay small.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { sha256 } from '@noble/hashes/sha2.js';
import { printTable } from '../src/shared/index.ts';
import {
  LevelStore,
  MemoryStore,
  RollupNode,
  WorkerVerifier,
  decodeTransaction,
  encodeTransaction,
  getPublicKey,
  packPoint,
  signTransfer,
  signedMessage,
  startWorker,
  unpackPoint,
  verify,
} from '../src/rollup/index.ts';
import type { Block, DepositItem } from '../src/rollup/index.ts';

const CHAIN = 3;
const TX_BYTES = 93;
const keyOf = (i: number): Uint8Array => sha256(new TextEncoder().encode(`keel bench key ${i}`));

type Job =
  { kind: 'keys'; from: number; to: number } | { kind: 'sign'; txs: [number, number, string, string, number][] };

if (!isMainThread) {
  // Fixture worker: derives public keys or signs transfers.
  const job = workerData as Job;
  if (job.kind === 'keys') {
    const out = new Uint8Array((job.to - job.from) * 32);
    for (let i = job.from; i < job.to; i++) out.set(packPoint(getPublicKey(keyOf(i))), (i - job.from) * 32);
    parentPort!.postMessage(out);
  } else {
    const out = new Uint8Array(job.txs.length * TX_BYTES);
    job.txs.forEach(([from, to, amount, fee, nonce], i) => {
      // L2 account k + 1 holds key k (index 0 is the fee account).
      out.set(
        encodeTransaction(
          signTransfer(keyOf(from - 1), { from, to, amount: BigInt(amount), fee: BigInt(fee), nonce }, CHAIN),
        ),
        i * TX_BYTES,
      );
    });
    parentPort!.postMessage(out);
  }
} else {
  await main();
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function runWorkers<T extends Job>(jobs: T[]): Promise<Uint8Array[]> {
  return Promise.all(
    jobs.map(
      (job) =>
        new Promise<Uint8Array>((resolve, reject) => {
          const w = startWorker(new URL(import.meta.url), { workerData: job });
          w.once('message', (m: Uint8Array) => resolve(m));
          w.once('error', reject);
        }),
    ),
  );
}

async function fixture(accounts: number, transfers: number): Promise<{ pubs: Uint8Array; txs: Uint8Array }> {
  const dir = join(homedir(), '.cache', 'keel');
  const file = join(dir, `sequencer-v2-${accounts}-${transfers}.bin`);
  if (existsSync(file)) {
    const raw = new Uint8Array(readFileSync(file));
    return { pubs: raw.subarray(0, accounts * 32), txs: raw.subarray(accounts * 32) };
  }
  const threads = 2;
  console.log(
    `building the fixture (${accounts} keys, ${transfers} signatures) on ${threads} threads; cached in ${file}`,
  );
  const t0 = performance.now();
  const step = Math.ceil(accounts / threads);
  const keyJobs: Job[] = [];
  for (let f = 0; f < accounts; f += step) keyJobs.push({ kind: 'keys', from: f, to: Math.min(accounts, f + step) });
  const pubs = Buffer.concat(await runWorkers(keyJobs));
  // Deterministic stream: sender and receiver differ, nonces count up per sender.
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const nonces = new Uint32Array(accounts);
  const list: [number, number, string, string, number][] = [];
  for (let i = 0; i < transfers; i++) {
    const from = rand(accounts);
    const to = (from + 1 + rand(accounts - 1)) % accounts;
    list.push([from + 1, to + 1, String(1000 * (1 + rand(1000))), String(1 + rand(100)), nonces[from]!++]);
  }
  const chunk = Math.ceil(transfers / threads);
  const signJobs: Job[] = [];
  for (let f = 0; f < transfers; f += chunk) signJobs.push({ kind: 'sign', txs: list.slice(f, f + chunk) });
  const txs = Buffer.concat(await runWorkers(signJobs));
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, Buffer.concat([pubs, txs]));
  console.log(`fixture built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { pubs: new Uint8Array(pubs), txs: new Uint8Array(txs) };
}

/** CPU seconds used so far by each thread of this process (Linux), to show where the time goes. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync('/proc/self/task')) return out;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(task, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const accounts = arg('accounts', 100_000);
  const transfers = arg('transfers', 200_000);
  const depth = arg('depth', 24);
  const window = arg('window', 4096);
  const verifierThreads = arg('threads', 1);
  // --hash-workers 0 hashes the state tree on the main thread only.
  const hashingThreads = arg('hash-workers', 2);
  const fixtureData = await fixture(accounts, transfers);
  // --limit N runs only the first N transfers of the fixture (a valid prefix: nonces count up in order).
  const limit = Math.min(transfers, arg('limit', transfers));
  const { pubs } = fixtureData;
  const txs = fixtureData.txs.subarray(0, limit * TX_BYTES);

  // Check the fixture before timing anything: decodes, and its first signature verifies under the stored key.
  const first = decodeTransaction(txs.subarray(0, TX_BYTES));
  const firstKey = unpackPoint(pubs.subarray((first.from - 1) * 32, first.from * 32))!;
  if (!verify(signedMessage(first, CHAIN), first.sig, firstKey)) throw new Error('fixture signature does not verify');

  const feeKey = getPublicKey(keyOf(accounts));
  // LevelDB in a temporary directory, as a node runs (--store memory keeps everything on the heap instead).
  const dbDir = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  const storeAt = process.argv.indexOf('--store');
  const onDisk = storeAt < 0 || process.argv[storeAt + 1] !== 'memory';
  const store = onDisk ? await LevelStore.open(dbDir) : new MemoryStore();
  const node = await RollupNode.open({
    config: {
      chainId: CHAIN,
      depth,
      withdrawalDepth: 12,
      feeAccountKey: feeKey,
      blockIntervalMs: 1000,
      maxBlockOps: 20_000,
      maxBatchOps: 1_000_000,
      maxBatchAgeMs: 3_600_000,
      mempool: { maxSize: limit + 1, maxPerAccount: 256 },
    },
    store,
    verifier: new WorkerVerifier({ threads: verifierThreads }),
    hashingThreads,
  });
  node.setL1Height(100);
  // Genesis: fund every account with a real deposit (account i + 1 holds key i; account 0 collects fees).
  let t0 = performance.now();
  // Queued in L1 order at once; their writes share group commits (a deposit a write would take most of a minute).
  const queued: Promise<unknown>[] = [];
  for (let i = 0; i < accounts; i++) {
    const item: DepositItem = {
      type: 'deposit',
      txid: sha256(new TextEncoder().encode(`bench deposit ${i}`)),
      vout: 0,
      l1Height: 1,
      pubKey: unpackPoint(pubs.subarray(i * 32, i * 32 + 32))!,
      amount: 10_000_000_000n,
    };
    queued.push(node.addL1Item(item));
  }
  await Promise.all(queued);
  // Blocks take at most maxBlockOps L1 items, so genesis funding spans several blocks.
  while (node.queue.consumed < node.queue.length) await node.produceBlock();
  const setupS = (performance.now() - t0) / 1000;
  console.log(`setup: ${accounts} deposits in ${node.height} blocks, ${setupS.toFixed(1)} s`);

  const submitted = new Float64Array(limit);
  const latencies: number[] = [];
  // Submission order by (sender, nonce), which identifies a transfer of this fixture without hashing it again.
  const seqOf = new Map<number, number>();
  const slot = (from: number, nonce: number): number => from * 65536 + nonce;
  let included = 0;
  let lastInclusion = 0;
  const blockRows: { ops: number; buildMs: number }[] = [];
  let done!: () => void;
  const allIn = new Promise<void>((r) => (done = r));
  node.on('block', (b: Block) => {
    const now = performance.now();
    blockRows.push({ ops: b.ops.length, buildMs: Date.now() - b.header.timestamp });
    for (const op of b.ops) {
      if (op.kind !== 'transfer') continue;
      const seq = seqOf.get(slot(op.tx.from, op.tx.nonce));
      if (seq === undefined) continue;
      latencies.push(now - submitted[seq]!);
      included++;
    }
    lastInclusion = now;
    if (blockRows.length % 10 === 0)
      console.log(`  block ${b.header.number}: ${included} included, ${((now - t0) / 1000).toFixed(0)} s`);
    if (included === limit) done();
  });
  const rejected: string[] = [];
  let inFlight = 0;
  // The submitting client sleeps while its window is full and wakes when an answer frees a place (polling would
  // spin the node's event loop).
  let wake: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    wake?.();
    wake = undefined;
  };
  // Filled before the clock starts: the client's own bookkeeping shares the node's main thread.
  for (let i = 0; i < limit; i++) {
    // Canonical transfer: tag, from (u32 BE at 1), to, amount, fee, nonce (u32 BE at 25), signature.
    const view = new DataView(txs.buffer, txs.byteOffset + i * TX_BYTES, TX_BYTES);
    seqOf.set(slot(view.getUint32(1), view.getUint32(25)), i);
  }
  node.start();
  const cpuBefore = threadCpu();
  t0 = performance.now();
  for (let i = 0; i < limit; i++) {
    while (inFlight >= window) await new Promise<void>((r) => (wake = r));
    const bytes = txs.subarray(i * TX_BYTES, (i + 1) * TX_BYTES);
    submitted[i] = performance.now();
    inFlight++;
    node
      .submitTransaction(bytes)
      .catch((e: unknown) => {
        rejected.push(String(e).split('\n')[0]!);
        if (rejected.length === 1) console.error(e);
        if (included + rejected.length === limit) done();
      })
      .finally(settled);
  }
  const acceptS = (performance.now() - t0) / 1000;
  await allIn;
  const cpuAfter = threadCpu();
  // Main thread first, then the busiest others.
  const cpu = [...cpuAfter].map(([task, s]) => ({ task, s: s - (cpuBefore.get(task) ?? 0) }));
  const mainCpu = cpu.find((c) => c.task === String(process.pid))?.s ?? NaN;
  const others = cpu.filter((c) => c.task !== String(process.pid)).sort((a, b) => b.s - a.s);
  node.stop();
  const totalS = (lastInclusion - t0) / 1000;
  if (rejected.length > 0) throw new Error(`${rejected.length} transfers refused, first: ${rejected[0]}`);
  // Results check: every transfer included exactly once and supply conserved (all fees wait in the open batch).
  let supply = node.pendingFees;
  for (const [, a] of node.state.entries()) supply += a.balance;
  if (supply !== BigInt(accounts) * 10_000_000_000n) throw new Error('supply not conserved');
  latencies.sort((a, b) => a - b);
  const tps = included / totalS;
  const blocks = blockRows.filter((b) => b.ops > 0);
  printTable(
    ['metric', 'value'],
    [
      ['accounts / tree depth', `${accounts} / ${depth}`],
      ['store', onDisk ? 'LevelDB (classic-level)' : 'memory'],
      ['transfers included', included],
      ['verifier worker threads', verifierThreads],
      ['tree hashing worker threads', hashingThreads],
      ['garbage collection', process.execArgv.includes('--single-threaded-gc') ? 'single-threaded' : 'V8 default'],
      ['submission phase (s)', acceptS.toFixed(1)],
      ['first submit → last soft confirmation (s)', totalS.toFixed(1)],
      ['sustained TPS', tps.toFixed(0)],
      [
        'CPU s: main / 2 busiest threads / rest',
        `${mainCpu.toFixed(1)} / ${others
          .slice(0, 2)
          .map((c) => c.s.toFixed(1))
          .join(' + ')} / ${others
          .slice(2)
          .reduce((n, c) => n + c.s, 0)
          .toFixed(1)}`,
      ],
      ['latency p50 (ms)', percentile(latencies, 50).toFixed(0)],
      ['latency p99 (ms)', percentile(latencies, 99).toFixed(0)],
      ['blocks with transfers', blocks.length],
      ['mean transfers per block', (included / Math.max(1, blocks.length)).toFixed(0)],
      [
        'mean / slowest block build+commit (ms)',
        `${(blocks.reduce((s, b) => s + b.buildMs, 0) / Math.max(1, blocks.length)).toFixed(0)} / ${Math.max(
          0,
          ...blocks.map((b) => b.buildMs),
        )}`,
      ],
    ],
  );
  await node.close();
  rmSync(dbDir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'sequencer',
      tps: Math.round(tps),
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
    }),
  );
}

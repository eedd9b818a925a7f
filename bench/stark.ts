/**
 * STARK benchmark: Poseidon2 permutations proven per second (a hash chain proven by the Poseidon2
 * AIR, one permutation per row) at 2^16 and 2^18 permutations, with proof size, verification time,
 * peak memory and the verifier-reported security level.
 *
 * Each size runs in its own child process so its peak RSS is its own. Sizes can be overridden with
 * STARK_BENCH_SIZES="10,12" (log2 of the number of permutations).
 *
 * Then the batch AIR: a batch of transfers (STARK_BENCH_TRANSFERS, default 63, plus the fee credit) over the
 * protocol's depth-24 STARK-field tree, replayed by the rollup state machine, proven and verified; `tx_per_s` is
 * transfers per second of proving (trace generation and witness replay shown apart).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable } from '../src/shared/index.ts';
import { State, getPublicKey, poseidon2BabyBearHasher, signTransfer } from '../src/rollup/index.ts';
import type { Op } from '../src/rollup/index.ts';
import { buildStarkWitness, starkPublicInputsFromOps, verifyBatchStark } from '../src/node/index.ts';
import { BatchAir, buildBatchTrace, packDigest } from '../src/stark/index.ts';
import {
  Poseidon2ChainAir,
  StarkError,
  parseProof,
  poseidon2,
  poseidon2ChainTrace,
  prove,
  verify,
} from '../src/stark/index.ts';

interface SizeResult {
  log: number;
  perms: number;
  traceMs: number;
  proveMs: number;
  verifyMs: number;
  proofBytes: number;
  securityBits: number;
  peakRssMb: number;
  phases: Record<string, number>;
}

function runSize(log: number): SizeResult {
  const perms = 2 ** log;
  const input = Uint32Array.from({ length: 16 }, (_, i) => i + 1);
  let t = performance.now();
  const { trace, output } = poseidon2ChainTrace(perms, input);
  const traceMs = performance.now() - t;
  const air = new Poseidon2ChainAir(perms, input, output);
  const phases: Record<string, number> = {};
  t = performance.now();
  const proof = prove(air, trace, { onPhase: (p, ms) => (phases[p] = Math.round(ms)) });
  const proveMs = performance.now() - t;
  // Verify several times and keep the median (it is short and noisy on a shared machine).
  const times: number[] = [];
  let securityBits = 0;
  for (let k = 0; k < 5; k++) {
    t = performance.now();
    securityBits = verify(air, proof).securityBits;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const bad = proof.slice();
  bad[bad.length >> 1]! ^= 1;
  try {
    verify(air, bad);
    throw new Error('benchmark check failed: a tampered proof verified');
  } catch (e) {
    if (!(e instanceof StarkError)) throw e;
  }
  return {
    log,
    perms,
    traceMs,
    proveMs,
    verifyMs: times[2]!,
    proofBytes: proof.length,
    securityBits,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    phases,
  };
}

function checkBeforeTiming(): void {
  const file = JSON.parse(
    readFileSync(new URL('../test/vectors/poseidon2/babybear-width16-horizenlabs.json', import.meta.url), 'utf8'),
  ) as { vectors: { input: number[]; output: number[] }[] };
  for (const v of file.vectors) {
    if (poseidon2(v.input).join() !== v.output.join()) throw new Error('Poseidon2 does not match the reference');
  }
  const input = Uint32Array.from({ length: 16 }, (_, i) => i);
  const { trace, output } = poseidon2ChainTrace(8, input);
  const proof = prove(new Poseidon2ChainAir(8, input, output), trace);
  verify(new Poseidon2ChainAir(8, input, output), proof);
  const wrong = output.slice();
  wrong[0] = (wrong[0]! + 1) % 2013265921;
  try {
    verify(new Poseidon2ChainAir(8, input, wrong), proof);
    throw new Error('benchmark check failed: wrong public output verified');
  } catch (e) {
    if (!(e instanceof StarkError)) throw e;
  }
  if (parseProof(proof).version !== 1) throw new Error('unexpected proof version');
}

interface BatchResult {
  transfers: number;
  rows: number;
  witnessMs: number;
  traceMs: number;
  proveMs: number;
  verifyMs: number;
  proofBytes: number;
  securityBits: number;
  peakRssMb: number;
}

const BATCH_DEPTH = 24;

function runBatch(transfers: number): BatchResult {
  const chainId = 3;
  const accounts = 16;
  const keyOf = (i: number): Uint8Array => new Uint8Array(32).fill(i + 1);
  const state = new State(BATCH_DEPTH, [poseidon2BabyBearHasher]);
  const genesis = new Map(
    Array.from({ length: accounts }, (_, i) => {
      const k = getPublicKey(keyOf(i));
      return [i, { ax: k.x, ay: k.y, balance: i === 0 ? 0n : 10_000_000n, nonce: 0 }] as const;
    }),
  );
  state.commit(genesis);
  const oldRoot = state.roots[0]!;
  const nonces = new Array<number>(accounts).fill(0);
  const ops: Op[] = [];
  let fees = 0n;
  for (let t = 0; t < transfers; t++) {
    const from = 1 + (t % (accounts - 1));
    const to = 1 + ((t + 7) % (accounts - 1));
    const fee = BigInt(10 + (t % 5));
    fees += fee;
    const tx = signTransfer(keyOf(from), { from, to, amount: BigInt(1000 + t), fee, nonce: nonces[from]!++ }, chainId);
    ops.push({ kind: 'transfer', tx });
  }
  ops.push({ kind: 'feeCredit', amount: fees });
  let t0 = performance.now();
  const witness = buildStarkWitness(state, ops, [], { chainId });
  const witnessMs = performance.now() - t0;
  t0 = performance.now();
  const { trace, inputs } = buildBatchTrace(witness);
  const traceMs = performance.now() - t0;
  const air = new BatchAir(inputs);
  t0 = performance.now();
  const proof = prove(air, trace);
  const proveMs = performance.now() - t0;
  // Check before reporting: the verifier's public inputs (from the batch's data, not the prover's) accept the proof,
  // and a tampered proof or a wrong new root is rejected.
  const output = {
    oldRoots: [0n, oldRoot],
    newRoots: [0n, state.roots[0]!],
    withdrawals: [],
  } as unknown as Parameters<typeof starkPublicInputsFromOps>[0];
  const publicInputs = starkPublicInputsFromOps(output, ops, BATCH_DEPTH);
  if (packDigest(publicInputs.newRoot) !== packDigest(inputs.newRoot)) throw new Error('batch check: root mismatch');
  const times: number[] = [];
  let securityBits = 0;
  for (let k = 0; k < 5; k++) {
    t0 = performance.now();
    const verdict = verifyBatchStark(proof, publicInputs);
    times.push(performance.now() - t0);
    if (!verdict.ok) throw new Error(`batch check failed: ${verdict.error}`);
    securityBits = verdict.securityBits;
  }
  times.sort((a, b) => a - b);
  const bad = proof.slice();
  bad[bad.length >> 1]! ^= 1;
  if (verifyBatchStark(bad, publicInputs).ok) throw new Error('batch check failed: a tampered proof verified');
  if (verifyBatchStark(proof, { ...publicInputs, newRoot: publicInputs.oldRoot }).ok)
    throw new Error('batch check failed: a wrong new root verified');
  return {
    transfers,
    rows: air.traceLength,
    witnessMs,
    traceMs,
    proveMs,
    verifyMs: times[2]!,
    proofBytes: proof.length,
    securityBits,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(args: string[]): { line: string; error?: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    env: { ...process.env, KEEL_STARK_WORKERS: process.env['KEEL_STARK_WORKERS'] ?? 'auto' },
    maxBuffer: 1 << 24,
    timeout: 30 * 60 * 1000,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status === 0 && line.startsWith('{')) return { line };
  return {
    line: '',
    error: child.error ? String(child.error) : (child.stderr.trim().split('\n').pop() ?? `exit ${child.status}`),
  };
}

const childIndex = process.argv.indexOf('--child');
const batchIndex = process.argv.indexOf('--batch');
if (batchIndex >= 0) {
  console.log(JSON.stringify(runBatch(Number(process.argv[batchIndex + 1]))));
} else if (childIndex >= 0) {
  const result = runSize(Number(process.argv[childIndex + 1]));
  console.log(JSON.stringify(result));
} else {
  checkBeforeTiming();
  // The benchmark measures the prover as deployed on this machine: LDE worker threads, one per core, unless set.
  const workers = process.env['KEEL_STARK_WORKERS'] ?? 'auto';
  console.log(`LDE worker threads: KEEL_STARK_WORKERS=${workers}`);
  const sizes = (process.env['STARK_BENCH_SIZES'] ?? '16,18').split(',').map(Number);
  const results: SizeResult[] = [];
  const failures: string[][] = [];
  for (const log of sizes) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(log)],
      {
        encoding: 'utf8',
        env: { ...process.env, KEEL_STARK_WORKERS: workers },
        maxBuffer: 1 << 24,
        timeout: 30 * 60 * 1000,
      },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status === 0 && line.startsWith('{')) {
      const r = JSON.parse(line) as SizeResult;
      results.push(r);
      console.log(`2^${log}: phases (ms) ${JSON.stringify(r.phases)}`);
    } else {
      const why = child.error ? String(child.error) : (child.stderr.trim().split('\n').pop() ?? `exit ${child.status}`);
      failures.push([`2^${log}`, why]);
    }
  }
  printTable(
    ['permutations', 'trace gen s', 'prove s', 'perms/s', 'proof KB', 'verify ms', 'peak RSS MB', 'security bits'],
    results.map((r) => [
      `2^${r.log}`,
      (r.traceMs / 1000).toFixed(2),
      (r.proveMs / 1000).toFixed(2),
      Math.round(r.perms / (r.proveMs / 1000)),
      (r.proofBytes / 1024).toFixed(1),
      r.verifyMs.toFixed(1),
      Math.round(r.peakRssMb),
      r.securityBits,
    ]),
  );
  if (failures.length) printTable(['size', 'did not complete'], failures);
  const transfers = Number(process.env['STARK_BENCH_TRANSFERS'] ?? '63');
  const batchRun = runChild(['--batch', String(transfers)]);
  const batch = batchRun.error ? undefined : (JSON.parse(batchRun.line) as BatchResult);
  if (batch) {
    printTable(
      [
        'batch AIR (depth 24)',
        'rows',
        'replay s',
        'trace gen s',
        'prove s',
        'tx/s',
        'proof KB',
        'verify ms',
        'peak RSS MB',
        'security bits',
      ],
      [
        [
          `${batch.transfers} transfers + fee`,
          batch.rows,
          (batch.witnessMs / 1000).toFixed(2),
          (batch.traceMs / 1000).toFixed(2),
          (batch.proveMs / 1000).toFixed(2),
          (batch.transfers / (batch.proveMs / 1000)).toFixed(1),
          (batch.proofBytes / 1024).toFixed(1),
          batch.verifyMs.toFixed(1),
          Math.round(batch.peakRssMb),
          batch.securityBits,
        ],
      ],
    );
  } else {
    printTable(['batch AIR', 'did not complete'], [['depth 24', batchRun.error ?? '']]);
  }
  // Headline: the largest size that completed (proving time excludes trace generation).
  const head = results[results.length - 1];
  console.log(
    JSON.stringify({
      bench: 'stark',
      poseidon2_per_s: head ? Math.round(head.perms / (head.proveMs / 1000)) : null,
      tx_per_s: batch ? Number((batch.transfers / (batch.proveMs / 1000)).toFixed(1)) : null,
      proof_kb: head ? Number((head.proofBytes / 1024).toFixed(1)) : null,
      verify_ms: head ? Number(head.verifyMs.toFixed(1)) : null,
      security_bits: head ? head.securityBits : null,
    }),
  );
}

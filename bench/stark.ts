/**
 * STARK benchmark: Poseidon2 permutations proven per second (a hash chain proven by the Poseidon2
 * AIR, one permutation per row) at 2^16 and 2^18 permutations, with proof size, verification time,
 * peak memory and the verifier-reported security level.
 *
 * Each size runs in its own child process so its peak RSS is its own. Sizes can be overridden with
 * STARK_BENCH_SIZES="10,12" (log2 of the number of permutations).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable } from '../src/shared/index.ts';
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

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
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
  // Headline: the largest size that completed (proving time excludes trace generation).
  const head = results[results.length - 1];
  console.log(
    JSON.stringify({
      bench: 'stark',
      poseidon2_per_s: head ? Math.round(head.perms / (head.proveMs / 1000)) : null,
      tx_per_s: null,
      proof_kb: head ? Number((head.proofBytes / 1024).toFixed(1)) : null,
      verify_ms: head ? Number(head.verifyMs.toFixed(1)) : null,
      security_bits: head ? head.securityBits : null,
    }),
  );
}

// The devnet's SNARK prover: keys are set up in a child process while the L2 already runs; batches that close
// meanwhile wait in order and are proven once the keys exist. Keys are cached under build/circuits/<circuit hash>.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SNARK_KEY_FORMAT, snarkProofVerifier } from '../../node/index.ts';
import type { ProofVerifier } from '../../node/index.ts';
import type { Account, ProofResult, ProverJob, ProverQueue } from '../../rollup/index.ts';
import { SnarkProver, batchCircuitSpec, setupCircuit } from '../../snark/index.ts';
import type { BatchShape } from '../../snark/index.ts';
import type { SetupMessage, SetupRequest } from './devnet-setup-worker.ts';

/**
 * The devnet's circuit shape. The protocol's D = 24 takes about half an hour to set up here; 2^8 accounts and three
 * slots per batch fit a 2^16 domain, set up in a few minutes. The depth is even so a 4-ary state tree divides it.
 * The sequencer must close batches the circuit accepts: at most `slots` operations per block and `slots + 1` per
 * batch (the fee credit is the batch's last operation).
 */
export const DEVNET_SHAPE: BatchShape = { slots: 3, depth: 8, withdrawalDepth: 12 };

export type DevnetProving = {
  queue: ProverQueue;
  verifier: ProofVerifier;
  /** Resolves once keys exist and the prover runs (rejects if the setup failed; the L2 keeps running). */
  ready: Promise<void>;
  stop(): Promise<void>;
};

const elapsed = (since: number): string => {
  const s = Math.round((Date.now() - since) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/**
 * Starts the key setup for `shape` and returns at once with the prover seam the node needs: jobs submitted before
 * the keys exist are kept and proven in order afterwards.
 */
export function startDevnetProving(args: {
  shape: BatchShape;
  /** The state the first job starts from (`provingStart`). */
  accounts: [number, Account][];
  progress: (line: string) => void;
  log: (line: string) => void;
}): DevnetProving {
  const { shape, progress, log } = args;
  const spec = batchCircuitSpec(shape);
  const waiting: ProverJob[] = [];
  const listeners: ((r: ProofResult) => void)[] = [];
  let prover: SnarkProver | undefined;
  // Set once the keys exist; until then no SNARK proof can be checked (and none is produced).
  let keyed: ProofVerifier | undefined;
  let worker: ChildProcess | undefined;
  let stopped = false;
  const started = Date.now();

  const queue: ProverQueue = {
    system: 'snark',
    async submit(job) {
      if (prover) await prover.submit(job);
      else waiting.push(job);
    },
    onResult: (l) => void listeners.push(l),
  };
  const verifier: ProofVerifier = {
    system: 'snark',
    get key() {
      return keyed ? keyed.key : { format: SNARK_KEY_FORMAT, verificationKey: null };
    },
    async verify(result, batch) {
      return keyed ? keyed.verify(result, batch) : false;
    },
  };

  const setupInChild = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = fork(fileURLToPath(new URL('./devnet-setup-worker.ts', import.meta.url)), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      worker = child;
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      let outcome: SetupMessage | undefined;
      child.on('message', (m: SetupMessage) => {
        if (m.type === 'progress') progress(`snark: ${m.text}`);
        else outcome = m;
      });
      child.once('exit', (code) => {
        worker = undefined;
        if (outcome?.type === 'done') {
          log(`snark: ${outcome.constraints} constraints, keys in ${outcome.dir} (ptau ${outcome.ptau})`);
          resolve();
        } else if (stopped) reject(new Error('stopped'));
        else
          reject(new Error(outcome?.type === 'error' ? outcome.message : `setup exited (${code}): ${stderr.trim()}`));
      });
      child.send({ shape } satisfies SetupRequest);
    });

  const heartbeat = setInterval(() => {
    if (!prover && !stopped) progress(`snark: circuit setup still running (${elapsed(started)})`);
  }, 30_000);
  heartbeat.unref();

  progress(
    `snark: setting up the devnet circuit Batch(${shape.slots}, ${shape.depth}, ${shape.withdrawalDepth}) in the ` +
      'background (a few minutes the first time, cached after); the L2 runs meanwhile',
  );
  const ready = (async () => {
    try {
      await setupInChild();
      if (stopped) throw new Error('stopped');
      // Cached now: this reads the compiled circuit and the verification key, no snarkjs work.
      const keys = await setupCircuit(spec);
      keyed = snarkProofVerifier(keys.vk);
      const p = new SnarkProver({ shape, keys, accounts: args.accounts });
      p.onResult((r) => {
        progress(`snark: batch ${r.batchNumber} proven`);
        log(`snark: batch ${r.batchNumber} proven`);
        for (const l of listeners) l(r);
      });
      p.onFailure((f) => {
        const line = `snark: batch ${f.batchNumber} could not be proven: ${f.error.message}`;
        progress(line);
        log(line);
      });
      prover = p;
      const line =
        `snark: keys ready after ${elapsed(started)} (${keys.circuit.constraints} constraints); proving ` +
        `${waiting.length} waiting batch(es) and every new one`;
      progress(line);
      log(line);
      for (const job of waiting.splice(0)) await p.submit(job);
    } finally {
      clearInterval(heartbeat);
    }
  })();
  ready.catch((err: unknown) => {
    if (stopped) return;
    const line = `snark: setup failed, batches will not be proven: ${err instanceof Error ? err.message : String(err)}`;
    progress(line);
    log(line);
  });

  return {
    queue,
    verifier,
    ready,
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      const w = worker;
      if (w && w.exitCode === null) {
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        w.kill();
        await exited;
      }
      await prover?.close();
    },
  };
}

/**
 * Column-parallel low-degree extension on worker threads (opt-in: KEEL_STARK_WORKERS=k or auto).
 *
 * NTTs are about half of proving time and every column is independent, so the main thread and k
 * workers take columns from a shared counter and write into shared memory. The API stays
 * synchronous: the main thread works too, then waits on an Atomics counter the workers bump.
 *
 * Off by default in the library (a caller on a busy host may not want more threads): on the 2-core
 * machine with four other jobs running (load average 9–14), 2^14 Poseidon2 permutations took 36.3 s
 * with one worker and 32.4 s without. On the same machine when quiet, `auto` (two workers) proved
 * 2^16 permutations in 24.2 s against 32.9 s without workers, and `npm run bench:stark` uses it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StarkError } from './errors.ts';
import * as nttModule from './ntt.ts';

// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { evaluateOnCoset, intt } = nttModule;

/** Below this many LDE words in total, workers are not worth their start-up. */
const PARALLEL_THRESHOLD = 1 << 21;

export interface LdeJob {
  /** Input column; replaced in place by its coefficients when `interpolate` is set. */
  readonly input: Uint32Array;
  /** Output of length `size`, the evaluations on shift·⟨ω_size⟩. */
  readonly output: Uint32Array;
}

let workers: Worker[] | null = null;
let workerFailure: unknown = null;

function workerCount(): number {
  const env = process.env['KEEL_STARK_WORKERS'];
  if (env === undefined) return 0;
  // One worker per core: measured fastest on the quiet 2-core machine (see the note above).
  if (env === 'auto') return Math.min(8, availableParallelism());
  return Math.max(0, Math.min(8, Number(env) | 0));
}

function pool(): Worker[] {
  if (!workers) {
    workers = [];
    const count = workerCount();
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./lde-worker.mjs', import.meta.url));
      w.unref();
      w.on('error', (e) => {
        workerFailure = e;
      });
      workers.push(w);
    }
  }
  return workers;
}

/** A Uint32Array in shared memory (so workers can write it). */
export function sharedWords(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

function runLocal(job: LdeJob, interpolate: boolean, size: number, shift: number): void {
  if (interpolate) intt(job.input);
  job.output.set(evaluateOnCoset(job.input, size, shift));
}

/**
 * Runs the jobs (optionally interpolating each input first), spreading them over the worker pool.
 * Inputs and outputs must live in SharedArrayBuffers when workers are used (see `sharedWords`).
 */
export function lowDegreeExtendMany(
  jobs: readonly LdeJob[],
  interpolate: boolean,
  size: number,
  shift: number,
  minParallelWords = PARALLEL_THRESHOLD,
  /** Tests set this to false so the workers do every job. */
  mainThreadWorks = true,
): void {
  const shared = jobs.every(
    (j) => j.input.buffer instanceof SharedArrayBuffer && j.output.buffer instanceof SharedArrayBuffer,
  );
  const team = shared && jobs.length > 1 && jobs.length * size >= minParallelWords ? pool() : [];
  if (team.length === 0) {
    for (const job of jobs) runLocal(job, interpolate, size, shift);
    return;
  }
  // Work stealing over a shared counter: index 0 is the next job, index 1 counts finished jobs.
  const control = new Int32Array(new SharedArrayBuffer(8));
  const message = {
    control,
    inputs: jobs.map((j) => j.input),
    outputs: jobs.map((j) => j.output),
    interpolate,
    size,
    shift,
  };
  for (const w of team) w.postMessage(message);
  while (mainThreadWorks) {
    const k = Atomics.add(control, 0, 1);
    if (k >= jobs.length) break;
    runLocal(jobs[k]!, interpolate, size, shift);
    Atomics.add(control, 1, 1);
  }
  while (Atomics.load(control, 1) < jobs.length) {
    if (workerFailure) {
      workers = null;
      throw new StarkError('INVALID_ARGUMENT', 'an LDE worker thread failed', { cause: workerFailure });
    }
    Atomics.wait(control, 1, Atomics.load(control, 1), 100);
  }
}

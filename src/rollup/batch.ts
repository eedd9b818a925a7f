import { poseidon } from './crypto/poseidon.ts';
import type { Withdrawal } from './apply.ts';
import type { Op } from './tx/types.ts';

/** Protocol §7.3: what a batch commits to. Roots are listed per tree hasher (BN254 Poseidon first). */
export type BatchOutput = {
  batchNumber: number;
  chainId: number;
  firstBlock: number;
  lastBlock: number;
  oldRoots: bigint[];
  newRoots: bigint[];
  dataDigest: bigint;
  withdrawalRoot: bigint;
  withdrawals: Withdrawal[];
  queueStart: number;
  queueEnd: number;
  queueHashStart: bigint;
  queueHashEnd: bigint;
  /** Compact DA bytes (protocol §7.1) posted on Bitcoin. */
  data: Uint8Array;
  /** The single SNARK public input. */
  publicInput: bigint;
};

export function publicInput(b: Omit<BatchOutput, 'publicInput'>): bigint {
  const packed =
    BigInt(b.batchNumber) + (BigInt(b.queueStart) << 64n) + (BigInt(b.queueEnd) << 128n) + (BigInt(b.chainId) << 192n);
  return poseidon([
    b.oldRoots[0]!,
    b.newRoots[0]!,
    b.dataDigest,
    b.withdrawalRoot,
    b.queueHashStart,
    b.queueHashEnd,
    packed,
  ]);
}

/**
 * A batch handed to a prover. Proving is asynchronous: the sequencer never waits. `ops` is the exact operation list
 * (with signatures) from `oldRoots`; a prover replays it against its own copy of the state to build witnesses.
 */
export type ProverJob = {
  id: string;
  system: 'snark' | 'stark';
  output: BatchOutput;
  ops: Op[];
};

export type ProofResult = {
  jobId: string;
  batchNumber: number;
  system: 'snark' | 'stark';
  /** Proof bytes in the prover's own format. */
  proof: Uint8Array;
  publicInput: bigint;
};

/** What the SNARK and STARK provers implement; the node submits jobs and listens for results. */
export interface ProverQueue {
  readonly system: 'snark' | 'stark';
  submit(job: ProverJob): Promise<void>;
  onResult(listener: (result: ProofResult) => void): void;
}

/** A queue that only holds jobs, for tests and for nodes that run no prover (jobs wait for an external one). */
export class PendingProverQueue implements ProverQueue {
  readonly jobs: ProverJob[] = [];
  private readonly listeners: ((r: ProofResult) => void)[] = [];
  constructor(readonly system: 'snark' | 'stark') {}
  async submit(job: ProverJob): Promise<void> {
    this.jobs.push(job);
  }
  onResult(listener: (result: ProofResult) => void): void {
    this.listeners.push(listener);
  }
  /** An external prover reports back through here. */
  deliver(result: ProofResult): void {
    for (const l of this.listeners) l(result);
  }
}

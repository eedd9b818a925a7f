// Proofs as the node sees them: a result from a prover counts towards finality only once it verifies against the
// batch it claims to prove; verified proofs and the anchor stages are kept in the node's store (layout.ts).
import { EventEmitter } from 'node:events';
import { replayFromStore } from '../rollup/index.ts';
import type { Account, BatchOutput, KvStore, ProofResult, RollupConfig, TreeHasher } from '../rollup/index.ts';
import { verificationKeyToSnarkjs, verifyBatchProof } from '../snark/index.ts';
import type { VerificationKey } from '../snark/index.ts';
import type { ProofKeyJson } from '../sdk/types.ts';
import type { AnchorUpdate, FinalityTracker } from './finality.ts';
import {
  FINALITY_PREFIX,
  PROOF_PREFIX,
  decodeAnchorStage,
  decodeProofRecord,
  encodeAnchorStage,
  encodeProofRecord,
  proofKeys,
} from './layout.ts';
import type { ProofSystem, StoredProofRecord } from './layout.ts';

/** Checks one system's proof of a batch. `verify` resolves false (never rejects) for a proof that does not hold. */
export interface ProofVerifier {
  readonly system: ProofSystem;
  verify(result: ProofResult, batch: BatchOutput): Promise<boolean>;
  /** What a client needs to check the proof itself; served by keel_getBatchProof. */
  readonly key: ProofKeyJson;
}

export const SNARK_KEY_FORMAT = 'snarkjs-groth16-bn254';

/** The SNARK's verifier: the Groth16 pairing check against the batch's single public input, nothing but the key. */
export function snarkProofVerifier(vk: VerificationKey): ProofVerifier {
  return {
    system: 'snark',
    key: { format: SNARK_KEY_FORMAT, verificationKey: verificationKeyToSnarkjs(vk) },
    async verify(result, batch) {
      // The prover's own claim about the public input is not trusted: the batch the node closed decides it.
      return result.publicInput === batch.publicInput && verifyBatchProof(vk, batch.publicInput, result.proof);
    },
  };
}

export type VerifiedProof = StoredProofRecord & { batchNumber: number; system: ProofSystem };
export type RejectedProof = { batchNumber: number; system: ProofSystem; reason: string };

type Events = { verified: [VerifiedProof]; rejected: [RejectedProof] };

/**
 * Verifies what the provers report, stores what holds and feeds the finality tracker; stores every anchor stage too,
 * so `proven` and `anchored` survive a restart.
 */
export class ProofBook extends EventEmitter<Events> {
  private readonly verifiers = new Map<ProofSystem, ProofVerifier>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly store: KvStore,
    private readonly finality: FinalityTracker,
    private readonly getBatch: (n: number) => Promise<BatchOutput | undefined>,
    verifiers: readonly ProofVerifier[],
    private readonly log: (line: string) => void = () => {},
  ) {
    super();
    for (const v of verifiers) this.verifiers.set(v.system, v);
  }

  hasVerifier(system: ProofSystem): boolean {
    return this.verifiers.has(system);
  }

  verifier(system: ProofSystem): ProofVerifier | undefined {
    return this.verifiers.get(system);
  }

  /** Reads the stored proofs and anchor stages into the finality tracker (no change events). */
  async load(): Promise<void> {
    for await (const [key] of this.store.scan(Uint8Array.of(PROOF_PREFIX))) {
      const system = proofKeys.systemOfKey(key);
      if (system) this.finality.restore(proofKeys.batchOfKey(key), { proofs: [system] });
    }
    for await (const [key, value] of this.store.scan(Uint8Array.of(FINALITY_PREFIX))) {
      const stage = decodeAnchorStage(value);
      if (stage) this.finality.restore(proofKeys.batchOfKey(key), { anchor: stage.stage });
    }
  }

  /** Takes a prover's result: verify, store, count. A result that does not verify is reported and ignored. */
  take(result: ProofResult): Promise<boolean> {
    return this.track(this.check(result));
  }

  /** Takes an anchorer update: the tracker moves at once, the stage is stored behind it. */
  anchor(update: AnchorUpdate): void {
    this.finality.anchor(update);
    const stage = this.finality.anchorStage(update.batchNumber);
    if (!stage || this.closed) return;
    void this.track(
      this.store
        .write([
          {
            type: 'put',
            key: proofKeys.finality(update.batchNumber),
            value: encodeAnchorStage(stage, update.l1Txid),
          },
        ])
        .catch((err: unknown) => this.log(`finality: storing batch ${update.batchNumber}'s stage: ${String(err)}`)),
    );
  }

  async get(batchNumber: number, system: ProofSystem): Promise<StoredProofRecord | undefined> {
    const bytes = await this.store.get(proofKeys.proof(batchNumber, system));
    return bytes && decodeProofRecord(bytes);
  }

  /** Waits for verifications and writes under way; later results are dropped (the store is about to close). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => {});
    return p;
  }

  private async check(result: ProofResult): Promise<boolean> {
    const { batchNumber, system } = result;
    const reject = (reason: string): false => {
      this.log(`proofs: ${system} proof of batch ${batchNumber} ignored: ${reason}`);
      this.emit('rejected', { batchNumber, system, reason });
      return false;
    };
    if (this.closed) return false;
    const verifier = this.verifiers.get(system);
    if (!verifier) return reject(`this node has no ${system} verifier`);
    if (this.finality.proofs(batchNumber).includes(system)) return true;
    const batch = await this.getBatch(batchNumber);
    if (!batch) return reject('no such closed batch');
    let ok: boolean;
    try {
      ok = await verifier.verify(result, batch);
    } catch (err) {
      return reject(`the verifier failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!ok) return reject('it does not verify against the batch');
    if (this.closed) return false;
    const record: StoredProofRecord = {
      verifiedAt: Date.now(),
      lastBlock: batch.lastBlock,
      publicInput: result.publicInput,
      proof: result.proof.slice(),
    };
    await this.store.write([
      { type: 'put', key: proofKeys.proof(batchNumber, system), value: encodeProofRecord(record) },
    ]);
    this.log(`proofs: ${system} proof of batch ${batchNumber} verified`);
    this.finality.proof({ batchNumber, system });
    this.emit('verified', { ...record, batchNumber, system });
    return true;
  }
}

/**
 * Where a prover of `system` resumes on a node's store: the first batch without a verified proof of that system
 * (after the run of proven batches from batch 1) and the accounts at its start, replayed from the stored blocks.
 * Build the prover from `accounts` before `KeelNode.start`; the node hands it every closed batch from `nextBatch` on.
 */
export async function provingStart(
  store: KvStore,
  config: Pick<RollupConfig, 'depth' | 'chainId' | 'feeAccountKey'>,
  system: ProofSystem,
  opts: { extraHashers?: TreeHasher[] } = {},
): Promise<{ nextBatch: number; accounts: [number, Account][] }> {
  let nextBatch = 1;
  let lastBlock = 0;
  for (;;) {
    const bytes = await store.get(proofKeys.proof(nextBatch, system));
    if (!bytes) break;
    lastBlock = decodeProofRecord(bytes).lastBlock;
    nextBatch++;
  }
  const { state } = await replayFromStore(store, config, { toBlock: lastBlock, extraHashers: opts.extraHashers });
  return { nextBatch, accounts: [...state.entries()].map(([i, a]) => [i, { ...a }]) };
}

import { EventEmitter } from 'node:events';
import type { BatchOutput, ProofResult } from '../rollup/index.ts';
import type { Finality } from '../sdk/types.ts';

/**
 * What an anchorer (the anchor module, later) reports about a batch: its envelope is in the Bitcoin mempool
 * (`posted`), has the anchoring confirmations (`anchored`), or is past every challenge window that applies (`final`,
 * given it is also proven).
 */
export type AnchorUpdate = { batchNumber: number; status: 'posted' | 'anchored' | 'final'; l1Txid?: string };

/** The seam for anchoring: the node hands each closed batch over and listens for updates. */
export interface Anchorer {
  submit(batch: BatchOutput): Promise<void>;
  onUpdate(listener: (update: AnchorUpdate) => void): void;
}

type BatchProgress = { anchor?: AnchorUpdate['status']; proofs: Set<'snark' | 'stark'> };

/**
 * Batch finality as far as the node knows it: soft → posted → anchored → proven (both proofs verified) → final.
 * An L1 reorg moves an anchored or proven batch back to posted; a final batch stays final.
 * A batch is `proven` only with every required proof system's result and at least anchored (proofs of data that is
 * not on Bitcoin prove nothing to anyone else).
 */
export class FinalityTracker extends EventEmitter<{ change: [{ batchNumber: number; status: Finality }] }> {
  private readonly batches = new Map<number, BatchProgress>();

  constructor(private readonly requiredProofs: readonly ('snark' | 'stark')[] = ['snark', 'stark']) {
    super();
  }

  status(batchNumber: number): Finality {
    const p = this.batches.get(batchNumber);
    if (!p?.anchor) return 'soft';
    const proven = this.requiredProofs.length > 0 && this.requiredProofs.every((s) => p.proofs.has(s));
    if (p.anchor === 'posted') return 'posted';
    if (!proven) return 'anchored';
    return p.anchor === 'final' ? 'final' : 'proven';
  }

  anchor(update: AnchorUpdate): void {
    const p = this.progress(update.batchNumber);
    if (p.anchor === update.status || p.anchor === 'final') return;
    // 'posted' after 'anchored' is the anchorer's verdict that an L1 reorg dropped the commitment's block: the batch
    // is only posted again until new blocks bury it (proofs already verified stay, so it is proven again on
    // re-anchoring). 'final' is never revisited.
    this.update(update.batchNumber, () => (p.anchor = update.status));
  }

  /** Counts a proof result; the node calls this only once the proof verified against the batch. */
  proof(result: Pick<ProofResult, 'batchNumber' | 'system'>): void {
    const p = this.progress(result.batchNumber);
    this.update(result.batchNumber, () => p.proofs.add(result.system));
  }

  /** The proof systems whose proof of the batch verified, in a fixed order (snark first). */
  proofs(batchNumber: number): ('snark' | 'stark')[] {
    const p = this.batches.get(batchNumber);
    return (['snark', 'stark'] as const).filter((s) => p?.proofs.has(s));
  }

  /** The last anchor stage the anchorer reported, if any. */
  anchorStage(batchNumber: number): AnchorUpdate['status'] | undefined {
    return this.batches.get(batchNumber)?.anchor;
  }

  /** Progress read back from the store at start: sets it without emitting changes. */
  restore(
    batchNumber: number,
    progress: { anchor?: AnchorUpdate['status']; proofs?: readonly ('snark' | 'stark')[] },
  ): void {
    const p = this.progress(batchNumber);
    if (progress.anchor) p.anchor = progress.anchor;
    for (const s of progress.proofs ?? []) p.proofs.add(s);
  }

  private progress(n: number): BatchProgress {
    let p = this.batches.get(n);
    if (!p) this.batches.set(n, (p = { proofs: new Set() }));
    return p;
  }

  private update(n: number, change: () => void): void {
    const before = this.status(n);
    change();
    const after = this.status(n);
    if (after !== before) this.emit('change', { batchNumber: n, status: after });
  }
}

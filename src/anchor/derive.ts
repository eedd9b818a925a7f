import {
  EMPTY_ACCOUNT,
  FEE_ACCOUNT,
  Overlay,
  State,
  checkShape,
  dataDigest,
  decodeDa,
  poseidonBn254Hasher,
  queueChainOver,
  replayOp,
  withdrawalRoot,
} from '../rollup/index.ts';
import type { Account, DaOp, PublicKey, Signature, TreeHasher, Withdrawal } from '../rollup/index.ts';
import type { CommitmentHeader } from './header.ts';
import { commitmentId, proofDigest, ZERO_COMMITMENT } from './header.ts';
import type { Commitment } from './payload.ts';

/** The rollup parameters a verifier needs (fixed at genesis). */
export type DeriveConfig = {
  chainId: number;
  depth: number;
  withdrawalDepth: number;
  feeAccountKey: PublicKey;
  /** Tree hashers after BN254 Poseidon (the STARK tree), as the sequencer runs them. */
  extraHashers?: TreeHasher[];
};

/** Which check a batch failed (docs/anchoring.md §5). */
export type FailedCheck =
  | 'chainId'
  | 'oldRoot'
  | 'queueStart'
  | 'data'
  | 'dataDigest'
  | 'queue'
  | 'execution'
  | 'withdrawalRoot'
  | 'newRoot'
  | 'proofDigest'
  | 'snarkProof'
  | 'starkProof';

export type DeriveResult = { ok: true; roots: bigint[] } | { ok: false; check: FailedCheck; reason: string };

/** Verifies both proofs of a batch against its header (the SNARK and STARK modules plug in here). */
export type ProofChecker = (
  header: CommitmentHeader,
  proofs: Commitment['proofs'],
) => Promise<{
  snark?: boolean;
  stark?: boolean;
}>;

// Signatures are not posted (their validity is what the proofs attest); execution only needs the other fields.
const NO_SIGNATURE: Signature = { R8: { x: 0n, y: 1n }, S: 0n };

/** The L2 state as rebuilt from Bitcoin, and where the commitment chain stands. */
export class DerivedState {
  state: State;
  batchNumber = 0;
  lastCommitment: Uint8Array = ZERO_COMMITMENT;
  queueEnd = 0;
  queueHash = 0n;
  private readonly accepted: Commitment[] = [];

  constructor(readonly config: DeriveConfig) {
    this.state = DerivedState.genesis(config);
  }

  private static genesis(config: DeriveConfig): State {
    const state = new State(config.depth, [poseidonBn254Hasher, ...(config.extraHashers ?? [])]);
    const fee: Account = { ...EMPTY_ACCOUNT, ax: config.feeAccountKey.x, ay: config.feeAccountKey.y };
    state.commit(new Map([[FEE_ACCOUNT, fee]]));
    return state;
  }

  get roots(): bigint[] {
    return this.state.roots;
  }

  get acceptedCount(): number {
    return this.accepted.length;
  }

  /**
   * Checks a commitment that is next on the chain and, if every check passes, applies it. On any failure the state
   * is exactly what it was before.
   */
  async apply(c: Commitment, proofChecker?: ProofChecker): Promise<DeriveResult> {
    const h = c.header;
    const cfg = this.config;
    if (h.chainId !== cfg.chainId) return bad('chainId', `chain id ${h.chainId}, expected ${cfg.chainId}`);
    const roots = this.state.roots;
    if (h.oldRoots.length !== roots.length || h.oldRoots.some((r, i) => r !== roots[i]))
      return bad('oldRoot', 'old roots differ from the state after the previous batch');
    if (h.queueStart !== this.queueEnd || h.queueHashStart !== this.queueHash)
      return bad('queueStart', `queue starts at ${h.queueStart}, expected ${this.queueEnd}`);
    if (h.snarkProofDigest !== proofDigest(c.proofs.snark) && c.proofs.snark)
      return bad('proofDigest', 'the SNARK proof does not match its digest');
    if (h.starkProofDigest !== proofDigest(c.proofs.stark) && c.proofs.stark)
      return bad('proofDigest', 'the STARK proof does not match its digest');
    let ops: DaOp[];
    try {
      ops = decodeDa(c.data, cfg.depth);
    } catch (err) {
      return bad('data', `batch data does not decode: ${message(err)}`);
    }
    if (dataDigest(ops) !== h.dataDigest) return bad('dataDigest', 'the data does not hash to the header digest');
    if (c.l1Items.length !== h.queueEnd - h.queueStart)
      return bad('queue', `${c.l1Items.length} L1 items for a queue range of ${h.queueEnd - h.queueStart}`);
    if (queueChainOver(h.queueHashStart, c.l1Items) !== h.queueHashEnd)
      return bad('queue', 'the L1 items do not hash to the header queue hash');
    const overlay = new Overlay(this.state);
    let withdrawals: Withdrawal[];
    try {
      withdrawals = execute(ops, c, overlay, cfg);
    } catch (err) {
      return bad('execution', message(err));
    }
    if (withdrawalRoot(withdrawals, cfg.withdrawalDepth) !== h.withdrawalRoot)
      return bad('withdrawalRoot', 'withdrawals do not hash to the header withdrawal root');
    if (proofChecker && (c.proofs.snark || c.proofs.stark)) {
      const verdict = await proofChecker(h, c.proofs);
      if (c.proofs.snark && verdict.snark === false) return bad('snarkProof', 'the SNARK proof does not verify');
      if (c.proofs.stark && verdict.stark === false) return bad('starkProof', 'the STARK proof does not verify');
    }
    const newRoots = this.state.commit(overlay.changes).roots;
    if (newRoots.length !== h.newRoots.length || newRoots.some((r, i) => r !== h.newRoots[i])) {
      // Trees cannot be rolled back in place; rebuild from what was accepted (rejections are rare).
      this.rebuild();
      return bad('newRoot', 'the re-executed state root differs from the header');
    }
    this.accepted.push(c);
    this.batchNumber = h.batchNumber;
    this.lastCommitment = commitmentId(h);
    this.queueEnd = h.queueEnd;
    this.queueHash = h.queueHashEnd;
    return { ok: true, roots: newRoots };
  }

  private rebuild(): void {
    this.state = DerivedState.genesis(this.config);
    for (const c of this.accepted) {
      const overlay = new Overlay(this.state);
      execute(decodeDa(c.data, this.config.depth), c, overlay, this.config);
      this.state.commit(overlay.changes);
    }
  }
}

function execute(ops: DaOp[], c: Commitment, overlay: Overlay, cfg: DeriveConfig): Withdrawal[] {
  const withdrawals: Withdrawal[] = [];
  const replay = { chainId: cfg.chainId, depth: cfg.depth, verifySignatures: false };
  let fees = 0n;
  let next = 0;
  for (const op of ops) {
    switch (op.kind) {
      case 'transfer':
      case 'withdraw': {
        const nonce = overlay.getAccount(op.from).nonce;
        const tx =
          op.kind === 'transfer'
            ? { type: 'transfer' as const, ...op, nonce, sig: NO_SIGNATURE }
            : { type: 'withdraw' as const, ...op, nonce, sig: NO_SIGNATURE };
        checkShape(tx, cfg.depth);
        const r =
          tx.type === 'transfer'
            ? replayOp({ kind: 'transfer', tx }, overlay, replay)
            : replayOp({ kind: 'withdraw', tx }, overlay, replay);
        fees += r.fee;
        if (r.withdrawal) withdrawals.push(r.withdrawal);
        break;
      }
      case 'deposit': {
        const item = c.l1Items[next];
        if (item?.type !== 'deposit') throw new Error(`operation ${next}: a deposit needs a deposit queue item`);
        const expected = overlay.depositIndex(item.pubKey.x, item.pubKey.y);
        if (op.index !== expected) throw new Error(`deposit to account ${op.index}, protocol §3 says ${expected}`);
        replayOp({ kind: 'deposit', queueIndex: c.header.queueStart + next, item, index: op.index }, overlay, replay);
        next++;
        break;
      }
      case 'forcedExit': {
        const item = c.l1Items[next];
        if (item?.type !== 'forcedExit') throw new Error(`operation ${next}: a forced exit needs its queue item`);
        const r = replayOp(
          { kind: 'forcedExit', queueIndex: c.header.queueStart + next, item, applied: op.applied },
          overlay,
          replay,
        );
        if (r.withdrawal) withdrawals.push(r.withdrawal);
        next++;
        break;
      }
    }
  }
  if (next !== c.l1Items.length) throw new Error(`${c.l1Items.length - next} L1 items were not consumed`);
  replayOp({ kind: 'feeCredit', amount: fees }, overlay, replay);
  return withdrawals;
}

function bad(check: FailedCheck, reason: string): DeriveResult {
  return { ok: false, check, reason };
}

function message(err: unknown): string {
  return err instanceof Error ? ((err as { shortMessage?: string }).shortMessage ?? err.message) : String(err);
}

/**
 * Trace generation for the batch AIR from plain witness data: for every segment the account before
 * and after, and the sibling digests of its path (leaf level first) in the tree just before it.
 */
import type { Trace } from '../air.ts';
import { StarkError } from '../errors.ts';
import { P, inv } from '../field.ts';
import { fillPoseidon2Block } from '../poseidon2-air.ts';
import { EMPTY_KEY_DIGEST, type StarkAccount, accountLeaf, balanceLimbs, nodeDigest, nonceLimbs } from './account.ts';
import type { BatchPublicInputs } from './air.ts';
import * as L from './layout.ts';
import {
  type BatchAirOp,
  type SegmentRecord,
  SegmentKind,
  batchCommitments,
  isWithdrawalKind,
  record1,
} from './records.ts';

/** One account update with its Merkle path. */
export interface BatchStep {
  readonly before: StarkAccount;
  readonly after: StarkAccount;
  /** `depth` sibling digests, leaf level first. */
  readonly siblings: readonly Uint32Array[];
}

export interface BatchWitness {
  readonly depth: number;
  readonly ops: readonly BatchAirOp[];
  /** One step per real segment, in segment order. */
  readonly steps: readonly BatchStep[];
  /** Account 0 and its path after the batch: padding segments touch it without changing it. */
  readonly pad: { readonly account: StarkAccount; readonly siblings: readonly Uint32Array[] };
}

function pathRoot(leaf: Uint32Array, index: number, siblings: readonly Uint32Array[]): Uint32Array {
  let node = leaf;
  for (let level = 0; level < siblings.length; level++)
    node = (index >> level) & 1 ? nodeDigest(siblings[level]!, node) : nodeDigest(node, siblings[level]!);
  return node;
}

function sameKey(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Builds the trace and its public inputs. The roots are read off the witness paths; the prover
 * then checks every constraint, so a witness that breaks a rule (an overspend, a wrong path) is
 * refused there.
 */
export function buildBatchTrace(w: BatchWitness): { trace: Trace; inputs: BatchPublicInputs } {
  const { depth } = w;
  const commitments = batchCommitments(w.ops, depth);
  const records = commitments.records;
  const real = records.filter((r) => r.kind !== SegmentKind.pad).length;
  if (w.steps.length !== real)
    throw new StarkError('INVALID_ARGUMENT', `the witness has ${w.steps.length} steps for ${real} account updates`);
  const steps: BatchStep[] = [...w.steps];
  while (steps.length < records.length)
    steps.push({ before: w.pad.account, after: w.pad.account, siblings: w.pad.siblings });
  for (const s of steps)
    if (s.siblings.length !== depth) throw new StarkError('INVALID_ARGUMENT', `a path needs ${depth} siblings`);

  const S = L.segmentLength(depth);
  const n = records.length * S;
  const columns = Array.from({ length: L.WIDTH }, () => new Uint32Array(n));
  const row = new Uint32Array(L.WIDTH);
  const consts = new Uint32Array(L.WIDTH - L.CONSTS);
  const root = new Uint32Array(8);
  const data = new Uint32Array(8);
  const wdr = new Uint32Array(8);
  const oldRoot = pathRoot(accountLeaf(steps[0]!.before), records[0]!.index, steps[0]!.siblings);
  root.set(oldRoot);
  const blockIn = new Uint32Array(16);

  for (let seg = 0; seg < records.length; seg++) {
    const rec = records[seg]!;
    const step = steps[seg]!;
    fillConstants(consts, rec, step);
    const base = seg * S;
    let idx = 0;
    const aOut = (): Uint32Array => row.subarray(L.BLOCK_A + L.OUT, L.BLOCK_A + L.OUT + 8);
    const bOut = (): Uint32Array => row.subarray(L.BLOCK_B + L.OUT, L.BLOCK_B + L.OUT + 8);
    let prevA = new Uint32Array(8);
    let prevB = new Uint32Array(8);
    for (let r = 0; r < S; r++) {
      row.fill(0);
      row.set(consts, L.CONSTS);
      row.set(root, L.ROOT);
      row.set(data, L.DATA);
      row.set(wdr, L.WDR);
      if (r === 0) {
        blockIn.fill(0);
        blockIn.set(step.before.keyDigest, 0);
        blockIn.set([...balanceLimbs(step.before.balance), ...nonceLimbs(step.before.nonce)], 8);
        fillPoseidon2Block(blockIn, row, L.BLOCK_A);
        blockIn.fill(0);
        blockIn.set(step.after.keyDigest, 0);
        blockIn.set([...balanceLimbs(step.after.balance), ...nonceLimbs(step.after.nonce)], 8);
        fillPoseidon2Block(blockIn, row, L.BLOCK_B);
      } else if (r <= depth) {
        const level = r - 1;
        const dir = (rec.index >> level) & 1;
        const sib = step.siblings[level]!;
        row[L.DIR] = dir;
        row.set(sib, L.SIB);
        idx += dir * 2 ** level;
        for (const [blk, prev] of [
          [L.BLOCK_A, prevA],
          [L.BLOCK_B, prevB],
        ] as const) {
          blockIn.set(dir ? sib : prev, 0);
          blockIn.set(dir ? prev : sib, 8);
          fillPoseidon2Block(blockIn, row, blk);
        }
      } else if (r === depth + 1) {
        blockIn.set(data, 0);
        blockIn.set(record1(rec), 8);
        fillPoseidon2Block(blockIn, row, L.BLOCK_A);
        blockIn.fill(0);
        blockIn.set(rec.extra, 0);
        blockIn.set(balanceLimbs(rec.amount), 8);
        fillPoseidon2Block(blockIn, row, L.BLOCK_B);
      } else if (r === depth + 2) {
        blockIn.set(prevA, 0);
        blockIn.set(rec.extra, 8);
        fillPoseidon2Block(blockIn, row, L.BLOCK_A);
        blockIn.set(wdr, 0);
        blockIn.set(prevB, 8);
        fillPoseidon2Block(blockIn, row, L.BLOCK_B);
      } else {
        blockIn.fill(0);
        fillPoseidon2Block(blockIn, row, L.BLOCK_A);
        fillPoseidon2Block(blockIn, row, L.BLOCK_B);
      }
      row[L.IDX] = idx;
      for (let c = 0; c < L.WIDTH; c++) columns[c]![base + r] = row[c]!;
      prevA = aOut().slice();
      prevB = bOut().slice();
      // Registers change after the row that computes their new value.
      if (r === depth) root.set(prevB);
      if (r === depth + 2) {
        data.set(prevA);
        if (isWithdrawalKind(rec.kind)) wdr.set(prevB);
      }
    }
  }
  const inputs: BatchPublicInputs = {
    depth,
    segments: records.length,
    oldRoot,
    newRoot: root.slice(),
    dataDigest: data.slice(),
    withdrawalDigest: wdr.slice(),
  };
  return { trace: { width: L.WIDTH, length: n, columns }, inputs };
}

function fillConstants(out: Uint32Array, rec: SegmentRecord, step: BatchStep): void {
  const at = (col: number, values: ArrayLike<number>): void => out.set(values, col - L.CONSTS);
  out.fill(0);
  const { before, after } = step;
  at(L.OLD_KEY, before.keyDigest);
  at(L.NEW_KEY, after.keyDigest);
  at(L.OLD_BAL, balanceLimbs(before.balance));
  at(L.OLD_NONCE, nonceLimbs(before.nonce));
  const nb = balanceLimbs(after.balance);
  const nn = nonceLimbs(after.nonce);
  at(L.NEW_BAL, nb);
  at(L.NEW_NONCE, nn);
  out[L.FLAGS + rec.kind - 1 - L.CONSTS] = 1;
  at(L.AMOUNT, balanceLimbs(rec.amount));
  at(L.FEE, balanceLimbs(rec.fee));
  at(L.EXTRA, rec.extra);
  const fresh = rec.kind === SegmentKind.deposit && sameKey(before.keyDigest, EMPTY_KEY_DIGEST) ? 1 : 0;
  out[L.FRESH - L.CONSTS] = fresh;
  const e0 = EMPTY_KEY_DIGEST[0]!;
  const diff = (before.keyDigest[0]! - e0 + P) % P;
  out[L.INV - L.CONSTS] = diff === 0 ? 0 : inv(diff);
  // Carries of new + debit = old + credit, limb by limb (honest witnesses only; the AIR checks them).
  const kind = rec.kind;
  const debit =
    kind === SegmentKind.transferFrom || kind === SegmentKind.withdrawFrom || kind === SegmentKind.forcedExit;
  const payFee = kind === SegmentKind.transferFrom || kind === SegmentKind.withdrawFrom;
  const credit = kind === SegmentKind.transferTo || kind === SegmentKind.deposit || kind === SegmentKind.feeCredit;
  const amt = balanceLimbs(rec.amount);
  const fee = balanceLimbs(rec.fee);
  const ob = balanceLimbs(before.balance);
  let carry = 0;
  for (let limb = 0; limb < 2; limb++) {
    const x =
      nb[limb]! + (debit ? amt[limb]! : 0) + (payFee ? fee[limb]! : 0) - ob[limb]! - (credit ? amt[limb]! : 0) + carry;
    carry = Math.floor(x / 2 ** 21);
    out[(limb === 0 ? L.CARRY0 : L.CARRY1) - L.CONSTS] = (carry + P) % P;
  }
  const on = nonceLimbs(before.nonce);
  out[L.NONCE_CARRY - L.CONSTS] = nn[1]! - on[1]! === 1 ? 1 : 0;
  for (let limb = 0; limb < 3; limb++)
    for (let j = 0; j < 21; j++) out[L.BAL_BITS + 21 * limb + j - L.CONSTS] = (nb[limb]! >> j) & 1;
  for (let j = 0; j < 16; j++) out[L.NONCE_BITS + j - L.CONSTS] = (nn[0]! >> j) & 1;
}

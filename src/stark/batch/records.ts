/**
 * The batch's public data as the batch AIR absorbs it, and the two STARK-field commitments over it
 * (protocol §9.2). A verifier recomputes both from the batch's public data alone: the DA bytes, the
 * withdrawal list and the consumed L1 queue items.
 *
 * Every account update is one *segment* with a record
 *   rec1 = [tag, index, amount limbs ×3, fee limbs ×3]
 *   rec2 = key digest (deposit) | script digest (withdraw, forced exit) | 0 (otherwise)
 * and the chains are
 *   D ← compress(compress(D, rec1), rec2)                     for every segment (D₀ = 0),
 *   W ← compress(W, compress(rec2, [amount limbs, 0 ×5]))       for withdraw / forced-exit segments (W₀ = 0).
 */
import { StarkError } from '../errors.ts';
import { DIGEST_ELEMENTS, poseidon2Compress, poseidon2Hash } from '../poseidon2.ts';
import { balanceLimbs } from './account.ts';

/** Segment kinds; the tag in rec1 is the kind's value. */
export const SegmentKind = {
  transferFrom: 1,
  withdrawFrom: 2,
  deposit: 3,
  forcedExit: 4,
  transferTo: 5,
  feeCredit: 6,
  pad: 7,
} as const;
export type SegmentKind = (typeof SegmentKind)[keyof typeof SegmentKind];
export const SEGMENT_KINDS = 7;

/** One state-changing operation of a batch, in plain values (no rollup types). */
export type BatchAirOp =
  | { kind: 'transfer'; from: number; to: number; amount: bigint; fee: bigint }
  | { kind: 'withdraw'; from: number; amount: bigint; fee: bigint; script: Uint8Array }
  | { kind: 'deposit'; index: number; amount: bigint; keyDigest: Uint32Array }
  | { kind: 'forcedExit'; index: number; amount: bigint; script: Uint8Array }
  | { kind: 'feeCredit'; amount: bigint };

export interface SegmentRecord {
  readonly kind: SegmentKind;
  readonly index: number;
  readonly amount: bigint;
  readonly fee: bigint;
  /** rec2 (8 elements). */
  readonly extra: Uint32Array;
}

export interface BatchCommitments {
  /** Segments including padding (a power of two, at least 2). */
  readonly segments: number;
  readonly records: readonly SegmentRecord[];
  readonly dataDigest: Uint32Array;
  readonly withdrawalDigest: Uint32Array;
}

const ZERO8 = (): Uint32Array => new Uint32Array(DIGEST_ELEMENTS);

/** Digest of a withdrawal's output script: poseidon2Hash(length, bytes in 3-byte little-endian limbs). */
export function scriptDigest(script: Uint8Array): Uint32Array {
  if (script.length < 1 || script.length > 255)
    throw new StarkError('INVALID_ARGUMENT', 'a withdrawal script has 1..255 bytes');
  const words = [script.length];
  for (let i = 0; i < script.length; i += 3)
    words.push(script[i]! | ((script[i + 1] ?? 0) << 8) | ((script[i + 2] ?? 0) << 16));
  return poseidon2Hash(words);
}

function checkIndex(index: number, depth: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** depth)
    throw new StarkError('INVALID_ARGUMENT', `account ${index} is outside a tree of depth ${depth}`);
  return index;
}

/** The segments of a batch, in the order the AIR proves them (a transfer: sender, then receiver). */
export function segmentRecords(ops: readonly BatchAirOp[], depth: number): SegmentRecord[] {
  const out: SegmentRecord[] = [];
  for (const op of ops) {
    switch (op.kind) {
      case 'transfer':
        if (op.from === op.to) throw new StarkError('INVALID_ARGUMENT', 'a transfer needs two different accounts');
        out.push({
          kind: SegmentKind.transferFrom,
          index: checkIndex(op.from, depth),
          amount: op.amount,
          fee: op.fee,
          extra: ZERO8(),
        });
        out.push({
          kind: SegmentKind.transferTo,
          index: checkIndex(op.to, depth),
          amount: op.amount,
          fee: 0n,
          extra: ZERO8(),
        });
        break;
      case 'withdraw':
        out.push({
          kind: SegmentKind.withdrawFrom,
          index: checkIndex(op.from, depth),
          amount: op.amount,
          fee: op.fee,
          extra: scriptDigest(op.script),
        });
        break;
      case 'deposit':
        if (op.keyDigest.length !== DIGEST_ELEMENTS)
          throw new StarkError('INVALID_ARGUMENT', 'a key digest has 8 elements');
        out.push({
          kind: SegmentKind.deposit,
          index: checkIndex(op.index, depth),
          amount: op.amount,
          fee: 0n,
          extra: Uint32Array.from(op.keyDigest),
        });
        break;
      case 'forcedExit':
        out.push({
          kind: SegmentKind.forcedExit,
          index: checkIndex(op.index, depth),
          amount: op.amount,
          fee: 0n,
          extra: scriptDigest(op.script),
        });
        break;
      case 'feeCredit':
        out.push({ kind: SegmentKind.feeCredit, index: 0, amount: op.amount, fee: 0n, extra: ZERO8() });
        break;
    }
  }
  for (const r of out) {
    balanceLimbs(r.amount);
    balanceLimbs(r.fee);
  }
  return out;
}

export function padRecord(): SegmentRecord {
  return { kind: SegmentKind.pad, index: 0, amount: 0n, fee: 0n, extra: ZERO8() };
}

/** Padded segment count: the next power of two, at least 2. */
export function paddedSegments(real: number): number {
  let n = 2;
  while (n < real) n *= 2;
  return n;
}

export function record1(r: SegmentRecord): number[] {
  return [r.kind, r.index, ...balanceLimbs(r.amount), ...balanceLimbs(r.fee)];
}

export function isWithdrawalKind(kind: SegmentKind): boolean {
  return kind === SegmentKind.withdrawFrom || kind === SegmentKind.forcedExit;
}

export function withdrawalLeafDigest(r: SegmentRecord): Uint32Array {
  return poseidon2Compress(r.extra, [...balanceLimbs(r.amount), 0, 0, 0, 0, 0]);
}

/** Both commitments over a batch, with padding records up to the padded segment count. */
export function batchCommitments(ops: readonly BatchAirOp[], depth: number): BatchCommitments {
  const real = segmentRecords(ops, depth);
  const segments = paddedSegments(real.length);
  const records = [...real];
  while (records.length < segments) records.push(padRecord());
  let d = ZERO8();
  let w = ZERO8();
  for (const r of records) {
    d = poseidon2Compress(poseidon2Compress(d, record1(r)), r.extra);
    if (isWithdrawalKind(r.kind)) w = poseidon2Compress(w, withdrawalLeafDigest(r));
  }
  return { segments, records, dataDigest: d, withdrawalDigest: w };
}

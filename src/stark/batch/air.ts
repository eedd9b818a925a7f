/**
 * The batch AIR: proves that a list of account updates takes the STARK-field state tree from the old
 * root to the new root, with balance, nonce and key rules per update kind, and that the updates are
 * exactly the ones the public data digest and withdrawal digest commit to. The constraints are
 * listed one by one in README.md ("Batch AIR").
 */
import type { Air, Algebra, BoundaryConstraint } from '../air.ts';
import { baseAlgebra } from '../air.ts';
import { StarkError } from '../errors.ts';
import { isCanonical } from '../field.ts';
import { wordsToBytes } from '../hash.ts';
import { poseidon2RowConstraints, poseidon2RowConstraintsBase, POSEIDON2_BLOCK_CONSTRAINTS } from '../poseidon2-air.ts';
import { EMPTY_KEY_DIGEST } from './account.ts';
import { rowConstraintsBase, transitionConstraintsBase } from './air-base.ts';
import * as L from './layout.ts';
import { SegmentKind } from './records.ts';

export interface BatchPublicInputs {
  /** Tree depth in bits (the tree is binary). */
  readonly depth: number;
  /** Segments in the trace, padding included (a power of two ≥ 2). */
  readonly segments: number;
  readonly oldRoot: Uint32Array;
  readonly newRoot: Uint32Array;
  readonly dataDigest: Uint32Array;
  readonly withdrawalDigest: Uint32Array;
}

export const MAX_BATCH_DEPTH = 30;
type Out<T> = { [i: number]: T };

const TWO21 = 1 << 21;
const TWO16 = 1 << 16;
const E = Array.from(EMPTY_KEY_DIGEST);
const flag = (k: SegmentKind): number => L.FLAGS + k - 1;
const F_TS = flag(SegmentKind.transferFrom);
const F_WS = flag(SegmentKind.withdrawFrom);
const F_DEP = flag(SegmentKind.deposit);
const F_FX = flag(SegmentKind.forcedExit);
const F_RECV = flag(SegmentKind.transferTo);
const F_FEE = flag(SegmentKind.feeCredit);
const F_PAD = flag(SegmentKind.pad);

/** Constraints on one row besides the two Poseidon2 blocks. */
function rowConstraints<T>(alg: Algebra<T>, c: ArrayLike<T>, per: ArrayLike<T>, out: Out<T>, start: number): number {
  let o = start;
  const { add, sub, mul, one } = alg;
  const k = (v: number): T => alg.constant(v);
  const bool = (x: T): T => mul(x, sub(x, one));
  // Flags: boolean, exactly one set.
  let sum = alg.zero;
  for (let i = 0; i < 7; i++) {
    out[o++] = bool(c[L.FLAGS + i]!);
    sum = add(sum, c[L.FLAGS + i]!);
  }
  out[o++] = sub(sum, one);
  out[o++] = bool(c[L.FRESH]!);
  out[o++] = bool(c[L.DIR]!);
  for (let i = 0; i < 79; i++) out[o++] = bool(c[L.BAL_BITS + i]!);
  // New balance limbs and the new nonce's low limb are what their bits say (so they are < 2^21, < 2^16).
  for (let limb = 0; limb < 3; limb++) {
    let acc = alg.zero;
    for (let j = 20; j >= 0; j--) acc = add(add(acc, acc), c[L.BAL_BITS + 21 * limb + j]!);
    out[o++] = sub(c[L.NEW_BAL + limb]!, acc);
  }
  {
    let acc = alg.zero;
    for (let j = 15; j >= 0; j--) acc = add(add(acc, acc), c[L.NONCE_BITS + j]!);
    out[o++] = sub(c[L.NEW_NONCE]!, acc);
  }
  // new + debit = old + credit, limb by limb with carries in {−1, 0, 1, 2}.
  const debit = add(add(c[F_TS]!, c[F_WS]!), c[F_FX]!);
  const payFee = add(c[F_TS]!, c[F_WS]!);
  const credit = add(add(c[F_RECV]!, c[F_DEP]!), c[F_FEE]!);
  const x: T[] = [];
  for (let limb = 0; limb < 3; limb++) {
    const amt = c[L.AMOUNT + limb]!;
    x.push(
      sub(
        add(add(c[L.NEW_BAL + limb]!, mul(debit, amt)), mul(payFee, c[L.FEE + limb]!)),
        add(c[L.OLD_BAL + limb]!, mul(credit, amt)),
      ),
    );
  }
  const c0 = c[L.CARRY0]!;
  const c1 = c[L.CARRY1]!;
  out[o++] = sub(x[0]!, mul(c0, k(TWO21)));
  out[o++] = sub(add(x[1]!, c0), mul(c1, k(TWO21)));
  out[o++] = add(x[2]!, c1);
  for (const carry of [c0, c1]) out[o++] = mul(mul(add(carry, one), carry), mul(sub(carry, one), sub(carry, k(2))));
  // Nonce: new = old + 1 for a sender or a forced exit, else unchanged (16-bit limbs, carry bit).
  const nc = c[L.NONCE_CARRY]!;
  out[o++] = add(sub(sub(c[L.NEW_NONCE]!, c[L.OLD_NONCE]!), debit), mul(nc, k(TWO16)));
  out[o++] = bool(nc);
  out[o++] = sub(sub(c[L.NEW_NONCE + 1]!, c[L.OLD_NONCE + 1]!), nc);
  // A forced exit empties the account.
  for (let limb = 0; limb < 3; limb++) out[o++] = mul(c[F_FX]!, c[L.NEW_BAL + limb]!);
  // Keys: unchanged, except a deposit, which sets the key of an empty account or keeps its own.
  const dep = c[F_DEP]!;
  const fresh = c[L.FRESH]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(sub(one, dep), sub(c[L.NEW_KEY + i]!, c[L.OLD_KEY + i]!));
  for (let i = 0; i < 8; i++) {
    const nk = c[L.NEW_KEY + i]!;
    out[o++] = mul(dep, sub(sub(c[L.OLD_KEY + i]!, nk), mul(fresh, sub(k(E[i]!), nk))));
  }
  for (let limb = 0; limb < 3; limb++) out[o++] = mul(fresh, c[L.OLD_BAL + limb]!);
  out[o++] = mul(fresh, c[L.OLD_NONCE]!);
  out[o++] = mul(fresh, c[L.OLD_NONCE + 1]!);
  out[o++] = mul(fresh, sub(one, dep));
  // Senders, receivers and forced exits act on existing accounts: old key digest ≠ the empty one.
  const mustExist = add(add(c[F_TS]!, c[F_WS]!), add(c[F_RECV]!, c[F_FX]!));
  out[o++] = mul(mustExist, sub(mul(sub(c[L.OLD_KEY]!, k(E[0]!)), c[L.INV]!), one));
  // rec2: zero, or the deposited key, or (free, bound by the digest) the withdrawal script digest.
  const noExtra = add(add(c[F_TS]!, c[F_RECV]!), add(c[F_FEE]!, c[F_PAD]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(noExtra, c[L.EXTRA + i]!);
  for (let i = 0; i < 8; i++) out[o++] = mul(dep, sub(c[L.EXTRA + i]!, c[L.NEW_KEY + i]!));
  // Leaf row: the blocks hash the old and the new leaf.
  const pLeaf = per[L.PER_LEAF]!;
  for (const [blk, key, bal, nonce] of [
    [L.BLOCK_A, L.OLD_KEY, L.OLD_BAL, L.OLD_NONCE],
    [L.BLOCK_B, L.NEW_KEY, L.NEW_BAL, L.NEW_NONCE],
  ] as const) {
    for (let i = 0; i < 8; i++) out[o++] = mul(pLeaf, sub(c[blk + i]!, c[key + i]!));
    for (let i = 0; i < 3; i++) out[o++] = mul(pLeaf, sub(c[blk + 8 + i]!, c[bal + i]!));
    for (let i = 0; i < 2; i++) out[o++] = mul(pLeaf, sub(c[blk + 11 + i]!, c[nonce + i]!));
    for (let i = 13; i < 16; i++) out[o++] = mul(pLeaf, c[blk + i]!);
  }
  out[o++] = mul(pLeaf, c[L.IDX]!);
  // Root row: the old path ends at the running root.
  const pRoot = per[L.PER_ROOT]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(pRoot, sub(c[L.BLOCK_A + L.OUT + i]!, c[L.ROOT + i]!));
  // First digest row: A = compress(D, rec1), B = withdrawal leaf compress(rec2, amount).
  const pD1 = per[L.PER_D1]!;
  let tag = alg.zero;
  for (let i = 0; i < 7; i++) tag = add(tag, mul(k(i + 1), c[L.FLAGS + i]!));
  const rec1: T[] = [
    tag,
    c[L.IDX]!,
    c[L.AMOUNT]!,
    c[L.AMOUNT + 1]!,
    c[L.AMOUNT + 2]!,
    c[L.FEE]!,
    c[L.FEE + 1]!,
    c[L.FEE + 2]!,
  ];
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(c[L.BLOCK_A + i]!, c[L.DATA + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(c[L.BLOCK_A + 8 + i]!, rec1[i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(c[L.BLOCK_B + i]!, c[L.EXTRA + i]!));
  for (let i = 0; i < 3; i++) out[o++] = mul(pD1, sub(c[L.BLOCK_B + 8 + i]!, c[L.AMOUNT + i]!));
  for (let i = 11; i < 16; i++) out[o++] = mul(pD1, c[L.BLOCK_B + i]!);
  // Second digest row: A absorbs rec2, B chains the withdrawal leaf.
  const pD2 = per[L.PER_D2]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(pD2, sub(c[L.BLOCK_A + 8 + i]!, c[L.EXTRA + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD2, sub(c[L.BLOCK_B + i]!, c[L.WDR + i]!));
  return o;
}

function transitionConstraints<T>(
  alg: Algebra<T>,
  c: ArrayLike<T>,
  n: ArrayLike<T>,
  per: ArrayLike<T>,
  out: Out<T>,
  start: number,
): number {
  let o = start;
  const { add, sub, mul } = alg;
  const notEnd = per[L.PER_NOT_END]!;
  for (let col = L.CONSTS; col < L.WIDTH; col++) out[o++] = mul(notEnd, sub(n[col]!, c[col]!));
  // Path rows: the next block hashes (node, sibling) or (sibling, node) as the direction bit says.
  const toPath = per[L.PER_TO_PATH]!;
  const d = n[L.DIR]!;
  for (const blk of [L.BLOCK_A, L.BLOCK_B]) {
    for (let i = 0; i < 8; i++) {
      const node = c[blk + L.OUT + i]!;
      const s = n[L.SIB + i]!;
      out[o++] = mul(toPath, sub(sub(n[blk + i]!, node), mul(d, sub(s, node))));
      out[o++] = mul(toPath, sub(sub(n[blk + 8 + i]!, s), mul(d, sub(node, s))));
    }
  }
  out[o++] = mul(notEnd, sub(sub(n[L.IDX]!, c[L.IDX]!), mul(per[L.PER_WEIGHT]!, d)));
  const pRoot = per[L.PER_ROOT]!;
  for (let i = 0; i < 8; i++)
    out[o++] = sub(sub(n[L.ROOT + i]!, c[L.ROOT + i]!), mul(pRoot, sub(c[L.BLOCK_B + L.OUT + i]!, c[L.ROOT + i]!)));
  const pD1 = per[L.PER_D1]!;
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(n[L.BLOCK_A + i]!, c[L.BLOCK_A + L.OUT + i]!));
  for (let i = 0; i < 8; i++) out[o++] = mul(pD1, sub(n[L.BLOCK_B + 8 + i]!, c[L.BLOCK_B + L.OUT + i]!));
  const pD2 = per[L.PER_D2]!;
  const isW = add(c[F_WS]!, c[F_FX]!);
  for (let i = 0; i < 8; i++)
    out[o++] = sub(sub(n[L.DATA + i]!, c[L.DATA + i]!), mul(pD2, sub(c[L.BLOCK_A + L.OUT + i]!, c[L.DATA + i]!)));
  for (let i = 0; i < 8; i++)
    out[o++] = sub(
      sub(n[L.WDR + i]!, c[L.WDR + i]!),
      mul(mul(pD2, isW), sub(c[L.BLOCK_B + L.OUT + i]!, c[L.WDR + i]!)),
    );
  return o;
}

/** The public inputs as 34 little-endian u32 words (depth, segments, 4 digests): what the transcript absorbs. */
export function encodeBatchPublicInputs(inputs: BatchPublicInputs): Uint8Array {
  const { depth, segments, oldRoot, newRoot, dataDigest, withdrawalDigest } = inputs;
  return wordsToBytes(Uint32Array.from([depth, segments, ...oldRoot, ...newRoot, ...dataDigest, ...withdrawalDigest]));
}

/** The inverse of `encodeBatchPublicInputs`; checks length, shape and every element. */
export function decodeBatchPublicInputs(bytes: Uint8Array): BatchPublicInputs {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 34 * 4)
    throw new StarkError('INVALID_ARGUMENT', 'batch public inputs are 136 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = Array.from({ length: 34 }, (_, i) => view.getUint32(4 * i, true));
  const digest = (k: number): Uint32Array => Uint32Array.from(w.slice(2 + 8 * k, 10 + 8 * k));
  const inputs: BatchPublicInputs = {
    depth: w[0]!,
    segments: w[1]!,
    oldRoot: digest(0),
    newRoot: digest(1),
    dataDigest: digest(2),
    withdrawalDigest: digest(3),
  };
  // The constructor checks the shape and that every word is a BabyBear element.
  void new BatchAir(inputs);
  return inputs;
}

const zeros = new Array<number>(L.WIDTH).fill(0);
const zeroPer = new Array<number>(L.PERIODIC_COUNT).fill(0);
const sink: number[] = [];
const EXTRA_ROW = rowConstraints(baseAlgebra, zeros, zeroPer, sink, 0);
const TRANSITIONS = transitionConstraints(baseAlgebra, zeros, zeros, zeroPer, sink, 0);
const ROWS = 2 * POSEIDON2_BLOCK_CONSTRAINTS + EXTRA_ROW;

function checkDigest(d: Uint32Array, what: string): void {
  if (d.length !== 8 || !d.every(isCanonical))
    throw new StarkError('INVALID_ARGUMENT', `${what} must be 8 BabyBear elements`);
}

export class BatchAir implements Air {
  readonly name: string;
  readonly traceWidth = L.WIDTH;
  readonly traceLength: number;
  readonly degree = 7;
  readonly numRowConstraints = ROWS;
  readonly numTransitionConstraints = TRANSITIONS;
  readonly segmentLength: number;

  constructor(readonly inputs: BatchPublicInputs) {
    const { depth, segments } = inputs;
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_BATCH_DEPTH)
      throw new StarkError('INVALID_ARGUMENT', `the batch AIR takes a depth of 1..${MAX_BATCH_DEPTH}`);
    if (!Number.isInteger(segments) || segments < 2 || segments > 2 ** 20 || (segments & (segments - 1)) !== 0)
      throw new StarkError('INVALID_ARGUMENT', 'the segment count must be a power of two in [2, 2^20]');
    checkDigest(inputs.oldRoot, 'the old root');
    checkDigest(inputs.newRoot, 'the new root');
    checkDigest(inputs.dataDigest, 'the data digest');
    checkDigest(inputs.withdrawalDigest, 'the withdrawal digest');
    this.name = `keel/batch/v1/depth-${depth}`;
    this.segmentLength = L.segmentLength(depth);
    this.traceLength = segments * this.segmentLength;
  }

  periodicColumns(): readonly Uint32Array[] {
    const s = this.segmentLength;
    const depth = this.inputs.depth;
    const cols = Array.from({ length: L.PERIODIC_COUNT }, () => new Uint32Array(s));
    cols[L.PER_LEAF]![0] = 1;
    for (let r = 0; r < depth; r++) {
      cols[L.PER_TO_PATH]![r] = 1;
      cols[L.PER_WEIGHT]![r] = 2 ** r;
    }
    cols[L.PER_ROOT]![depth] = 1;
    cols[L.PER_D1]![depth + 1] = 1;
    cols[L.PER_D2]![depth + 2] = 1;
    cols[L.PER_NOT_END]!.fill(1, 0, s - 1);
    return cols;
  }

  boundaryConstraints(): readonly BoundaryConstraint[] {
    const last = this.traceLength - 1;
    const out: BoundaryConstraint[] = [];
    const { oldRoot, newRoot, dataDigest, withdrawalDigest } = this.inputs;
    for (let i = 0; i < 8; i++) {
      out.push({ column: L.ROOT + i, row: 0, value: oldRoot[i]! });
      out.push({ column: L.ROOT + i, row: last, value: newRoot[i]! });
      out.push({ column: L.DATA + i, row: 0, value: 0 });
      out.push({ column: L.DATA + i, row: last, value: dataDigest[i]! });
      out.push({ column: L.WDR + i, row: 0, value: 0 });
      out.push({ column: L.WDR + i, row: last, value: withdrawalDigest[i]! });
    }
    return out;
  }

  publicInputBytes(): Uint8Array {
    return encodeBatchPublicInputs(this.inputs);
  }

  evaluate<T>(alg: Algebra<T>, cur: readonly T[], next: readonly T[], periodic: readonly T[], out: T[]): void {
    let o = poseidon2RowConstraints(alg, cur, L.BLOCK_A, out, 0);
    o = poseidon2RowConstraints(alg, cur, L.BLOCK_B, out, o);
    o = rowConstraints(alg, cur, periodic, out, o);
    transitionConstraints(alg, cur, next, periodic, out, o);
  }

  evaluateBase(cur: Uint32Array, next: Uint32Array, periodic: Uint32Array, out: Uint32Array): void {
    let o = poseidon2RowConstraintsBase(cur, L.BLOCK_A, out, 0);
    o = poseidon2RowConstraintsBase(cur, L.BLOCK_B, out, o);
    o = rowConstraintsBase(cur, periodic, out, o);
    transitionConstraintsBase(cur, next, periodic, out, o);
  }
}

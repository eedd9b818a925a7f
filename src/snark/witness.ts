// The TypeScript twin of circuits/batch.circom: replays a batch's operations on the prover's copy of the state, checks
// each against the protocol exactly as the circuit will, and produces both the circuit's input signals and every value
// the circuit computes (roots after each slot, queue chain, data digest, withdrawal root, the public input).
import { WitnessError } from './errors.ts';
import { forcedExitMessage, l1ItemHash, packScript, poseidon, verifyEdDSA } from './protocol.ts';
import type { Op, Signature } from './protocol.ts';
import { SIBLINGS_PER_LEVEL, StateTree, isEmpty, treeLevels } from './tree.ts';
import type { TreeAccount } from './tree.ts';

const TWO63 = 1n << 63n;
const MAX_NONCE = (1n << 32n) - 1n;
const sh = (v: bigint | number, bits: number): bigint => BigInt(v) << BigInt(bits);

export interface BatchShape {
  /** Operation slots of the circuit. */
  slots: number;
  /** State tree depth D in index bits (even: the tree is 4-ary, D/2 levels). */
  depth: number;
  /** Withdrawal tree depth WD. */
  withdrawalDepth: number;
}

export interface BatchHeader {
  batchNumber: number;
  chainId: number;
  queueStart: number;
  /** Q_start: the L1 queue chain value before the first consumed item. */
  queueStartHash: bigint;
}

export type SlotKind = 'transfer' | 'withdraw' | 'deposit' | 'forcedExit' | 'noop';

const SLOT_FIELDS = [
  'isTransfer',
  'isWithdraw',
  'isDeposit',
  'isForcedExit',
  'aIndex',
  'aAx',
  'aAy',
  'aBalance',
  'aNonce',
  'bIndex',
  'bAx',
  'bAy',
  'bBalance',
  'bNonce',
  'amount',
  'fee',
  'keyX',
  'keyY',
  'itemAccount',
  'itemNonce',
  'scriptLen',
  'w0',
  'w1',
  'txidHi',
  'txidLo',
  'vout',
  'l1Height',
  'r8x',
  'r8y',
  's',
] as const;
type SlotField = (typeof SLOT_FIELDS)[number];
type SlotInput = Record<SlotField, bigint> & { aSiblings: bigint[]; bSiblings: bigint[] };

/** The circuit's input signals, by name, as snarkjs takes them. */
export type CircuitInput = Record<string, bigint | bigint[] | bigint[][]>;

export interface WithdrawalOut {
  w0: bigint;
  w1: bigint;
  scriptLen: number;
  amount: bigint;
}

export interface BatchWitness {
  input: CircuitInput;
  kinds: SlotKind[];
  oldRoot: bigint;
  /** Root after each slot (before the fee credit). */
  slotRoots: bigint[];
  newRoot: bigint;
  dataDigest: bigint;
  withdrawals: WithdrawalOut[];
  withdrawalRoot: bigint;
  queueEnd: number;
  queueEndHash: bigint;
  fees: bigint;
  publicInput: bigint;
  /** The state after the batch (the prover's copy for the next one). */
  state: StateTree;
}

function halves(txid: Uint8Array): [bigint, bigint] {
  if (txid.length !== 32) throw new WitnessError('An L1 txid is 32 bytes');
  let hi = 0n;
  let lo = 0n;
  for (let i = 0; i < 16; i++) hi = (hi << 8n) | BigInt(txid[i]!);
  for (let i = 16; i < 32; i++) lo = (lo << 8n) | BigInt(txid[i]!);
  return [hi, lo];
}

function emptySlot(depth: number): SlotInput {
  const slot = Object.fromEntries(SLOT_FIELDS.map((f) => [f, 0n])) as Record<SlotField, bigint>;
  const siblings = SIBLINGS_PER_LEVEL * treeLevels(depth);
  return { ...slot, aSiblings: new Array<bigint>(siblings).fill(0n), bSiblings: new Array<bigint>(siblings).fill(0n) };
}

function sigFields(sig: Signature): Pick<SlotInput, 'r8x' | 'r8y' | 's'> {
  return { r8x: sig.R8.x, r8y: sig.R8.y, s: sig.S };
}

/** Withdrawal tree root over leaves in order (§6), as the circuit builds it. */
export function withdrawalTreeRoot(leaves: readonly bigint[], depth: number): bigint {
  if (leaves.length > 2 ** depth)
    throw new WitnessError(`${leaves.length} withdrawals exceed a tree of depth ${depth}`);
  let level = [...leaves];
  let zero = 0n;
  for (let d = 0; d < depth; d++) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(poseidon([level[i]!, level[i + 1] ?? zero]));
    level = next;
    zero = poseidon([zero, zero]);
  }
  return level[0] ?? zero;
}

export function withdrawalLeafHash(w: WithdrawalOut): bigint {
  return poseidon([w.w0, w.w1, w.amount + sh(w.scriptLen, 64)]);
}

export function batchPublicInput(v: {
  oldRoot: bigint;
  newRoot: bigint;
  dataDigest: bigint;
  withdrawalRoot: bigint;
  queueStartHash: bigint;
  queueEndHash: bigint;
  batchNumber: number;
  queueStart: number;
  queueEnd: number;
  chainId: number;
}): bigint {
  const packed = BigInt(v.batchNumber) + sh(v.queueStart, 64) + sh(v.queueEnd, 128) + sh(v.chainId, 192);
  return poseidon([v.oldRoot, v.newRoot, v.dataDigest, v.withdrawalRoot, v.queueStartHash, v.queueEndHash, packed]);
}

function reject(slot: number, message: string, details?: string): never {
  throw new WitnessError(`Slot ${slot}: ${message}`, details ? { details } : {});
}

/**
 * Builds the witness input for one batch. `state` is the prover's copy of the state at the batch's old root; it is not
 * modified (the post-state is returned). Throws WitnessError for anything the circuit would not accept.
 */
export function buildBatchWitness(
  shape: BatchShape,
  header: BatchHeader,
  state: StateTree,
  ops: readonly Op[],
): BatchWitness {
  if (state.depth !== shape.depth)
    throw new WitnessError(`State depth ${state.depth} is not the circuit's ${shape.depth}`);
  if (header.chainId < 0 || header.chainId >= 2 ** 16) throw new WitnessError('chainId must be a u16');
  const tree = state.clone();
  const oldRoot = tree.root;
  const body = ops.filter((op) => op.kind !== 'feeCredit');
  const credits = ops.filter((op) => op.kind === 'feeCredit');
  if (body.length > shape.slots) {
    throw new WitnessError(`Batch has ${body.length} operations; the circuit has ${shape.slots} slots`);
  }
  if (credits.length > 1 || (credits.length === 1 && ops[ops.length - 1]!.kind !== 'feeCredit')) {
    throw new WitnessError('The fee credit must be the last operation, once');
  }

  const slots: SlotInput[] = [];
  const kinds: SlotKind[] = [];
  const slotRoots: bigint[] = [];
  const withdrawals: WithdrawalOut[] = [];
  let queueHash = header.queueStartHash;
  let queueIndex = header.queueStart;
  let digest = 0n;
  let fees = 0n;
  const chainId = BigInt(header.chainId);

  for (let j = 0; j < shape.slots; j++) {
    const op = body[j];
    const slot = emptySlot(shape.depth);
    let digestElements: [bigint, bigint, bigint] | undefined;
    let aIndex = 0;
    let bIndex = 0;
    let newA: (a: TreeAccount) => TreeAccount = (a) => a;
    let newB: (b: TreeAccount) => TreeAccount = (b) => b;
    let kind: SlotKind = 'noop';

    if (op?.kind === 'transfer' || op?.kind === 'withdraw') {
      const tx = op.tx;
      kind = op.kind;
      aIndex = tx.from;
      const from = tree.get(tx.from);
      if (tx.amount < 0n || tx.amount >= TWO63 || tx.fee < 0n || tx.fee >= TWO63)
        reject(j, 'amount or fee out of range');
      if (BigInt(tx.nonce) !== from.nonce)
        reject(j, 'wrong nonce', `account ${tx.from} is at ${from.nonce}, got ${tx.nonce}`);
      if (from.nonce >= MAX_NONCE) reject(j, 'nonce exhausted');
      if (tx.amount + tx.fee > from.balance)
        reject(j, 'overspend', `balance ${from.balance}, spends ${tx.amount + tx.fee}`);
      let message: bigint;
      if (op.kind === 'transfer') {
        slot.isTransfer = 1n;
        bIndex = op.tx.to;
        if (bIndex === aIndex) reject(j, 'transfer to the sender');
        const to = tree.get(bIndex);
        if (isEmpty(to)) reject(j, `receiver ${bIndex} does not exist`);
        message =
          1n +
          sh(chainId, 4) +
          sh(tx.from, 20) +
          sh(op.tx.to, 52) +
          sh(from.nonce, 84) +
          sh(tx.amount, 116) +
          sh(tx.fee, 180);
        newB = (b) => {
          if (b.balance + tx.amount >= TWO63) reject(j, `receiver ${bIndex} would exceed 2^63`);
          return { ...b, balance: b.balance + tx.amount };
        };
        digestElements = [1n + sh(tx.from, 4) + sh(op.tx.to, 36) + sh(tx.amount, 68) + sh(tx.fee, 132), 0n, 0n];
      } else {
        slot.isWithdraw = 1n;
        if (tx.amount < 1n) reject(j, 'a withdrawal moves at least 1 satoshi');
        const { w0, w1, len } = packScript(op.tx.script);
        Object.assign(slot, { scriptLen: BigInt(len), w0, w1 });
        message = poseidon([
          2n +
            sh(chainId, 4) +
            sh(tx.from, 20) +
            sh(from.nonce, 52) +
            sh(tx.amount, 84) +
            sh(tx.fee, 148) +
            sh(len, 212),
          w0,
          w1,
        ]);
        withdrawals.push({ w0, w1, scriptLen: len, amount: tx.amount });
        digestElements = [2n + sh(tx.from, 4) + sh(tx.amount, 36) + sh(tx.fee, 100) + sh(len, 164), w0, w1];
      }
      if (!verifyEdDSA(message, tx.sig, { x: from.ax, y: from.ay })) reject(j, 'bad signature');
      Object.assign(slot, { amount: tx.amount, fee: tx.fee }, sigFields(tx.sig));
      fees += tx.fee;
      newA = (a) => ({ ...a, balance: a.balance - tx.amount - tx.fee, nonce: a.nonce + 1n });
    } else if (op?.kind === 'deposit') {
      kind = 'deposit';
      const item = op.item;
      if (op.queueIndex !== queueIndex) reject(j, `deposit is queue item ${op.queueIndex}, expected ${queueIndex}`);
      aIndex = op.index;
      const target = tree.get(op.index);
      if (!isEmpty(target) && (target.ax !== item.pubKey.x || target.ay !== item.pubKey.y)) {
        reject(j, `deposit to account ${op.index}, which has another key`);
      }
      if (item.amount < 1n || item.amount >= TWO63) reject(j, 'deposit amount out of range');
      const [txidHi, txidLo] = halves(item.txid);
      Object.assign(slot, {
        isDeposit: 1n,
        amount: item.amount,
        keyX: item.pubKey.x,
        keyY: item.pubKey.y,
        txidHi,
        txidLo,
        vout: BigInt(item.vout),
        l1Height: BigInt(item.l1Height),
      });
      queueHash = poseidon([queueHash, l1ItemHash(item)]);
      queueIndex++;
      newA = (a) => {
        if (a.balance + item.amount >= TWO63) reject(j, `account ${op.index} would exceed 2^63`);
        return { ax: item.pubKey.x, ay: item.pubKey.y, balance: a.balance + item.amount, nonce: a.nonce };
      };
      digestElements = [3n + sh(op.index, 4), 0n, 0n];
    } else if (op?.kind === 'forcedExit') {
      kind = 'forcedExit';
      const item = op.item;
      if (op.queueIndex !== queueIndex) reject(j, `forced exit is queue item ${op.queueIndex}, expected ${queueIndex}`);
      const inTree = item.account < 2 ** shape.depth;
      aIndex = inTree ? item.account : 0;
      const acc = tree.get(aIndex);
      const { w0, w1, len } = packScript(item.script);
      const message = forcedExitMessage(item, header.chainId);
      const applied =
        inTree &&
        !isEmpty(acc) &&
        BigInt(item.nonce) === acc.nonce &&
        acc.nonce < MAX_NONCE &&
        verifyEdDSA(message, item.sig, { x: acc.ax, y: acc.ay });
      if (applied !== op.applied)
        reject(j, `forced exit recorded as ${op.applied ? 'applied' : 'rejected'}, but it is not`);
      const [txidHi, txidLo] = halves(item.txid);
      Object.assign(
        slot,
        {
          isForcedExit: 1n,
          itemAccount: BigInt(item.account),
          itemNonce: BigInt(item.nonce),
          scriptLen: BigInt(len),
          w0,
          w1,
          txidHi,
          txidLo,
          vout: BigInt(item.vout),
          l1Height: BigInt(item.l1Height),
        },
        sigFields(item.sig),
      );
      queueHash = poseidon([queueHash, l1ItemHash(item)]);
      queueIndex++;
      if (applied) {
        withdrawals.push({ w0, w1, scriptLen: len, amount: acc.balance });
        newA = (a) => ({ ...a, balance: 0n, nonce: a.nonce + 1n });
      }
      digestElements = [4n + sh(applied ? 1 : 0, 4), 0n, 0n];
    }

    // Account A, then account B against the intermediate root: the order the circuit hashes them in.
    const a = tree.get(aIndex);
    Object.assign(slot, { aIndex: BigInt(aIndex), aAx: a.ax, aAy: a.ay, aBalance: a.balance, aNonce: a.nonce });
    slot.aSiblings = tree.siblings(aIndex);
    tree.set(aIndex, newA(a));
    const b = tree.get(bIndex);
    Object.assign(slot, { bIndex: BigInt(bIndex), bAx: b.ax, bAy: b.ay, bBalance: b.balance, bNonce: b.nonce });
    slot.bSiblings = tree.siblings(bIndex);
    tree.set(bIndex, newB(b));
    if (digestElements) digest = poseidon([digest, ...digestElements]);
    slots.push(slot);
    kinds.push(kind);
    slotRoots.push(tree.root);
  }

  // The fee credit closes the batch (§7).
  const credit = credits[0];
  if (credit?.kind === 'feeCredit' && credit.amount !== fees) {
    throw new WitnessError(`Fee credit of ${credit.amount} does not match the batch fees ${fees}`);
  }
  const feeAccount = tree.get(0);
  if (isEmpty(feeAccount) && fees > 0n) throw new WitnessError('The fee account does not exist');
  const feeSiblings = tree.siblings(0);
  if (feeAccount.balance + fees >= TWO63) throw new WitnessError('The fee account would exceed 2^63');
  tree.set(0, { ...feeAccount, balance: feeAccount.balance + fees });

  if (withdrawals.length > 2 ** shape.withdrawalDepth) throw new WitnessError('Too many withdrawals for the tree');
  const withdrawalRoot = withdrawalTreeRoot(withdrawals.map(withdrawalLeafHash), shape.withdrawalDepth);
  const newRoot = tree.root;
  const publicInput = batchPublicInput({
    oldRoot,
    newRoot,
    dataDigest: digest,
    withdrawalRoot,
    queueStartHash: header.queueStartHash,
    queueEndHash: queueHash,
    batchNumber: header.batchNumber,
    queueStart: header.queueStart,
    queueEnd: queueIndex,
    chainId: header.chainId,
  });

  const input: CircuitInput = {
    oldRoot,
    batchNumber: BigInt(header.batchNumber),
    chainId,
    queueStart: BigInt(header.queueStart),
    queueStartHash: header.queueStartHash,
    feeAx: feeAccount.ax,
    feeAy: feeAccount.ay,
    feeBalance: feeAccount.balance,
    feeNonce: feeAccount.nonce,
    feeSiblings,
  };
  for (const field of SLOT_FIELDS) input[field] = slots.map((s) => s[field]);
  input['aSiblings'] = slots.map((s) => s.aSiblings);
  input['bSiblings'] = slots.map((s) => s.bSiblings);

  return {
    input,
    kinds,
    oldRoot,
    slotRoots,
    newRoot,
    dataDigest: digest,
    withdrawals,
    withdrawalRoot,
    queueEnd: queueIndex,
    queueEndHash: queueHash,
    fees,
    publicInput,
    state: tree,
  };
}

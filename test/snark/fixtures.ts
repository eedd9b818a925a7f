// Batches built with the rollup's own wallet and state-machine code, for the SNARK tests.
import { getPublicKey, signForcedExit, signTransfer, signWithdraw } from '../../src/rollup/index.ts';
import type { DepositItem, Op } from '../../src/rollup/index.ts';
import { StateTree } from '../../src/snark/tree.ts';
import type { BatchShape } from '../../src/snark/witness.ts';

export const CHAIN_ID = 3;

export function key(seed: number): { privateKey: Uint8Array; ax: bigint; ay: bigint } {
  const privateKey = new Uint8Array(32).fill(seed & 0xff);
  privateKey[0] = 0x4b;
  const A = getPublicKey(privateKey);
  return { privateKey, ax: A.x, ay: A.y };
}

export function txid(seed: number): Uint8Array {
  return new Uint8Array(32).map((_, i) => (seed * 31 + i * 7) & 0xff);
}

export const P2WPKH = new Uint8Array([0x00, 0x14, ...new Array<number>(20).fill(0xab)]);

/** Genesis-like state: fee account 0 (operator) plus accounts 1..count-1 funded with `balance`. */
export function genesis(depth: number, count: number, balance: bigint): StateTree {
  const entries: Array<[number, { ax: bigint; ay: bigint; balance: bigint; nonce: bigint }]> = [];
  for (let i = 0; i < count; i++) {
    const k = key(i + 1);
    entries.push([i, { ax: k.ax, ay: k.ay, balance: i === 0 ? 0n : balance, nonce: 0n }]);
  }
  return new StateTree(depth, entries);
}

export function deposit(queueIndex: number, index: number, seed: number, amount: bigint): Op {
  const k = key(seed);
  const item: DepositItem = {
    type: 'deposit',
    txid: txid(queueIndex + 100),
    vout: 1,
    l1Height: 200 + queueIndex,
    pubKey: { x: k.ax, y: k.ay },
    amount,
  };
  return { kind: 'deposit', queueIndex, item, index };
}

export function transfer(from: number, to: number, amount: bigint, fee: bigint, nonce: number): Op {
  return { kind: 'transfer', tx: signTransfer(key(from + 1).privateKey, { from, to, amount, fee, nonce }, CHAIN_ID) };
}

export function withdraw(from: number, amount: bigint, fee: bigint, nonce: number): Op {
  return {
    kind: 'withdraw',
    tx: signWithdraw(key(from + 1).privateKey, { from, script: P2WPKH, amount, fee, nonce }, CHAIN_ID),
  };
}

export function forcedExit(
  queueIndex: number,
  account: number,
  nonce: number,
  applied: boolean,
  signer = account + 1,
): Op {
  const item = signForcedExit(
    key(signer).privateKey,
    { txid: txid(queueIndex + 300), vout: 0, l1Height: 200 + queueIndex, account, nonce, script: P2WPKH },
    CHAIN_ID,
  );
  return { kind: 'forcedExit', queueIndex, item, applied };
}

export const SMALL: BatchShape = { slots: 4, depth: 4, withdrawalDepth: 12 };

import {
  L1Queue,
  Overlay,
  State,
  dataDigest,
  publicInput as rollupPublicInput,
  replayOp,
  toDaOp,
  withdrawalRoot,
} from '../../src/rollup/index.ts';
import type { BatchOutput, DaOp, L1Item, Withdrawal } from '../../src/rollup/index.ts';

export interface RollupReference {
  oldRoot: bigint;
  newRoot: bigint;
  dataDigest: bigint;
  withdrawalRoot: bigint;
  queueEnd: number;
  queueEndHash: bigint;
  publicInput: bigint;
  /** The batch output as the rollup node would hand it to a prover. */
  output: BatchOutput;
}

/**
 * Runs a batch through the rollup's own state machine (State, replayOp, L1Queue, dataDigest, withdrawalRoot,
 * publicInput): the reference the circuit and its twin must agree with. Throws what the rollup throws.
 */
export function rollupReference(
  tree: StateTree,
  ops: readonly Op[],
  header: { batchNumber: number; queueStart: number; items: readonly L1Item[] },
  withdrawalDepth: number,
): RollupReference {
  const state = new State(tree.depth);
  const load = new Map(
    tree.entries().map(([i, a]) => [i, { ax: a.ax, ay: a.ay, balance: a.balance, nonce: Number(a.nonce) }]),
  );
  state.commit(load);
  const oldRoot = state.roots[0]!;
  const queue = new L1Queue();
  for (const item of header.items) queue.push(item);
  const overlay = new Overlay(state);
  const withdrawals: Withdrawal[] = [];
  let consumed = header.queueStart;
  for (const op of ops) {
    const applied = replayOp(op, overlay, { chainId: CHAIN_ID, depth: tree.depth, verifySignatures: true });
    if (applied.withdrawal) withdrawals.push(applied.withdrawal);
    if (op.kind === 'deposit' || op.kind === 'forcedExit') consumed++;
  }
  state.commit(overlay.changes);
  const da = ops.map(toDaOp).filter((x): x is DaOp => x !== undefined);
  const partial = {
    batchNumber: header.batchNumber,
    chainId: CHAIN_ID,
    firstBlock: 1,
    lastBlock: 1,
    oldRoots: [oldRoot],
    newRoots: [state.roots[0]!],
    dataDigest: dataDigest(da),
    withdrawalRoot: withdrawalRoot(withdrawals, withdrawalDepth),
    withdrawals,
    queueStart: header.queueStart,
    queueEnd: consumed,
    queueHashStart: queue.chainAt(header.queueStart),
    queueHashEnd: queue.chainAt(consumed),
    data: new Uint8Array(),
  };
  return {
    oldRoot,
    newRoot: partial.newRoots[0]!,
    dataDigest: partial.dataDigest,
    withdrawalRoot: partial.withdrawalRoot,
    queueEnd: consumed,
    queueEndHash: partial.queueHashEnd,
    publicInput: rollupPublicInput(partial),
    output: { ...partial, publicInput: rollupPublicInput(partial) },
  };
}

/** The L1 items a list of operations consumes, in queue order. */
export function itemsOf(ops: readonly Op[]): L1Item[] {
  const items: L1Item[] = [];
  for (const op of ops) if (op.kind === 'deposit' || op.kind === 'forcedExit') items[op.queueIndex] = op.item;
  return items;
}

/** A small deterministic PRNG (xorshift) so random batches are reproducible by seed. */
export function rng(seed: number): (n: number) => number {
  let x = seed | 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** A random valid batch of up to `slots` operations over `tree` (not modified), queue items numbered from 0. */
export function randomBatch(tree: StateTree, slots: number, seed: number): Op[] {
  const r = rng(seed);
  const state = tree.clone();
  const ops: Op[] = [];
  let queueIndex = 0;
  let fees = 0n;
  const count = 1 + r(slots);
  const live = (): number[] =>
    state
      .entries()
      .filter(([, a]) => a.ax !== 0n)
      .map(([i]) => i);
  for (let k = 0; k < count; k++) {
    const kind = r(5);
    const accounts = live().filter((i) => i !== 0);
    if (kind === 0 || accounts.length < 2) {
      const index = accounts.length > 0 && r(2) === 0 ? accounts[r(accounts.length)]! : state.entries().length;
      if (index >= 2 ** state.depth) continue;
      // Every account's key is key(index + 1), in genesis and when a deposit creates it.
      const seedKey = index + 1;
      const amount = BigInt(1 + r(1_000_000));
      const op = deposit(queueIndex++, index, seedKey, amount);
      const a = state.get(index);
      const k = key(seedKey);
      state.set(index, { ax: k.ax, ay: k.ay, balance: a.balance + amount, nonce: a.nonce });
      ops.push(op);
    } else if (kind === 1 || kind === 2) {
      const from = accounts[r(accounts.length)]!;
      const to = accounts.filter((i) => i !== from)[r(accounts.length - 1)]!;
      const a = state.get(from);
      if (a.balance < 2n) continue;
      const amount = BigInt(r(Number(a.balance / 2n)));
      const fee = BigInt(r(50));
      if (amount + fee > a.balance) continue;
      ops.push(transfer(from, to, amount, fee, Number(a.nonce)));
      state.set(from, { ...a, balance: a.balance - amount - fee, nonce: a.nonce + 1n });
      const b = state.get(to);
      state.set(to, { ...b, balance: b.balance + amount });
      fees += fee;
    } else if (kind === 3) {
      const from = accounts[r(accounts.length)]!;
      const a = state.get(from);
      if (a.balance < 3n) continue;
      const amount = 1n + BigInt(r(Number(a.balance / 2n)));
      const fee = BigInt(r(2));
      ops.push(withdraw(from, amount, fee, Number(a.nonce)));
      state.set(from, { ...a, balance: a.balance - amount - fee, nonce: a.nonce + 1n });
      fees += fee;
    } else {
      const account = accounts[r(accounts.length)]!;
      const a = state.get(account);
      const honest = r(2) === 0;
      const op = forcedExit(queueIndex++, account, Number(a.nonce) + (honest ? 0 : 1), honest);
      if (honest) state.set(account, { ...a, balance: 0n, nonce: a.nonce + 1n });
      ops.push(op);
    }
  }
  ops.push({ kind: 'feeCredit', amount: fees });
  return ops;
}

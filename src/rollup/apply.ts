import { verify } from './crypto/eddsa.ts';
import { fail } from './errors.ts';
import { FEE_ACCOUNT, MAX_AMOUNT, MAX_NONCE, isEmptyAccount } from './state/account.ts';
import type { AccountReader } from './state/state.ts';
import type { Overlay } from './state/state.ts';
import { forcedExitMessage, transferMessage, withdrawMessage } from './tx/message.ts';
import { MAX_SCRIPT_BYTES } from './tx/types.ts';
import type { DepositItem, ForcedExitItem, L2Transaction, Op } from './tx/types.ts';
import type { UnsignedFields } from './tx/encoding.ts';

/** A withdrawal leaf (protocol §6): where the BTC goes and how much. */
export type Withdrawal = { script: Uint8Array; amount: bigint };

export function signedMessage(tx: UnsignedFields, chainId: number): bigint {
  return tx.type === 'transfer' ? transferMessage(tx, chainId) : withdrawMessage(tx, chainId);
}

/** Stateless checks: ranges and shapes (protocol §4), before anything touches the state. */
export function checkShape(tx: UnsignedFields, depth: number): void {
  const cap = 2 ** depth;
  if (!Number.isInteger(tx.from) || tx.from < 0 || tx.from >= cap)
    fail('UNKNOWN_ACCOUNT', `account ${tx.from} is outside the tree`);
  if (tx.amount < 0n || tx.amount > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', 'amount must be below 2^63');
  if (tx.fee < 0n || tx.fee > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', 'fee must be below 2^63');
  if (tx.type === 'transfer') {
    if (!Number.isInteger(tx.to) || tx.to < 0 || tx.to >= cap)
      fail('UNKNOWN_ACCOUNT', `account ${tx.to} is outside the tree`);
    if (tx.to === tx.from) fail('INVALID_PARAMETER', 'a transfer needs two different accounts');
  } else {
    if (tx.amount < 1n) fail('INVALID_PARAMETER', 'a withdrawal must move at least 1 satoshi');
    if (tx.script.length < 1 || tx.script.length > MAX_SCRIPT_BYTES)
      fail('INVALID_PARAMETER', 'script must be 1..42 bytes');
  }
}

/**
 * State checks of an L2 transaction against `state` with `expectedNonce` (the account nonce, or the next one when
 * earlier transactions of the account are queued) and `spent` (what those earlier queued ones already take).
 */
export function checkAgainstState(
  tx: UnsignedFields,
  state: AccountReader,
  expectedNonce: number,
  spent: bigint = 0n,
): void {
  const sender = state.getAccount(tx.from);
  if (isEmptyAccount(sender)) fail('UNKNOWN_ACCOUNT', `account ${tx.from} does not exist`);
  if (tx.nonce !== expectedNonce)
    fail('WRONG_NONCE', `nonce ${tx.nonce} is not the next one`, `expected ${expectedNonce} for account ${tx.from}`);
  if (tx.nonce >= MAX_NONCE) fail('WRONG_NONCE', 'the account nonce is exhausted');
  const cost = tx.amount + tx.fee;
  if (cost > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', 'amount + fee must be below 2^63');
  if (cost + spent > sender.balance)
    fail(
      'INSUFFICIENT_BALANCE',
      `account ${tx.from} cannot pay ${cost}`,
      `balance ${sender.balance}, already queued ${spent}`,
    );
  if (tx.type === 'transfer') {
    const receiver = state.getAccount(tx.to);
    if (isEmptyAccount(receiver)) fail('UNKNOWN_ACCOUNT', `account ${tx.to} does not exist`);
    if (receiver.balance + tx.amount > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', `account ${tx.to} would exceed 2^63`);
  }
}

/** Result of applying an operation: the fee it pays and the withdrawal it creates, if any. */
export type Applied = { fee: bigint; withdrawal?: Withdrawal };

/** Applies an already-verified L2 transaction; throws (and changes nothing) if it is not valid now. */
export function applyTransaction(tx: L2Transaction, overlay: Overlay): Applied {
  const sender = overlay.getAccount(tx.from);
  checkAgainstState(tx, overlay, sender.nonce);
  overlay.setAccount(tx.from, { ...sender, balance: sender.balance - tx.amount - tx.fee, nonce: sender.nonce + 1 });
  if (tx.type === 'transfer') {
    const receiver = overlay.getAccount(tx.to);
    overlay.setAccount(tx.to, { ...receiver, balance: receiver.balance + tx.amount });
    return { fee: tx.fee };
  }
  return { fee: tx.fee, withdrawal: { script: tx.script, amount: tx.amount } };
}

export function applyDeposit(item: DepositItem, index: number, overlay: Overlay): void {
  const acc = overlay.getAccount(index);
  if (!isEmptyAccount(acc) && (acc.ax !== item.pubKey.x || acc.ay !== item.pubKey.y))
    fail('INVALID_PARAMETER', `deposit to account ${index}, which belongs to another key`);
  if (acc.balance + item.amount > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', `account ${index} would exceed 2^63`);
  overlay.setAccount(index, {
    ax: item.pubKey.x,
    ay: item.pubKey.y,
    balance: acc.balance + item.amount,
    nonce: acc.nonce,
  });
}

/** Protocol §5.3: whether a forced exit is applied now. */
export function forcedExitApplies(item: ForcedExitItem, state: AccountReader, depth: number, chainId: number): boolean {
  if (item.account >= 2 ** depth) return false;
  const acc = state.getAccount(item.account);
  if (isEmptyAccount(acc) || acc.nonce !== item.nonce || acc.nonce >= MAX_NONCE) return false;
  return verify(forcedExitMessage(item, chainId), item.sig, { x: acc.ax, y: acc.ay });
}

export function applyForcedExit(item: ForcedExitItem, overlay: Overlay): Withdrawal {
  const acc = overlay.getAccount(item.account);
  overlay.setAccount(item.account, { ...acc, balance: 0n, nonce: acc.nonce + 1 });
  return { script: item.script, amount: acc.balance };
}

export function applyFeeCredit(amount: bigint, overlay: Overlay): void {
  const acc = overlay.getAccount(FEE_ACCOUNT);
  if (acc.balance + amount > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', 'the fee account would exceed 2^63');
  overlay.setAccount(FEE_ACCOUNT, { ...acc, balance: acc.balance + amount });
}

/**
 * Re-applies a recorded operation (replay from storage or from Bitcoin). Signatures of L2 transactions are checked
 * only when `verifySignatures` is set: blocks written by this node contain verified transactions.
 */
export function replayOp(
  op: Op,
  overlay: Overlay,
  opts: { chainId: number; depth: number; verifySignatures: boolean },
): Applied {
  switch (op.kind) {
    case 'transfer':
    case 'withdraw': {
      if (opts.verifySignatures) {
        const acc = overlay.getAccount(op.tx.from);
        if (!verify(signedMessage(op.tx, opts.chainId), op.tx.sig, { x: acc.ax, y: acc.ay }))
          fail('BAD_SIGNATURE', `bad signature in recorded ${op.kind}`);
      }
      checkShape(op.tx, opts.depth);
      return applyTransaction(op.tx, overlay);
    }
    case 'deposit':
      applyDeposit(op.item, op.index, overlay);
      return { fee: 0n };
    case 'forcedExit': {
      const applies = forcedExitApplies(op.item, overlay, opts.depth, opts.chainId);
      if (applies !== op.applied) fail('INVALID_PARAMETER', 'recorded forced exit outcome does not match the state');
      return applies ? { fee: 0n, withdrawal: applyForcedExit(op.item, overlay) } : { fee: 0n };
    }
    case 'feeCredit':
      applyFeeCredit(op.amount, overlay);
      return { fee: 0n };
  }
}

import { hash } from 'node:crypto';
import { packPoint, unpackPoint } from '../crypto/babyjub.ts';
import { decodeSignature, encodeSignature } from '../crypto/eddsa.ts';
import type { Signature } from '../crypto/eddsa.ts';
import { fail } from '../errors.ts';
import { MAX_AMOUNT, MAX_NONCE } from '../state/account.ts';
import { Reader, Writer } from './bytes.ts';
import { MAX_SCRIPT_BYTES } from './types.ts';
import type { DepositItem, ForcedExitItem, L1Item, L2Transaction, Transfer, Withdraw } from './types.ts';

/** Protocol §4 canonical encodings. */
export const TAG = { transfer: 0x01, withdraw: 0x02, deposit: 0x03, forcedExit: 0x04 } as const;
/** Largest canonical L2 transaction (a withdraw with a 42-byte script); bigger requests are refused unread. */
export const MAX_TX_BYTES = 1 + 4 + 8 + 8 + 4 + 1 + MAX_SCRIPT_BYTES + 64;

function checkAmount(v: bigint, what: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', `${what} must be below 2^63`);
}
function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_NONCE) fail('INVALID_PARAMETER', `${what} must be a u32`);
}
function readSig(r: Reader, what: string): Signature {
  const sig = decodeSignature(r.bytes(64));
  if (!sig) fail('MALFORMED_ENCODING', `${what}: signature is not a valid point and scalar`);
  return sig;
}
function readScript(r: Reader, what: string): Uint8Array {
  const len = r.u8();
  if (len < 1 || len > MAX_SCRIPT_BYTES) fail('MALFORMED_ENCODING', `${what}: script length ${len} not in 1..42`);
  return r.bytes(len);
}
function readAmount(r: Reader, what: string): bigint {
  const v = r.u64();
  if (v > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', `${what} must be below 2^63`);
  return v;
}

export function encodeTransaction(tx: L2Transaction): Uint8Array {
  checkAmount(tx.amount, 'amount');
  checkAmount(tx.fee, 'fee');
  checkU32(tx.from, 'from');
  checkU32(tx.nonce, 'nonce');
  const w = new Writer();
  if (tx.type === 'transfer') {
    checkU32(tx.to, 'to');
    w.u8(TAG.transfer).u32(tx.from).u32(tx.to).u64(tx.amount).u64(tx.fee).u32(tx.nonce);
  } else {
    if (tx.script.length < 1 || tx.script.length > MAX_SCRIPT_BYTES)
      fail('INVALID_PARAMETER', 'script must be 1..42 bytes');
    w.u8(TAG.withdraw).u32(tx.from).u64(tx.amount).u64(tx.fee).u32(tx.nonce).u8(tx.script.length).bytes(tx.script);
  }
  return w.bytes(encodeSignature(tx.sig)).finish();
}

/** An L2 transaction whose signature is still bytes (unpacking R8 costs a square root; workers do it). */
export type UnsignedFields = Omit<Transfer, 'sig'> | Omit<Withdraw, 'sig'>;

/** Decodes everything but the signature point; every other check of `decodeTransaction` applies. */
export function parseTransaction(bytes: Uint8Array): { fields: UnsignedFields; sigBytes: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) fail('MALFORMED_ENCODING', 'transaction must be bytes');
  if (bytes.length > MAX_TX_BYTES) fail('OVERSIZED', `transaction is ${bytes.length} bytes, at most ${MAX_TX_BYTES}`);
  const r = new Reader(bytes, 'transaction');
  const tag = r.u8();
  let fields: UnsignedFields;
  if (tag === TAG.transfer) {
    const from = r.u32();
    const to = r.u32();
    const amount = readAmount(r, 'amount');
    const fee = readAmount(r, 'fee');
    fields = { type: 'transfer', from, to, amount, fee, nonce: r.u32() };
  } else if (tag === TAG.withdraw) {
    const from = r.u32();
    const amount = readAmount(r, 'amount');
    const fee = readAmount(r, 'fee');
    const nonce = r.u32();
    fields = { type: 'withdraw', from, script: readScript(r, 'withdraw'), amount, fee, nonce };
  } else {
    fail('MALFORMED_ENCODING', `unknown transaction type 0x${tag.toString(16)}`);
  }
  const sigBytes = r.bytes(64);
  r.end();
  return { fields, sigBytes };
}

export function withSignature(fields: UnsignedFields, sig: Signature): L2Transaction {
  // Written out rather than spread: spreading gave every transaction its own hidden class (a heap snapshot of the
  // sequencer held one per transaction), which costs memory and makes every access to a transaction megamorphic.
  const { from, amount, fee, nonce } = fields;
  return fields.type === 'transfer'
    ? { type: 'transfer', from, to: fields.to, amount, fee, nonce, sig }
    : { type: 'withdraw', from, script: fields.script, amount, fee, nonce, sig };
}

export function decodeTransaction(bytes: Uint8Array): L2Transaction {
  const { fields, sigBytes } = parseTransaction(bytes);
  const sig = decodeSignature(sigBytes);
  if (!sig) fail('MALFORMED_ENCODING', `${fields.type}: signature is not a valid point and scalar`);
  return withSignature(fields, sig);
}

export function encodeL1Item(item: L1Item): Uint8Array {
  if (item.txid.length !== 32) fail('INVALID_PARAMETER', 'txid must be 32 bytes');
  checkU32(item.vout, 'vout');
  checkU32(item.l1Height, 'l1Height');
  const w = new Writer();
  if (item.type === 'deposit') {
    checkAmount(item.amount, 'amount');
    if (item.amount < 1n) fail('INVALID_PARAMETER', 'a deposit must carry at least 1 satoshi');
    return w
      .u8(TAG.deposit)
      .bytes(item.txid)
      .u32(item.vout)
      .u32(item.l1Height)
      .bytes(packPoint(item.pubKey))
      .u64(item.amount)
      .finish();
  }
  checkU32(item.account, 'account');
  checkU32(item.nonce, 'nonce');
  if (item.script.length < 1 || item.script.length > MAX_SCRIPT_BYTES)
    fail('INVALID_PARAMETER', 'script must be 1..42 bytes');
  w.u8(TAG.forcedExit).bytes(item.txid).u32(item.vout).u32(item.l1Height).u32(item.account).u32(item.nonce);
  return w.u8(item.script.length).bytes(item.script).bytes(encodeSignature(item.sig)).finish();
}

export function decodeL1Item(bytes: Uint8Array): L1Item {
  const r = new Reader(bytes, 'L1 queue item');
  const tag = r.u8();
  let item: DepositItem | ForcedExitItem;
  if (tag === TAG.deposit) {
    const txid = r.bytes(32);
    const vout = r.u32();
    const l1Height = r.u32();
    const pubKey = unpackPoint(r.bytes(32));
    if (!pubKey) fail('MALFORMED_ENCODING', 'deposit: public key is not a curve point');
    const amount = readAmount(r, 'amount');
    item = { type: 'deposit', txid, vout, l1Height, pubKey, amount };
  } else if (tag === TAG.forcedExit) {
    const txid = r.bytes(32);
    const vout = r.u32();
    const l1Height = r.u32();
    const account = r.u32();
    const nonce = r.u32();
    const script = readScript(r, 'forced exit');
    item = { type: 'forcedExit', txid, vout, l1Height, account, nonce, script, sig: readSig(r, 'forced exit') };
  } else {
    fail('MALFORMED_ENCODING', `unknown L1 item type 0x${tag.toString(16)}`);
  }
  r.end();
  return item;
}

/** Protocol §4.5: txid = SHA-256(canonical encoding), shown as hex. */
export function transactionId(tx: L2Transaction | Uint8Array): string {
  // node:crypto's one-shot SHA-256 rather than noble's: this runs for every submission and is eight times as fast.
  return hash('sha256', tx instanceof Uint8Array ? tx : encodeTransaction(tx), 'hex');
}

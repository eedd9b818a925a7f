import { encodeTransaction } from './transaction.ts';
import type { Transaction } from './transaction.ts';
import { BaseError } from '../../shared/index.ts';

export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;
export const MAX_BLOCK_WEIGHT = 4_000_000;

/** Core's context-free CheckTransaction failures, named by Core's reject reasons. */
export type TxCheckCode =
  | 'bad-txns-vin-empty'
  | 'bad-txns-vout-empty'
  | 'bad-txns-oversize'
  | 'bad-txns-vout-negative'
  | 'bad-txns-vout-toolarge'
  | 'bad-txns-txouttotal-toolarge'
  | 'bad-txns-inputs-duplicate'
  | 'bad-cb-length'
  | 'bad-txns-prevout-null';

export class TxCheckError extends BaseError {
  override name = 'TxCheckError';
  readonly code: TxCheckCode;
  constructor(code: TxCheckCode, details?: string) {
    super(`invalid transaction: ${code}`, { details });
    this.code = code;
  }
}

export function isNullPrevout(txid: Uint8Array, vout: number): boolean {
  if (vout !== 0xffffffff) return false;
  for (let i = 0; i < 32; i++) if (txid[i] !== 0) return false;
  return true;
}

export function isCoinbase(tx: Transaction): boolean {
  return tx.inputs.length === 1 && isNullPrevout(tx.inputs[0].txid, tx.inputs[0].vout);
}

/** Core's CheckTransaction: rules that need no chain context. Throws TxCheckError. */
export function checkTransaction(tx: Transaction): void {
  if (tx.inputs.length === 0) throw new TxCheckError('bad-txns-vin-empty');
  if (tx.outputs.length === 0) throw new TxCheckError('bad-txns-vout-empty');
  if (encodeTransaction(tx, { witness: false }).length * 4 > MAX_BLOCK_WEIGHT)
    throw new TxCheckError('bad-txns-oversize');
  let total = 0n;
  for (const output of tx.outputs) {
    if (output.value < 0n) throw new TxCheckError('bad-txns-vout-negative');
    if (output.value > MAX_MONEY) throw new TxCheckError('bad-txns-vout-toolarge');
    total += output.value;
    if (total > MAX_MONEY) throw new TxCheckError('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = `${Buffer.from(input.txid.buffer, input.txid.byteOffset, 32).toString('hex')}:${input.vout}`;
    if (seen.has(key)) throw new TxCheckError('bad-txns-inputs-duplicate');
    seen.add(key);
  }
  if (isCoinbase(tx)) {
    const len = tx.inputs[0].scriptSig.length;
    if (len < 2 || len > 100) throw new TxCheckError('bad-cb-length');
  } else {
    for (const input of tx.inputs)
      if (isNullPrevout(input.txid, input.vout)) throw new TxCheckError('bad-txns-prevout-null');
  }
}

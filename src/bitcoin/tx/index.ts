export type { Transaction, TxInput, TxOutput } from './transaction.ts';
export { decodeTransaction, encodeTransaction, hasWitness, assertTransaction } from './transaction.ts';
export { hash256, txid, wtxid, txidHex, wtxidHex, hashToHex, weight, vsize, WITNESS_SCALE_FACTOR } from './hash.ts';
export { TxError } from './errors.ts';
export type { TxErrorCode } from './errors.ts';
export { ByteReader, ByteWriter, MAX_SIZE } from './bytes.ts';
export {
  checkTransaction,
  isCoinbase,
  isNullPrevout,
  TxCheckError,
  COIN,
  MAX_MONEY,
  MAX_BLOCK_WEIGHT,
} from './check.ts';
export type { TxCheckCode } from './check.ts';
export {
  isFinalTx,
  sequenceLocks,
  checkSequenceLocks,
  LOCKTIME_THRESHOLD,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_GRANULARITY,
} from './locks.ts';
export type { SequenceLocks } from './locks.ts';

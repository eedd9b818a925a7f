import { BaseError } from '../../shared/index.ts';

/** Why a transaction could not be decoded or is malformed (consensus serialization). */
export type TxErrorCode =
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'BAD_COMPACT_SIZE'
  | 'COUNT_TOO_LARGE'
  | 'BAD_WITNESS_FLAG'
  | 'SUPERFLUOUS_WITNESS'
  | 'BAD_VALUE'
  | 'BAD_FIELD';

export class TxError extends BaseError {
  override name = 'TxError';
  readonly code: TxErrorCode;
  constructor(code: TxErrorCode, details?: string) {
    super(`transaction: ${code}`, { details });
    this.code = code;
  }
}

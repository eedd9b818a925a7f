import { BaseError } from '../shared/index.ts';

/**
 * Stable error codes of the rollup. The JSON-RPC layer maps each to a fixed JSON-RPC code, so the strings
 * never change meaning once released.
 */
export const RollupErrorCode = {
  MalformedEncoding: 'MALFORMED_ENCODING',
  BadSignature: 'BAD_SIGNATURE',
  WrongNonce: 'WRONG_NONCE',
  InsufficientBalance: 'INSUFFICIENT_BALANCE',
  AmountOverflow: 'AMOUNT_OVERFLOW',
  UnknownAccount: 'UNKNOWN_ACCOUNT',
  Duplicate: 'DUPLICATE',
  ReplacementUnderpriced: 'REPLACEMENT_UNDERPRICED',
  MempoolFull: 'MEMPOOL_FULL',
  AccountLimit: 'ACCOUNT_LIMIT',
  Oversized: 'OVERSIZED',
  InvalidParameter: 'INVALID_PARAMETER',
  TreeFull: 'TREE_FULL',
  QueueOrder: 'QUEUE_ORDER',
  ForcedInclusion: 'FORCED_INCLUSION',
  Storage: 'STORAGE',
  Closed: 'CLOSED',
  Unavailable: 'UNAVAILABLE',
} as const;
export type RollupErrorCode = (typeof RollupErrorCode)[keyof typeof RollupErrorCode];

export class RollupError extends BaseError {
  override name = 'RollupError';
  readonly code: RollupErrorCode;
  constructor(code: RollupErrorCode, shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(shortMessage, options);
    this.code = code;
  }
}

export function fail(code: RollupErrorCode, message: string, details?: string): never {
  throw new RollupError(code, message, details === undefined ? {} : { details });
}

import { BaseError } from '../shared/index.ts';

/** Stable codes so callers (the node, the CLI, logs) can tell failures apart without parsing messages. */
export type AnchorErrorCode =
  | 'MALFORMED_HEADER'
  | 'MALFORMED_PAYLOAD'
  | 'MALFORMED_ENVELOPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INSUFFICIENT_FUNDS'
  | 'INVALID_PARAMETER'
  | 'BROADCAST_FAILED'
  | 'CLOSED';

export class AnchorError extends BaseError {
  override name = 'AnchorError';
  readonly code: AnchorErrorCode;
  constructor(code: AnchorErrorCode, shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(shortMessage, options);
    this.code = code;
  }
}

export function fail(code: AnchorErrorCode, message: string, details?: string): never {
  throw new AnchorError(code, message, { details });
}

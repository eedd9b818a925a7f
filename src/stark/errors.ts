/**
 * The STARK library's only error type. It carries a stable `code` so callers (and tests) can tell
 * "the proof is wrong" from "the input was malformed" without parsing messages. The library stays
 * free of the rest of Keel, so it extends `Error` directly instead of Keel's `BaseError`.
 */
export type StarkErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_TRACE'
  | 'MALFORMED_PROOF'
  | 'UNSUPPORTED_VERSION'
  | 'INSUFFICIENT_SECURITY'
  | 'PARAMETER_MISMATCH'
  | 'VERIFICATION_FAILED';

export class StarkError extends Error {
  override name = 'StarkError';
  readonly code: StarkErrorCode;
  readonly details: string | undefined;

  constructor(code: StarkErrorCode, message: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${message}\n\nDetails: ${options.details}` : message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

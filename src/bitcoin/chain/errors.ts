import { BaseError } from '../../shared/index.ts';

/**
 * A block or transaction broke a consensus rule. `reason` is Bitcoin Core's reject reason (for example
 * `bad-txnmrklroot`, `bad-txns-inputs-missingorspent`), so callers and RPC answers match Core's.
 */
export class ValidationError extends BaseError {
  override name = 'ValidationError';
  readonly reason: string;
  constructor(reason: string, details?: string, cause?: unknown) {
    super(reason, { details, cause });
    this.reason = reason;
  }
  /** Core's "reason, debug message" form (CValidationState::ToString). */
  toRejectString(): string {
    return this.details ? `${this.reason}, ${this.details}` : this.reason;
  }
}

/** A request the chain cannot serve (unknown block, bad argument), as opposed to invalid data. */
export class ChainError extends BaseError {
  override name = 'ChainError';
}

import { BaseError } from '../../shared/index.ts';

/** Why the mempool refused a transaction; `reason` is Bitcoin Core's reject reason. */
export type RejectKind = 'invalid' | 'missing-inputs' | 'already-in-chain' | 'already-in-mempool';

export class MempoolRejectError extends BaseError {
  override name = 'MempoolRejectError';
  readonly reason: string;
  readonly kind: RejectKind;
  constructor(reason: string, options: { details?: string; kind?: RejectKind; cause?: unknown } = {}) {
    super(reason, { details: options.details, cause: options.cause });
    this.reason = reason;
    this.kind = options.kind ?? 'invalid';
  }
  /** Core's "reason, debug" form used in RPC error messages. */
  toRejectString(): string {
    return this.details ? `${this.reason}, ${this.details}` : this.reason;
  }
}

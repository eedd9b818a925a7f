import { BaseError } from '../../shared/index.ts';

/** The node answered with a JSON-RPC error; `code` is Core's (e.g. -26 rejected, -25 missing inputs). */
export class RpcRequestError extends BaseError {
  override name = 'RpcRequestError';
  readonly code: number;
  readonly method: string;
  constructor(method: string, code: number, message: string) {
    super(message, { details: `${method} failed with code ${code}` });
    this.code = code;
    this.method = method;
  }
}

/** The request did not get a JSON-RPC answer (network, HTTP status without a JSON body, bad credentials). */
export class TransportError extends BaseError {
  override name = 'TransportError';
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; details?: string; cause?: unknown } = {}) {
    super(message, { details: options.details, cause: options.cause });
    this.status = options.status;
  }
}

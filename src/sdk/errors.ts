import { BaseError } from '../shared/index.ts';

/** The node answered with a JSON-RPC error. `code` is the stable number, `reason` the rollup's string code. */
export class KeelRpcError extends BaseError {
  override name = 'KeelRpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly reason?: string,
    details?: string,
  ) {
    super(message, { details: details ? `${method}: ${details}` : method });
  }
}

/** The node could not be reached or did not answer JSON-RPC. */
export class KeelTransportError extends BaseError {
  override name = 'KeelTransportError';
}

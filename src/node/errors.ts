import { BaseError } from '../shared/index.ts';

/** Errors of the L2 node layer (config, watcher, RPC server). */
export class KeelNodeError extends BaseError {
  override name = 'KeelNodeError';
}

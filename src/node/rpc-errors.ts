import { RollupError } from '../rollup/index.ts';
import type { RollupErrorCode } from '../rollup/index.ts';

/** JSON-RPC 2.0's own codes. */
export const JSONRPC = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/**
 * Stable JSON-RPC codes for the rollup's error codes (docs/rpc.md). Released numbers never change meaning; new codes
 * take new numbers.
 */
export const ROLLUP_RPC_CODES: Record<RollupErrorCode, number> = {
  MALFORMED_ENCODING: -32001,
  BAD_SIGNATURE: -32002,
  WRONG_NONCE: -32003,
  INSUFFICIENT_BALANCE: -32004,
  AMOUNT_OVERFLOW: -32005,
  UNKNOWN_ACCOUNT: -32006,
  DUPLICATE: -32007,
  REPLACEMENT_UNDERPRICED: -32008,
  MEMPOOL_FULL: -32009,
  ACCOUNT_LIMIT: -32010,
  OVERSIZED: -32011,
  INVALID_PARAMETER: -32012,
  TREE_FULL: -32013,
  QUEUE_ORDER: -32014,
  FORCED_INCLUSION: -32015,
  STORAGE: -32016,
  CLOSED: -32017,
  UNAVAILABLE: -32018,
};

/** Node-layer codes outside the rollup's. */
export const NODE_RPC_CODES = {
  /** Subscriptions need the WebSocket endpoint. */
  SUBSCRIPTION_UNAVAILABLE: -32030,
  /** Too many subscriptions on one socket. */
  SUBSCRIPTION_LIMIT: -32031,
  /** A method that changes state, asked of a read-only node (the verifier node). */
  READ_ONLY: -32032,
  /** keel_getBatchProof of a batch that is not closed (or does not exist). */
  UNKNOWN_BATCH: -32040,
  /** keel_getBatchProof of a closed batch with no verified proof yet. */
  PROOF_NOT_READY: -32041,
} as const;

export type RpcErrorObject = { code: number; message: string; data?: { code: string; details?: string } };

/** A JSON-RPC error a method handler throws on purpose. */
export class RpcMethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: { code: string; details?: string },
  ) {
    super(message);
  }
}

export function invalidParams(message: string): RpcMethodError {
  return new RpcMethodError(JSONRPC.InvalidParams, message, { code: 'INVALID_PARAMS' });
}

export function toRpcError(err: unknown): RpcErrorObject {
  if (err instanceof RpcMethodError)
    return { code: err.code, message: err.message, ...(err.data ? { data: err.data } : {}) };
  if (err instanceof RollupError)
    return {
      code: ROLLUP_RPC_CODES[err.code] ?? JSONRPC.InternalError,
      message: err.shortMessage,
      data: { code: err.code, ...(err.details ? { details: err.details } : {}) },
    };
  return { code: JSONRPC.InternalError, message: 'internal error', data: { code: 'INTERNAL' } };
}

import { unpackPoint } from '../rollup/index.ts';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES } from './config.ts';
import { accountJson, fieldHex } from './json.ts';
import { hexParam, intParam } from './methods.ts';
import type { MethodSpec } from './methods.ts';
import { Metrics } from './metrics.ts';
import { NODE_RPC_CODES, RpcMethodError, invalidParams } from './rpc-errors.ts';
import { RpcServer } from './server.ts';
import type { AccountJson } from '../sdk/types.ts';
import type { VerifierNode } from '../anchor/index.ts';

/** Default `keel verify-node --rpcport`: next to the sequencer's 18545 so both can run on one machine. */
export const DEFAULT_VERIFIER_RPC_PORT = 18546;

export type VerifierRpcContext = { node: VerifierNode; startedAt: number };

/** `keel_status` of a verifier node: where the state rebuilt from Bitcoin stands. */
export type VerifierStatusJson = {
  chainId: number;
  role: 'verifier';
  roots: string[];
  /** Last batch that passed every check (0 before the first). */
  lastBatch: number;
  l1: { height: number };
  batches: { verified: number; flagged: number; ignored: number };
  uptimeSeconds: number;
};

/** `keel_getBatch` of a verifier node: a batch it re-executed and checked, from its commitment header. */
export type VerifiedBatchJson = {
  batchNumber: number;
  status: 'verified';
  chainId: number;
  commitTxid: string;
  l1Height: number;
  oldRoots: string[];
  newRoots: string[];
  dataDigest: string;
  withdrawalRoot: string;
  queueStart: number;
  queueEnd: number;
  queueHashStart: string;
  queueHashEnd: string;
};

function account(node: VerifierNode, index: number): AccountJson | null {
  const a = node.getAccount(index);
  if (!a || (a.ax === 0n && a.ay === 0n)) return null;
  // No mempool here: the next usable nonce is the one in the state.
  return accountJson(index, a, a.nonce);
}

const readOnly = (): never => {
  throw new RpcMethodError(NODE_RPC_CODES.READ_ONLY, 'read-only verifier node: send transactions to the sequencer', {
    code: 'READ_ONLY',
  });
};

/**
 * The read-only subset of the sequencer's JSON-RPC (docs/rpc.md), answered from the state rebuilt from Bitcoin.
 * Methods the derived state cannot answer (blocks, transaction status, deposit info) are not listed and get
 * "method not found"; a method that would change state gets READ_ONLY.
 */
export const VERIFIER_METHODS: Record<string, MethodSpec<VerifierRpcContext>> = {
  keel_chainId: { params: [], run: ({ node }) => node.chainId },

  keel_status: {
    params: [],
    run: ({ node, startedAt }): VerifierStatusJson => ({
      chainId: node.chainId,
      role: 'verifier',
      roots: node.roots.map(fieldHex),
      lastBatch: node.batchNumber,
      l1: { height: node.l1Height },
      batches: { verified: node.verified.length, flagged: node.flagged.length, ignored: node.ignored.length },
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    }),
  },

  keel_getAccount: {
    params: ['index'],
    run: ({ node }, [index]) => account(node, intParam(index, 'index')),
  },

  keel_getAccountByKey: {
    params: ['publicKey'],
    run({ node }, [key]) {
      const point = unpackPoint(hexParam(key, 'publicKey', 32));
      if (!point) throw invalidParams('publicKey is not a packed Baby Jubjub point');
      const index = node.indexOfKey(point.x, point.y);
      return index === undefined ? null : account(node, index);
    },
  },

  keel_getBatch: {
    params: ['number'],
    run({ node }, [n]): VerifiedBatchJson | null {
      const b = node.batch(intParam(n, 'number', Number.MAX_SAFE_INTEGER));
      if (!b) return null;
      const h = b.header;
      return {
        batchNumber: b.batchNumber,
        status: 'verified',
        chainId: h.chainId,
        commitTxid: b.commitTxid,
        l1Height: b.l1Height,
        oldRoots: h.oldRoots.map(fieldHex),
        newRoots: h.newRoots.map(fieldHex),
        dataDigest: fieldHex(h.dataDigest),
        withdrawalRoot: fieldHex(h.withdrawalRoot),
        queueStart: h.queueStart,
        queueEnd: h.queueEnd,
        queueHashStart: fieldHex(h.queueHashStart),
        queueHashEnd: fieldHex(h.queueHashEnd),
      };
    },
  },

  keel_sendTransaction: { params: ['transaction'], run: readOnly },
};

export type VerifierRpcOptions = { port?: number; log?: (line: string) => void };

/**
 * Serves VERIFIER_METHODS for `node` on 127.0.0.1 through the sequencer's own server (same framing, limits, error
 * codes, /health and /metrics; no subscriptions). Resolves once listening; `close()` it to stop.
 */
export async function serveVerifierRpc(
  node: VerifierNode,
  opts: VerifierRpcOptions = {},
): Promise<RpcServer<VerifierRpcContext>> {
  const metrics = new Metrics();
  metrics.gauge('keel_verifier_last_batch', 'last batch that passed every check', () => node.batchNumber);
  metrics.gauge('keel_verifier_l1_height', 'last Bitcoin block read', () => node.l1Height);
  metrics.gauge('keel_verifier_flagged_batches', 'batches that failed a check', () => node.flagged.length);
  const server = new RpcServer(VERIFIER_METHODS, { node, startedAt: Date.now() }, undefined, metrics, {
    port: opts.port ?? DEFAULT_VERIFIER_RPC_PORT,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    maxBatch: DEFAULT_MAX_BATCH,
    ...(opts.log ? { log: opts.log } : {}),
  });
  await server.listen();
  return server;
}

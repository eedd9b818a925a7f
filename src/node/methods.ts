import { RollupError, encodeL1Item, unpackPoint } from '../rollup/index.ts';
import type { RollupNode } from '../rollup/index.ts';
import type {
  AccountJson,
  BatchJson,
  BatchProofJson,
  BlockJson,
  DepositInfoJson,
  StatusJson,
  TransactionStatusJson,
} from '../sdk/types.ts';
import { DEPOSIT_MAGIC, DEPOSIT_VERSION } from './deposit.ts';
import type { FinalityTracker } from './finality.ts';
import { accountJson, batchJson, blockJson, fieldHex, transactionJson } from './json.ts';
import type { ProofBook } from './proofs.ts';
import { NODE_RPC_CODES, RpcMethodError, invalidParams } from './rpc-errors.ts';
import type { L1Watcher } from './watcher.ts';

/** What the RPC methods read and drive. */
export type RpcContext = {
  rollup: RollupNode;
  finality: FinalityTracker;
  /** Verified proofs; absent on a node without provers' bookkeeping (then keel_getBatchProof finds none). */
  proofs?: ProofBook;
  watcher?: L1Watcher;
  deposit?: { bridgeKey: Uint8Array; bridgeScript: Uint8Array; confirmations: number };
  startedAt: number;
  lastBatch: () => number;
  onAccepted?: () => void;
};

export type MethodSpec<C = RpcContext> = {
  /** Parameter names, for named (object) params and for docs/rpc.md. */
  params: readonly string[];
  run(ctx: C, params: readonly unknown[]): Promise<unknown> | unknown;
};

export function intParam(v: unknown, name: string, max = 2 ** 32 - 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    throw invalidParams(`${name} must be an integer in 0..${max}`);
  return v;
}

export function hexParam(v: unknown, name: string, bytes?: number): Uint8Array {
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^(0x)?[0-9a-fA-F]*$/.test(v))
    throw invalidParams(`${name} must be a hex string`);
  const out = Uint8Array.from(Buffer.from(v.replace(/^0x/, ''), 'hex'));
  if (bytes !== undefined && out.length !== bytes) throw invalidParams(`${name} must be ${bytes} bytes`);
  return out;
}

function idParam(v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v))
    throw invalidParams('id must be a transaction id (64 lowercase hex digits)');
  return v;
}

function pendingNonce(rollup: RollupNode, index: number, nonce: number): number {
  let next = nonce;
  for (const e of rollup.mempool.queued(index)) if (e.tx.nonce === next) next++;
  return next;
}

function getAccount(ctx: RpcContext, index: number): AccountJson | null {
  const a = ctx.rollup.getAccount(index);
  if (a.ax === 0n && a.ay === 0n) return null;
  return accountJson(index, a, pendingNonce(ctx.rollup, index, a.nonce));
}

export async function transactionStatus(ctx: RpcContext, id: string): Promise<TransactionStatusJson> {
  const s = await ctx.rollup.getTransactionStatus(id);
  if (s.status === 'pending') {
    const tx = ctx.rollup.pendingTransaction(id);
    return { id, status: 'pending', ...(tx ? { transaction: transactionJson(tx) } : {}) };
  }
  if (s.status === 'dropped') return { id, status: 'dropped', error: { code: s.code, message: s.reason } };
  if (s.status === 'unknown') return { id, status: 'unknown' };
  const block = await ctx.rollup.getBlock(s.block);
  const op = block?.ops[s.position];
  return {
    id,
    status: ctx.finality.status(s.batch),
    block: s.block,
    position: s.position,
    batch: s.batch,
    proofs: ctx.finality.proofs(s.batch),
    ...(op && (op.kind === 'transfer' || op.kind === 'withdraw') ? { transaction: transactionJson(op.tx) } : {}),
  };
}

function l1ItemsOf(ctx: RpcContext, start: number, end: number): string[] {
  const out: string[] = [];
  for (let i = start; i < end; i++) {
    const item = ctx.rollup.queue.get(i)?.item;
    if (item) out.push(Buffer.from(encodeL1Item(item)).toString('hex'));
  }
  return out;
}

export const METHODS: Record<string, MethodSpec> = {
  keel_chainId: { params: [], run: (ctx) => ctx.rollup.config.chainId },

  keel_status: {
    params: [],
    run(ctx): StatusJson {
      const r = ctx.rollup;
      return {
        chainId: r.config.chainId,
        height: r.height,
        roots: r.roots.map(fieldHex),
        openBatch: ctx.lastBatch() + 1,
        lastBatch: ctx.lastBatch(),
        mempool: r.mempool.size,
        queue: { length: r.queue.length, consumed: r.queue.consumed },
        l1: {
          tip: ctx.watcher?.bitcoinTip ?? r.l1Tip,
          scanned: ctx.watcher?.scanned.height ?? r.l1Tip,
          confirmations: ctx.deposit?.confirmations ?? 0,
          halted: ctx.watcher?.halted ?? null,
          error: ctx.watcher?.error ?? null,
        },
        uptimeSeconds: Math.floor((Date.now() - ctx.startedAt) / 1000),
      };
    },
  },

  keel_sendTransaction: {
    params: ['transaction'],
    async run(ctx, [tx]) {
      const bytes = hexParam(tx, 'transaction');
      if (bytes.length === 0) throw invalidParams('transaction must not be empty');
      const result = await ctx.rollup.submitTransaction(bytes);
      ctx.onAccepted?.();
      return result;
    },
  },

  keel_getAccount: {
    params: ['index'],
    run: (ctx, [index]) => getAccount(ctx, intParam(index, 'index')),
  },

  keel_getAccountByKey: {
    params: ['publicKey'],
    run(ctx, [key]) {
      const point = unpackPoint(hexParam(key, 'publicKey', 32));
      if (!point) throw invalidParams('publicKey is not a packed Baby Jubjub point');
      const index = ctx.rollup.state.indexOfKey(point.x, point.y);
      return index === undefined ? null : getAccount(ctx, index);
    },
  },

  keel_getTransaction: {
    params: ['id'],
    run: (ctx, [id]) => transactionStatus(ctx, idParam(id)),
  },

  keel_getBlock: {
    params: ['number'],
    async run(ctx, [n]): Promise<BlockJson | null> {
      const number = intParam(n, 'number', Number.MAX_SAFE_INTEGER);
      const block = number === 0 ? undefined : await ctx.rollup.getBlock(number);
      return block ? blockJson(block) : null;
    },
  },

  keel_getBatch: {
    params: ['number'],
    async run(ctx, [n]): Promise<BatchJson | null> {
      const number = intParam(n, 'number', Number.MAX_SAFE_INTEGER);
      const batch = number === 0 ? undefined : await ctx.rollup.getBatch(number);
      return batch ? batchJson(batch, ctx.finality.status(number), ctx.finality.proofs(number)) : null;
    },
  },

  keel_getBatchProof: {
    params: ['number'],
    async run(ctx, [n]): Promise<BatchProofJson> {
      const number = intParam(n, 'number', Number.MAX_SAFE_INTEGER);
      const batch = number === 0 ? undefined : await ctx.rollup.getBatch(number);
      if (!batch)
        throw new RpcMethodError(NODE_RPC_CODES.UNKNOWN_BATCH, `batch ${number} is not closed on this node`, {
          code: 'UNKNOWN_BATCH',
        });
      const entries: BatchProofJson['proofs'] = [];
      for (const system of ctx.finality.proofs(number)) {
        const record = await ctx.proofs?.get(number, system);
        const verifier = ctx.proofs?.verifier(system);
        if (!record || !verifier) continue;
        entries.push({
          system,
          verified: true,
          verifiedAt: record.verifiedAt,
          publicInput: fieldHex(record.publicInput),
          proof: Buffer.from(record.proof).toString('hex'),
          key: verifier.key,
        });
      }
      if (entries.length === 0)
        throw new RpcMethodError(NODE_RPC_CODES.PROOF_NOT_READY, `batch ${number} has no verified proof yet`, {
          code: 'PROOF_NOT_READY',
          details: `status ${ctx.finality.status(number)}`,
        });
      return {
        batchNumber: number,
        status: ctx.finality.status(number),
        publicInput: fieldHex(batch.publicInput),
        oldRoots: batch.oldRoots.map(fieldHex),
        newRoots: batch.newRoots.map(fieldHex),
        l1Items: l1ItemsOf(ctx, batch.queueStart, batch.queueEnd),
        proofs: entries,
      };
    },
  },

  keel_getDepositInfo: {
    params: [],
    run(ctx): DepositInfoJson {
      if (!ctx.deposit) throw new RollupError('INVALID_PARAMETER', 'this node does not watch Bitcoin for deposits');
      return {
        bridgeScript: Buffer.from(ctx.deposit.bridgeScript).toString('hex'),
        bridgeKey: Buffer.from(ctx.deposit.bridgeKey).toString('hex'),
        markerPrefix: Buffer.from([...DEPOSIT_MAGIC, DEPOSIT_VERSION]).toString('hex'),
        confirmations: ctx.deposit.confirmations,
      };
    },
  },
};

/** Accepts positional (array) or named (object) params; anything else is invalid. */
export function positional<C>(spec: MethodSpec<C>, params: unknown): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) {
    if (params.length > spec.params.length)
      throw invalidParams(`expected at most ${spec.params.length} parameter(s), got ${params.length}`);
    return params;
  }
  if (params !== null && typeof params === 'object') {
    const obj = params as Record<string, unknown>;
    for (const k of Object.keys(obj)) if (!spec.params.includes(k)) throw invalidParams(`unknown parameter '${k}'`);
    return spec.params.map((name) => obj[name]);
  }
  throw invalidParams('params must be an array or an object');
}

import type { KeelTransport } from './transport.ts';
import { KeelTransportError } from './errors.ts';
import type {
  AccountJson,
  BatchJson,
  BatchNotification,
  BatchProofJson,
  BlockJson,
  BlockNotification,
  DepositInfoJson,
  StatusJson,
  TransactionStatusJson,
} from './types.ts';

export type ClientBase = { transport: KeelTransport };

const hex = (b: Uint8Array | string): string => (typeof b === 'string' ? b : Buffer.from(b).toString('hex'));

export const getChainId = (c: ClientBase) => c.transport.request<number>('keel_chainId');
export const getStatus = (c: ClientBase) => c.transport.request<StatusJson>('keel_status');
export const getAccount = (c: ClientBase, index: number) =>
  c.transport.request<AccountJson | null>('keel_getAccount', [index]);
export const getAccountByKey = (c: ClientBase, packedPublicKey: Uint8Array | string) =>
  c.transport.request<AccountJson | null>('keel_getAccountByKey', [hex(packedPublicKey)]);
/** Sends canonical transaction bytes; resolves once the node has persisted them. */
export const sendTransaction = (c: ClientBase, canonical: Uint8Array | string) =>
  c.transport.request<{ id: string }>('keel_sendTransaction', [hex(canonical)]);
export const getTransaction = (c: ClientBase, id: string) =>
  c.transport.request<TransactionStatusJson>('keel_getTransaction', [id]);
export const getBlock = (c: ClientBase, number: number) =>
  c.transport.request<BlockJson | null>('keel_getBlock', [number]);
export const getBatch = (c: ClientBase, number: number) =>
  c.transport.request<BatchJson | null>('keel_getBatch', [number]);
/** The batch's verified proofs with their keys; a KeelRpcError (-32040 / -32041) for an unknown or unproven batch. */
export const getBatchProof = (c: ClientBase, number: number) =>
  c.transport.request<BatchProofJson>('keel_getBatchProof', [number]);
export const getDepositInfo = (c: ClientBase) => c.transport.request<DepositInfoJson>('keel_getDepositInfo');

const ORDER = ['pending', 'soft', 'posted', 'anchored', 'proven', 'final'];

/**
 * Polls until the transaction reaches `until` (default soft), is dropped, or the timeout passes. `onStatus` sees
 * every status change (the CLI shows it as progress).
 */
export async function waitForTransaction(
  c: ClientBase,
  id: string,
  opts: {
    until?: TransactionStatusJson['status'];
    timeoutMs?: number;
    intervalMs?: number;
    onStatus?: (s: TransactionStatusJson) => void;
  } = {},
): Promise<TransactionStatusJson> {
  const target = ORDER.indexOf(opts.until ?? 'soft');
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let last = '';
  for (;;) {
    const s = await getTransaction(c, id);
    if (s.status !== last) {
      last = s.status;
      opts.onStatus?.(s);
    }
    if (s.status === 'dropped' || s.status === 'unknown' || ORDER.indexOf(s.status) >= target) return s;
    if (Date.now() > deadline)
      throw new KeelTransportError(`transaction ${id} is still ${s.status}`, { details: 'timed out' });
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

function needSubscribe(c: ClientBase) {
  const sub = c.transport.subscribe;
  if (!sub) throw new KeelTransportError('subscriptions need a webSocket transport');
  return sub;
}

export const watchBlocks = (c: ClientBase, onBlock: (b: BlockNotification) => void) =>
  needSubscribe(c)('newBlocks', [], (r) => onBlock(r as BlockNotification));
export const watchBatches = (c: ClientBase, onBatch: (b: BatchNotification) => void) =>
  needSubscribe(c)('batchStatus', [], (r) => onBatch(r as BatchNotification));
export const watchTransaction = (c: ClientBase, id: string, onStatus: (s: TransactionStatusJson) => void) =>
  needSubscribe(c)('transactionStatus', [id], (r) => onStatus(r as TransactionStatusJson));

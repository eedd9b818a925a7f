import type { Block, BatchOutput } from '../rollup/index.ts';
import type { BatchNotification, BlockNotification, SubscriptionKind } from '../sdk/types.ts';
import type { FinalityTracker } from './finality.ts';
import { transactionStatus } from './methods.ts';
import type { RpcContext } from './methods.ts';
import { NODE_RPC_CODES, RpcMethodError, invalidParams } from './rpc-errors.ts';

type Send = (message: unknown) => void;
type Sub = { id: string; owner: number; kind: SubscriptionKind; txId?: string; last?: string };

const TERMINAL = new Set(['final', 'dropped']);

/**
 * WebSocket subscriptions: `newBlocks`, `transactionStatus` (one id; a notification on each change until final or
 * dropped) and `batchStatus` (every batch as it closes and as its finality moves). Notifications are JSON-RPC
 * requests without an id: `{"method":"keel_subscription","params":{"subscription","result"}}`.
 */
export class Subscriptions {
  private readonly owners = new Map<number, Send>();
  private readonly subs = new Map<string, Sub>();
  private nextOwner = 1;
  private nextSub = 1;

  constructor(
    private readonly ctx: RpcContext,
    finality: FinalityTracker,
    private readonly perOwnerLimit = 1000,
  ) {
    ctx.rollup.on('block', (b) => this.onBlock(b));
    ctx.rollup.on('batch', (b) => this.onBatch(b));
    ctx.rollup.on('dropped', () => void this.refreshTransactions());
    finality.on('change', (c) => {
      this.publish('batchStatus', c satisfies BatchNotification);
      void this.refreshTransactions();
    });
  }

  open(send: Send): number {
    const owner = this.nextOwner++;
    this.owners.set(owner, send);
    return owner;
  }

  close(owner: number): void {
    this.owners.delete(owner);
    for (const [id, s] of this.subs) if (s.owner === owner) this.subs.delete(id);
  }

  async subscribe(owner: number, args: unknown[]): Promise<string> {
    const [kind, arg] = args;
    if (kind !== 'newBlocks' && kind !== 'transactionStatus' && kind !== 'batchStatus')
      throw invalidParams("kind must be 'newBlocks', 'transactionStatus' or 'batchStatus'");
    let count = 0;
    for (const s of this.subs.values()) if (s.owner === owner) count++;
    if (count >= this.perOwnerLimit)
      throw new RpcMethodError(
        NODE_RPC_CODES.SUBSCRIPTION_LIMIT,
        `at most ${this.perOwnerLimit} subscriptions per socket`,
        {
          code: 'SUBSCRIPTION_LIMIT',
        },
      );
    const sub: Sub = { id: `0x${(this.nextSub++).toString(16)}`, owner, kind };
    if (kind === 'transactionStatus') {
      if (typeof arg !== 'string' || !/^[0-9a-f]{64}$/.test(arg))
        throw invalidParams('transactionStatus needs a transaction id (64 lowercase hex digits)');
      sub.txId = arg;
    } else if (arg !== undefined) throw invalidParams(`${kind} takes no argument`);
    this.subs.set(sub.id, sub);
    // The current status goes out at once, so a client never misses a change between its query and subscribing.
    if (sub.txId) setImmediate(() => void this.refresh(sub));
    return sub.id;
  }

  unsubscribe(owner: number, id: unknown): boolean {
    if (typeof id !== 'string') throw invalidParams('subscription id must be a string');
    const s = this.subs.get(id);
    if (!s || s.owner !== owner) return false;
    this.subs.delete(id);
    return true;
  }

  private onBlock(b: Block): void {
    const note: BlockNotification = {
      number: b.header.number,
      hash: b.hash,
      ops: b.ops.length,
      batchNumber: b.header.batchNumber,
      closesBatch: b.header.closesBatch,
    };
    this.publish('newBlocks', note);
    void this.refreshTransactions();
  }

  private onBatch(b: BatchOutput): void {
    this.publish('batchStatus', { batchNumber: b.batchNumber, status: 'soft' } satisfies BatchNotification);
  }

  private publish(kind: SubscriptionKind, result: unknown): void {
    for (const s of this.subs.values()) if (s.kind === kind) this.send(s, result);
  }

  private send(s: Sub, result: unknown): void {
    this.owners.get(s.owner)?.({ jsonrpc: '2.0', method: 'keel_subscription', params: { subscription: s.id, result } });
  }

  private async refreshTransactions(): Promise<void> {
    for (const s of [...this.subs.values()]) if (s.kind === 'transactionStatus') await this.refresh(s);
  }

  private async refresh(s: Sub): Promise<void> {
    if (!this.subs.has(s.id) || !s.txId) return;
    const status = await transactionStatus(this.ctx, s.txId);
    const key = `${status.status}:${status.block ?? ''}`;
    if (key === s.last) return;
    s.last = key;
    this.send(s, status);
    if (TERMINAL.has(status.status)) this.subs.delete(s.id);
  }
}

// Accepted transactions in the store (storage/pending-log.ts): one record per group commit, kept until every
// transaction in it has left, and never removed before the block that includes one of them is stored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, RollupNode, encodeTransaction, signTransfer, transactionId } from '../../src/rollup/index.ts';
import type { KvOp, KvStore, MempoolEntry } from '../../src/rollup/index.ts';
import { PendingLog } from '../../src/rollup/storage/pending-log.ts';
import { CHAIN, deposit, key, openNode, testConfig } from './helpers.ts';

const PENDING = 0x70;

function entry(from: number, nonce: number, fee = 1n): MempoolEntry {
  const tx = signTransfer(key(from), { from, to: from + 1, amount: 10n, fee, nonce }, CHAIN);
  const bytes = encodeTransaction(tx);
  return { id: transactionId(bytes), tx, bytes, receivedAt: 1_700_000_000_000 + nonce };
}

async function records(store: KvStore): Promise<Map<number, string[]>> {
  const reader = new PendingLog();
  const out = new Map<number, string[]>();
  for await (const [k, v] of store.scan(Uint8Array.of(PENDING)))
    out.set(
      Number(Buffer.from(k.subarray(1)).readBigUInt64BE()),
      reader.read(0, v).map((e) => e.id),
    );
  return out;
}

describe('pending transactions in the store', () => {
  it('one record per flush; deleted once all its transactions left, rewritten when one is dropped', async () => {
    const store = new MemoryStore();
    const log = new PendingLog();
    const write = (ops: KvOp[]) => store.write(ops);
    const [a, b, c] = [entry(1, 0), entry(2, 0), entry(3, 0)];
    log.add(a);
    log.add(b);
    await write(log.flush());
    log.add(c);
    await write(log.flush());
    assert.deepEqual([...(await records(store)).values()], [[a.id, b.id], [c.id]]);
    // Round trip: what is read back is what was accepted.
    const [back] = new PendingLog().read(0, (await store.get(Uint8Array.from([PENDING, 0, 0, 0, 0, 0, 0, 0, 0])))!);
    assert.deepEqual({ ...back!, bytes: [...back!.bytes] }, { ...a, bytes: [...a.bytes] });
    log.release(a, 'included');
    assert.deepEqual(log.tidy(), [], 'b still pending: the record stays as it is');
    log.release(c, 'dropped');
    await write(log.tidy());
    assert.deepEqual([...(await records(store)).values()], [[a.id, b.id]]);
    log.release(b, 'dropped');
    await write(log.tidy());
    assert.equal((await records(store)).size, 0);
  });

  it('a transaction that leaves before its flush: included ones are written all the same, dropped ones not', async () => {
    const store = new MemoryStore();
    const log = new PendingLog();
    const [a, b, c] = [entry(1, 0), entry(2, 0), entry(3, 0)];
    log.add(a);
    log.add(b);
    log.add(c);
    log.release(a, 'included');
    log.release(b, 'dropped');
    await store.write(log.flush());
    assert.deepEqual([...(await records(store)).values()], [[a.id, c.id]]);
    log.release(c, 'included');
    await store.write(log.tidy());
    assert.equal((await records(store)).size, 0);
  });

  it('a truncated record is refused with a clear error', () => {
    const log = new PendingLog();
    const a = entry(1, 0);
    log.add(a);
    const [put] = log.flush();
    const bytes = (put as { value: Uint8Array }).value;
    assert.throws(
      () => new PendingLog().read(4, bytes.subarray(0, bytes.length - 1)),
      /pending transactions of group 4 are truncated/,
    );
  });

  it('after a restart: included ones stay out, the pending and the replacement come back, stale records go', async () => {
    const { node, store } = await openNode();
    for (let i = 1; i <= 4; i++) await node.addL1Item(deposit(i, 100_000n));
    await node.produceBlock();
    const t = (from: number, nonce: number, fee: bigint) =>
      signTransfer(key(from), { from, to: from === 4 ? 1 : from + 1, amount: 5n, fee, nonce }, CHAIN);
    const [x, y] = await Promise.all([node.submitTransaction(t(1, 0, 1n)), node.submitTransaction(t(2, 0, 1n))]);
    await node.produceBlock();
    // x and y are in block 2; their record is tidied only by the next block, which a crash can prevent.
    assert.equal((await records(store)).size, 1);
    const low = await node.submitTransaction(t(3, 0, 1n));
    const high = await node.submitTransaction(t(3, 0, 9n));
    const other = await node.submitTransaction(t(4, 0, 1n));
    const again = await RollupNode.open({ config: testConfig(), store });
    assert.deepEqual([...again.mempool.entries()].map((e) => e.id).sort(), [high.id, other.id].sort());
    for (const { id } of [x, y]) assert.equal((await again.getTransactionStatus(id)).status, 'soft');
    assert.equal((await again.getTransactionStatus(low.id)).status, 'unknown');
    // The loaded records now hold exactly the pending transactions.
    assert.deepEqual([...(await records(store)).values()].flat().sort(), [high.id, other.id].sort());
    again.setL1Height(10);
    await again.produceBlock();
    await again.produceBlock({ force: true });
    assert.equal((await records(store)).size, 0);
    assert.equal((await again.getTransactionStatus(high.id)).status, 'soft');
  });
});

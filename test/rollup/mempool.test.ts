// Mempool policy (issue 4, item 5): nonce order per account, fee priority, bounds, replacement.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Mempool, RollupError } from '../../src/rollup/index.ts';
import type { MempoolEntry, Transfer } from '../../src/rollup/index.ts';

const sig = { R8: { x: 0n, y: 1n }, S: 0n };
let seq = 0;
function entry(from: number, nonce: number, fee: bigint): MempoolEntry {
  const tx: Transfer = { type: 'transfer', from, to: 99, amount: 1n, fee, nonce, sig };
  return { id: `${from}-${nonce}-${fee}-${seq}`, tx, bytes: new Uint8Array(0), receivedAt: seq++ };
}
const isCode = (code: string) => (e: unknown) => e instanceof RollupError && e.code === code;
function add(m: Mempool, e: MempoolEntry, accountNonce = 0): void {
  m.plan(e.tx, accountNonce);
  m.insert(e, accountNonce);
}

describe('mempool', () => {
  it('selects by fee across accounts and by nonce within one', () => {
    const m = new Mempool({ maxSize: 100, maxPerAccount: 10 });
    add(m, entry(1, 0, 5n));
    add(m, entry(1, 1, 100n));
    add(m, entry(2, 0, 50n));
    add(m, entry(3, 0, 10n));
    const order: string[] = [];
    m.select(10, (e) => (order.push(`${e.tx.from}/${e.tx.nonce}`), true));
    assert.deepEqual(order, ['2/0', '3/0', '1/0', '1/1']);
  });
  it('a refused candidate ends its account for this block', () => {
    const m = new Mempool({ maxSize: 100, maxPerAccount: 10 });
    add(m, entry(1, 0, 5n));
    add(m, entry(1, 1, 5n));
    add(m, entry(2, 0, 1n));
    const seen: string[] = [];
    m.select(10, (e) => (seen.push(`${e.tx.from}/${e.tx.nonce}`), e.tx.from !== 1));
    assert.deepEqual(seen, ['1/0', '2/0']);
  });
  it('refuses nonce gaps and stale nonces', () => {
    const m = new Mempool({ maxSize: 100, maxPerAccount: 10 });
    assert.throws(() => m.plan(entry(1, 2, 1n).tx, 0), isCode('WRONG_NONCE'));
    assert.throws(() => m.plan(entry(1, 0, 1n).tx, 1), isCode('WRONG_NONCE'));
  });
  it('replaces only with a strictly higher fee, and reports what earlier entries spend', () => {
    const m = new Mempool({ maxSize: 100, maxPerAccount: 10 });
    add(m, entry(1, 0, 10n));
    assert.throws(() => m.plan(entry(1, 0, 10n).tx, 0), isCode('REPLACEMENT_UNDERPRICED'));
    const better = entry(1, 0, 11n);
    const { replaces } = m.plan(better.tx, 0);
    assert.ok(replaces);
    m.insert(better, 0);
    assert.equal(m.size, 1);
    assert.equal(m.plan(entry(1, 1, 1n).tx, 0).spent, 12n);
  });
  it('is bounded per account and in total', () => {
    const m = new Mempool({ maxSize: 3, maxPerAccount: 2 });
    add(m, entry(1, 0, 1n));
    add(m, entry(1, 1, 1n));
    assert.throws(() => m.plan(entry(1, 2, 1n).tx, 0), isCode('ACCOUNT_LIMIT'));
    add(m, entry(2, 0, 1n));
    assert.throws(() => m.plan(entry(3, 0, 1n).tx, 0), isCode('MEMPOOL_FULL'));
  });
  it('advance drops included nonces; dropFrom drops an entry and its successors', () => {
    const m = new Mempool({ maxSize: 100, maxPerAccount: 10 });
    const es = [0, 1, 2, 3].map((n) => entry(1, n, 1n));
    for (const e of es) add(m, e);
    m.advance(1, 2);
    assert.deepEqual(
      m.queued(1).map((e) => e.tx.nonce),
      [2, 3],
    );
    assert.equal(m.dropFrom(es[2]!).length, 2);
    assert.equal(m.size, 0);
  });
});

// Property: for random streams of deposits, transfers, withdrawals and forced exits (valid or not), the total of
// all balances plus the open batch's fees always equals deposits minus withdrawals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RollupError, signForcedExit, signTransfer, signWithdraw } from '../../src/rollup/index.ts';
import type { RollupNode } from '../../src/rollup/index.ts';
import { CHAIN, deposit, key, openNode, pub } from './helpers.ts';

const script = Uint8Array.from([0x00, 0x14, ...new Array<number>(20).fill(1)]);
const amount = fc.bigInt({ min: 0n, max: 60_000n });
const account = fc.integer({ min: 0, max: 6 });
const action = fc.oneof(
  fc.record({
    t: fc.constant('deposit' as const),
    owner: fc.integer({ min: 1, max: 5 }),
    amount: fc.bigInt({ min: 1n, max: 100_000n }),
  }),
  fc.record({
    t: fc.constant('transfer' as const),
    from: account,
    to: account,
    amount,
    fee: fc.bigInt({ min: 0n, max: 500n }),
    nonceSkew: fc.integer({ min: -1, max: 1 }),
  }),
  fc.record({ t: fc.constant('withdraw' as const), from: account, amount, fee: fc.bigInt({ min: 0n, max: 500n }) }),
  fc.record({ t: fc.constant('forcedExit' as const), account }),
  fc.record({ t: fc.constant('block' as const) }),
);

function totalSupply(node: RollupNode): bigint {
  let sum = node.pendingFees;
  for (const [, a] of node.state.entries()) sum += a.balance;
  return sum;
}

describe('supply conservation', () => {
  it('holds for random transaction streams', async () => {
    let txSeq = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 18 }), async (actions) => {
        const { node } = await openNode({ maxBatchOps: 5 });
        let deposited = 0n;
        let withdrawn = 0n;
        node.on('block', (b) => {
          for (const op of b.ops) {
            if (op.kind === 'deposit') deposited += op.item.amount;
            if (op.kind === 'withdraw') withdrawn += op.tx.amount;
            if (op.kind === 'forcedExit' && op.applied) withdrawn += op.withdrawn ?? 0n;
          }
        });
        // Sign with the account's real owner (found from its key), or with key 6 (a stranger) for empty ones.
        const ownerOf = (index: number): number => {
          const acc = node.state.getAccount(index);
          for (let k = 0; k <= 5; k++) if (acc.ax !== 0n && pub(k).x === acc.ax) return k;
          return 6;
        };
        // Start from five funded accounts so that most streams move real money.
        for (let owner = 1; owner <= 5; owner++) await node.addL1Item(deposit(owner, 50_000n, 10));
        await node.produceBlock();
        for (const a of actions) {
          try {
            if (a.t === 'deposit') {
              await node.addL1Item(deposit(a.owner, a.amount, 10));
            } else if (a.t === 'transfer' || a.t === 'withdraw') {
              const nonce = Math.max(
                0,
                node.getAccount(a.from).nonce +
                  node.mempool.queued(a.from).length +
                  (a.t === 'transfer' ? a.nonceSkew : 0),
              );
              const tx =
                a.t === 'transfer'
                  ? signTransfer(
                      key(ownerOf(a.from)),
                      { from: a.from, to: a.to, amount: a.amount, fee: a.fee, nonce },
                      CHAIN,
                    )
                  : signWithdraw(
                      key(ownerOf(a.from)),
                      { from: a.from, script, amount: a.amount, fee: a.fee, nonce },
                      CHAIN,
                    );
              await node.submitTransaction(tx);
              accepted++;
            } else if (a.t === 'forcedExit') {
              const acc = node.getAccount(a.account);
              await node.addL1Item(
                signForcedExit(
                  key(ownerOf(a.account)),
                  {
                    txid: new Uint8Array(32).fill(txSeq++ % 256),
                    vout: txSeq,
                    l1Height: 10,
                    account: a.account,
                    nonce: acc.nonce,
                    script,
                  },
                  CHAIN,
                ),
              );
            } else {
              await node.produceBlock();
            }
          } catch (err) {
            if (!(err instanceof RollupError)) throw err;
          }
          assert.equal(totalSupply(node), deposited - withdrawn);
        }
        await node.produceBlock();
        assert.equal(totalSupply(node), deposited - withdrawn);
        await node.close();
      }),
      { numRuns: 25, seed: 4242 },
    );
    assert.ok(accepted > 10, `the streams must exercise accepted transactions (got ${accepted})`);
  });
});

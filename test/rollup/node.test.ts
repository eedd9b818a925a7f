// The node core end to end on an in-memory store: deposits, transfers, withdrawals, forced exits, batches,
// bad input (typed errors, nothing written) and restart.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FEE_ACCOUNT,
  MemoryStore,
  PendingProverQueue,
  SparseMerkleTree,
  poseidonBn254Hasher,
  poseidon2BabyBearHasher,
  traceOps,
  RollupError,
  RollupNode,
  decodeDa,
  encodeTransaction,
  transactionId,
  replayFromStore,
  signForcedExit,
  signTransfer,
  signWithdraw,
  withdrawalRoot,
  publicInput,
  dataDigest,
} from '../../src/rollup/index.ts';
import type { KvStore } from '../../src/rollup/index.ts';
import { CHAIN, deposit, key, openNode, testConfig } from './helpers.ts';

const P2WPKH = Uint8Array.from([0x00, 0x14, ...new Array<number>(20).fill(0xab)]);

function isCode(code: string) {
  return (e: unknown) => e instanceof RollupError && e.code === code;
}

async function snapshot(store: KvStore): Promise<string[]> {
  const out: string[] = [];
  for (const p of [0x61, 0x70, 0x62, 0x6e, 0x4c])
    for await (const [k, v] of store.scan(Uint8Array.of(p)))
      out.push(Buffer.from(k).toString('hex') + Buffer.from(v).toString('hex'));
  return out;
}

describe('RollupNode', () => {
  it('deposits create accounts; transfers move balance; fees reach account 0 at the batch end', async () => {
    const { node } = await openNode();
    await node.addL1Item(deposit(1, 100_000n));
    await node.addL1Item(deposit(2, 50_000n));
    await node.addL1Item(deposit(1, 1_000n)); // same key: same account
    const b1 = await node.produceBlock();
    assert.equal(b1?.ops.length, 3);
    assert.equal(node.getAccount(1).balance, 101_000n);
    assert.equal(node.getAccount(2).balance, 50_000n);
    const tx = signTransfer(key(1), { from: 1, to: 2, amount: 10_000n, fee: 100n, nonce: 0 }, CHAIN);
    const { id } = await node.submitTransaction(encodeTransaction(tx));
    assert.deepEqual(await node.getTransactionStatus(id), { status: 'pending', id });
    const b2 = await node.produceBlock();
    assert.equal(b2?.header.number, 2);
    assert.deepEqual(await node.getTransactionStatus(id), { status: 'soft', id, block: 2, position: 0, batch: 1 });
    assert.equal(node.getAccount(1).balance, 101_000n - 10_100n);
    assert.equal(node.getAccount(1).nonce, 1);
    assert.equal(node.getAccount(2).balance, 60_000n);
    assert.equal(node.getAccount(FEE_ACCOUNT).balance, 0n);
    await node.close();
  });

  it('a store opened with other state trees is refused with a clear error', async () => {
    const { node, store } = await openNode();
    await node.addL1Item(deposit(1, 100_000n));
    await node.produceBlock();
    const roots = node.roots;
    await node.close();
    await assert.rejects(
      RollupNode.open({ config: testConfig(), store, extraHashers: [poseidon2BabyBearHasher] }),
      (e: unknown) => isCode('INVALID_PARAMETER')(e) && /state trees/.test((e as Error).message),
    );
    const again = await RollupNode.open({ config: testConfig(), store });
    assert.deepEqual(again.roots, roots, 'the refused open changed nothing');
    await again.close();
  });

  it('a transaction reads as soft only once its block is in the store', async () => {
    const { node } = await openNode();
    await node.addL1Item(deposit(1, 100_000n));
    await node.addL1Item(deposit(2, 100_000n));
    await node.produceBlock();
    const tx = signTransfer(key(1), { from: 1, to: 2, amount: 1n, fee: 1n, nonce: 0 }, CHAIN);
    const { id } = await node.submitTransaction(encodeTransaction(tx));
    // Ask while the block is being built and written: every answer must be pending (with the transaction) or
    // soft in a block that can be read back.
    const producing = node.produceBlock();
    let done = false;
    void producing.then(() => (done = true));
    const seen = new Set<string>();
    for (let i = 0; i < 10_000 && !done; i++) {
      const s = await node.getTransactionStatus(id);
      seen.add(s.status);
      if (s.status === 'pending') assert.ok(node.pendingTransaction(id), 'a pending transaction can be shown');
      if (s.status === 'soft') assert.ok(await node.getBlock(s.block), `block ${s.block} is stored`);
      await new Promise((r) => setImmediate(r));
    }
    await producing;
    assert.ok(seen.has('pending'), 'it was pending while the block was written');
    assert.equal((await node.getTransactionStatus(id)).status, 'soft');
  });

  it('a withdrawal burns on L2 and its leaf is in the batch output; the batch goes to the provers', async () => {
    const snark = new PendingProverQueue('snark');
    const stark = new PendingProverQueue('stark');
    const store = new MemoryStore();
    const node = await RollupNode.open({
      config: testConfig({ maxBatchOps: 4 }),
      store,
      provers: [snark, stark],
    });
    node.setL1Height(10);
    await node.addL1Item(deposit(1, 100_000n));
    await node.addL1Item(deposit(2, 5_000n));
    await node.produceBlock();
    const w = signWithdraw(key(1), { from: 1, script: P2WPKH, amount: 40_000n, fee: 500n, nonce: 0 }, CHAIN);
    await node.submitTransaction(w);
    const batches: unknown[] = [];
    node.on('batch', (b) => batches.push(b));
    const block = await node.produceBlock();
    assert.ok(block?.header.closesBatch);
    assert.equal(batches.length, 1);
    const out = await node.getBatch(1);
    assert.ok(out);
    assert.deepEqual(out.withdrawals, [{ script: P2WPKH, amount: 40_000n }]);
    assert.equal(out.withdrawalRoot, withdrawalRoot([{ script: P2WPKH, amount: 40_000n }], 4));
    assert.equal(out.publicInput, publicInput(out));
    assert.equal(out.dataDigest, dataDigest(decodeDa(out.data, 8)));
    assert.deepEqual(
      decodeDa(out.data, 8).map((o) => o.kind),
      ['deposit', 'deposit', 'withdraw'],
    );
    assert.equal(node.getAccount(1).balance, 100_000n - 40_500n);
    assert.equal(node.getAccount(FEE_ACCOUNT).balance, 500n, 'fee credited when the batch closed');
    assert.equal(snark.jobs.length, 1);
    assert.equal(stark.jobs[0]?.output.batchNumber, 1);
    assert.equal(snark.jobs[0]?.ops.length, 4);
    // A prover rebuilds the batch's pre-state and traces every account update with its Merkle path.
    const pre = await replayFromStore(store, testConfig(), { toBlock: out.firstBlock - 1 });
    assert.deepEqual(pre.roots, out.oldRoots);
    const traces = traceOps(pre.state, snark.jobs[0]!.ops, { chainId: CHAIN, depth: 8 });
    assert.deepEqual(pre.state.roots, out.newRoots);
    for (const step of traces.flatMap((t) => t.steps)) {
      const h = poseidonBn254Hasher;
      assert.equal(
        SparseMerkleTree.rootFrom(h, step.index, h.leaf(step.before), step.siblings[0]!),
        step.rootsBefore[0],
      );
      assert.equal(SparseMerkleTree.rootFrom(h, step.index, h.leaf(step.after), step.siblings[0]!), step.rootsAfter[0]);
    }
    assert.equal(traces.flatMap((t) => t.steps).length, 4, 'two deposits, one withdrawal, one fee credit');
    await node.close();
  });

  it('forced exits: a valid one empties the account into a withdrawal, a bad one is consumed as rejected', async () => {
    const { node } = await openNode({ maxBatchOps: 100 });
    await node.addL1Item(deposit(1, 70_000n));
    await node.produceBlock();
    const good = signForcedExit(
      key(1),
      { txid: new Uint8Array(32).fill(1), vout: 0, l1Height: 11, account: 1, nonce: 0, script: P2WPKH },
      CHAIN,
    );
    const bad = signForcedExit(
      key(2),
      { txid: new Uint8Array(32).fill(2), vout: 0, l1Height: 11, account: 1, nonce: 1, script: P2WPKH },
      CHAIN,
    );
    await node.addL1Item(good);
    await node.addL1Item(bad);
    node.setL1Height(12);
    const block = await node.produceBlock();
    assert.deepEqual(
      block?.ops.map((o) => (o.kind === 'forcedExit' ? o.applied : o.kind)),
      [true, false],
    );
    assert.equal(node.getAccount(1).balance, 0n);
    assert.equal(node.getAccount(1).nonce, 1);
    await node.close();
  });

  it('bad input gets a stable code and writes nothing', async () => {
    const { node, store } = await openNode();
    await node.addL1Item(deposit(1, 10_000n));
    await node.addL1Item(deposit(2, 10_000n));
    await node.produceBlock();
    const before = await snapshot(store);
    const t = (over: object, signer = 1) => {
      const fields = { from: 1, to: 2, amount: 1_000n, fee: 10n, nonce: 0, ...over };
      return signTransfer(key(signer), fields, CHAIN);
    };
    await assert.rejects(node.submitTransaction(t({}, 3)), isCode('BAD_SIGNATURE'));
    const forged = t({});
    await assert.rejects(node.submitTransaction({ ...forged, amount: 2_000n }), isCode('BAD_SIGNATURE'));
    await assert.rejects(node.submitTransaction(t({ nonce: 5 })), isCode('WRONG_NONCE'));
    await assert.rejects(node.submitTransaction(t({ amount: 20_000n })), isCode('INSUFFICIENT_BALANCE'));
    await assert.rejects(node.submitTransaction(t({ to: 7 })), isCode('UNKNOWN_ACCOUNT'));
    await assert.rejects(node.submitTransaction(t({ to: 300 })), isCode('UNKNOWN_ACCOUNT'));
    await assert.rejects(node.submitTransaction(t({ amount: 1n << 63n })), isCode('AMOUNT_OVERFLOW'));
    await assert.rejects(node.submitTransaction(t({ fee: (1n << 63n) - 1n, amount: 1n })), isCode('AMOUNT_OVERFLOW'));
    const bytes = encodeTransaction(t({}));
    await assert.rejects(node.submitTransaction(bytes.subarray(0, 50)), isCode('MALFORMED_ENCODING'));
    await assert.rejects(node.submitTransaction(Uint8Array.of(9, ...bytes.subarray(1))), isCode('MALFORMED_ENCODING'));
    await assert.rejects(node.submitTransaction(new Uint8Array(5000)), isCode('OVERSIZED'));
    assert.deepEqual(await snapshot(store), before, 'nothing written by refused transactions');
    await node.submitTransaction(bytes);
    await assert.rejects(node.submitTransaction(bytes), isCode('DUPLICATE'));
    await assert.rejects(node.submitTransaction(t({ fee: 10n, amount: 999n })), isCode('REPLACEMENT_UNDERPRICED'));
    const better = t({ fee: 20n, amount: 999n });
    await node.submitTransaction(better);
    assert.equal(node.mempool.size, 1, 'replaced by the higher fee');
    const replacedStatus = await node.getTransactionStatus(transactionId(bytes));
    assert.equal(replacedStatus.status, 'dropped');
    await node.produceBlock();
    await assert.rejects(node.submitTransaction(better), isCode('DUPLICATE'));
    await assert.rejects(node.submitTransaction(bytes), isCode('WRONG_NONCE'), 'the replaced one is stale now');
    assert.equal(node.getAccount(2).balance, 10_999n);
    await node.close();
  });

  it('forced inclusion: a block may not skip an L1 item older than 432 blocks', async () => {
    const { checkForcedInclusion, L1Queue } = await import('../../src/rollup/index.ts');
    const q = new L1Queue();
    q.push(deposit(1, 1n, 100));
    q.push(deposit(1, 1n, 600));
    assert.doesNotThrow(() => checkForcedInclusion(q, 0, 0, 531));
    assert.throws(() => checkForcedInclusion(q, 0, 0, 532), isCode('FORCED_INCLUSION'));
    assert.doesNotThrow(() => checkForcedInclusion(q, 0, 1, 1031));
    assert.throws(() => checkForcedInclusion(q, 0, 1, 1032), isCode('FORCED_INCLUSION'));
    assert.throws(() => q.push(deposit(1, 1n, 50)), isCode('QUEUE_ORDER'));
  });

  it('restarts from its store with the same roots, pending transactions and replay from genesis', async () => {
    const { node, store } = await openNode();
    for (let i = 1; i <= 4; i++) await node.addL1Item(deposit(i, 10_000n));
    await node.produceBlock();
    await node.submitTransaction(signTransfer(key(1), { from: 1, to: 2, amount: 5n, fee: 1n, nonce: 0 }, CHAIN));
    await node.produceBlock();
    const { id } = await node.submitTransaction(
      signTransfer(key(3), { from: 3, to: 4, amount: 7n, fee: 1n, nonce: 0 }, CHAIN),
    );
    const roots = node.roots;
    node.stop();
    const again = await RollupNode.open({ config: testConfig(), store });
    assert.deepEqual(again.roots, roots);
    assert.deepEqual(await again.getTransactionStatus(id), { status: 'pending', id });
    assert.equal(again.height, 2);
    await again.produceBlock();
    assert.equal((await again.getTransactionStatus(id)).status, 'soft');
    const replay = await replayFromStore(store, testConfig(), { verifySignatures: true });
    assert.deepEqual(replay.roots, again.roots);
    await assert.rejects(RollupNode.open({ config: testConfig({ chainId: 2 }), store }), isCode('INVALID_PARAMETER'));
  });
});

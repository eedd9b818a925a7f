// The STARK prover service: proves a batch sequenced by RollupNode in a worker thread, reports only verified
// proofs, and reports (never throws) batches it cannot prove, keeping its state for a retry.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore, RollupNode, poseidon2BabyBearHasher, signTransfer } from '../../src/rollup/index.ts';
import type { BatchOutput, Op, ProofResult, ProverJob } from '../../src/rollup/index.ts';
import { StarkProver, starkProofVerifier, starkPublicInputs, verifyBatchStark } from '../../src/node/index.ts';
import type { StarkProverFailure } from '../../src/node/index.ts';
import { CHAIN, DEPTH, genesisAccounts, key, sequenceBatch, starkTestConfig } from '../stark/batch-fixture.ts';

function collect(prover: StarkProver): { results: ProofResult[]; failures: StarkProverFailure[] } {
  const results: ProofResult[] = [];
  const failures: StarkProverFailure[] = [];
  prover.onResult((r) => results.push(r));
  prover.onFailure((f) => failures.push(f));
  return { results, failures };
}

const jobOf = (output: BatchOutput, ops: Op[]): ProverJob => ({
  id: `stark-${output.batchNumber}`,
  system: 'stark',
  output,
  ops,
});

describe('StarkProver', () => {
  test('proves a real batch in a worker thread; the proof verifies from public data alone', async () => {
    const batch = await sequenceBatch();
    const prover = new StarkProver({ depth: DEPTH, chainId: CHAIN, accounts: genesisAccounts() });
    const { results, failures } = collect(prover);
    try {
      await prover.submit(jobOf(batch.output, batch.ops));
      await prover.idle();
      assert.deepEqual(
        failures.map((f) => f.error.message),
        [],
      );
      assert.equal(results.length, 1);
      const r = results[0]!;
      assert.equal(r.system, 'stark');
      assert.equal(r.batchNumber, batch.output.batchNumber);
      assert.equal(r.publicInput, batch.output.publicInput);
      assert.equal(prover.root, batch.output.newRoots[1]);
      const inputs = starkPublicInputs(batch.output, { depth: DEPTH, l1Items: batch.l1Items });
      assert.deepEqual(verifyBatchStark(r.proof, inputs), { ok: true, securityBits: 100 });
    } finally {
      await prover.close();
      await batch.node.close();
    }
  });

  test('an overspending job is reported, not thrown; the prover keeps its state and proves the real batch after', async () => {
    const batch = await sequenceBatch();
    const prover = new StarkProver({ depth: DEPTH, chainId: CHAIN, accounts: genesisAccounts(), inline: true });
    const { results, failures } = collect(prover);
    try {
      // The first transfer re-signed for more than account 1 holds.
      const ops = batch.ops.map((op) =>
        op.kind === 'transfer' && op.tx.from === 1
          ? { kind: 'transfer' as const, tx: signTransfer(key(1), { ...op.tx, amount: 10_000_000n }, CHAIN) }
          : op,
      );
      await prover.submit(jobOf(batch.output, ops));
      await prover.idle();
      assert.equal(results.length, 0);
      assert.equal(failures.length, 1);
      assert.match(failures[0]!.error.message + String(failures[0]!.error.cause), /cannot pay|INSUFFICIENT|balance/i);
      assert.equal(prover.root, batch.output.oldRoots[1], 'the state did not move');
      await prover.submit(jobOf(batch.output, batch.ops));
      await prover.idle();
      assert.equal(results.length, 1);
    } finally {
      await prover.close();
      await batch.node.close();
    }
  });

  test('a batch from another state, or without a STARK root, is refused', async () => {
    const batch = await sequenceBatch();
    const prover = new StarkProver({ depth: DEPTH, chainId: CHAIN, accounts: genesisAccounts(), inline: true });
    const { results, failures } = collect(prover);
    try {
      const stray = { ...batch.output, oldRoots: [batch.output.oldRoots[0]!, batch.output.oldRoots[1]! + 1n] };
      await prover.submit(jobOf(stray, batch.ops));
      await prover.idle();
      const bare = { ...batch.output, oldRoots: [batch.output.oldRoots[0]!], newRoots: [batch.output.newRoots[0]!] };
      await prover.submit(jobOf(bare, batch.ops));
      await prover.idle();
      assert.equal(results.length, 0);
      assert.equal(failures.length, 2);
      assert.match(failures[0]!.error.message, /another state/);
      assert.match(failures[1]!.error.message, /no STARK root/);
      await assert.rejects(prover.submit({ ...jobOf(batch.output, batch.ops), system: 'snark' }));
    } finally {
      await prover.close();
      await batch.node.close();
    }
  });

  test('plugs into RollupNode as a prover queue', async () => {
    const prover = new StarkProver({ depth: DEPTH, chainId: CHAIN, accounts: genesisAccounts(), inline: true });
    const node = await RollupNode.open({
      config: starkTestConfig({ maxBatchOps: 4 }),
      store: new MemoryStore(),
      extraHashers: [poseidon2BabyBearHasher],
      provers: [prover],
    });
    const proven = new Promise<ProofResult>((resolve, reject) => {
      prover.onResult(resolve);
      prover.onFailure((f) => reject(f.error));
    });
    try {
      node.setL1Height(10);
      const { pub } = await import('../stark/batch-fixture.ts');
      for (const owner of [1, 2, 3])
        await node.addL1Item({
          type: 'deposit',
          txid: new Uint8Array(32).fill(owner),
          vout: 0,
          l1Height: 5,
          pubKey: pub(owner),
          amount: 1_000n,
        });
      await node.produceBlock();
      const result = await proven;
      const output = await node.getBatch(result.batchNumber);
      assert.ok(output);
      const items = [1, 2, 3].map((i) => node.queue.get(i - 1)!.item);
      const inputs = starkPublicInputs(output, { depth: DEPTH, l1Items: items });
      assert.equal(verifyBatchStark(result.proof, inputs).ok, true);
      // The node-side check: public inputs from the batch and the node's own L1 queue.
      const verifier = starkProofVerifier({ depth: DEPTH, l1Items: (i) => node.queue.get(i)?.item });
      assert.equal(verifier.system, 'stark');
      assert.equal(await verifier.verify(result, output), true);
      const flipped = result.proof.slice();
      flipped[100]! ^= 4;
      assert.equal(await verifier.verify({ ...result, proof: flipped }, output), false);
      assert.equal(await verifier.verify({ ...result, publicInput: result.publicInput + 1n }, output), false);
      const otherRoot = { ...output, newRoots: [output.newRoots[0]!, output.oldRoots[1]!] };
      assert.equal(await verifier.verify(result, otherRoot), false);
      const noQueue = starkProofVerifier({ depth: DEPTH, l1Items: () => undefined });
      assert.equal(await noQueue.verify(result, output), false);
    } finally {
      await prover.close();
      await node.close();
    }
  });
});

// Batch finality from the prover and anchorer seams: soft → posted → anchored → proven → final, back to posted only
// on an L1 reorg the anchorer reports (never from final), and proven only with both proofs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { FinalityTracker, KeelNode, rollupConfig } from '../../src/node/index.ts';
import type { Anchorer, AnchorUpdate, ProofVerifier } from '../../src/node/index.ts';
import { ChainId, MemoryStore, PendingProverQueue, deriveL2Key, packPoint } from '../../src/rollup/index.ts';
import type { BatchOutput } from '../../src/rollup/index.ts';
import { createKeelClient, http } from '../../src/sdk/index.ts';
import { until } from './helpers.ts';

const proof = (system: 'snark' | 'stark', batchNumber: number) => ({
  jobId: `${system}-${batchNumber}`,
  batchNumber,
  system,
  proof: new Uint8Array(1),
  publicInput: 1n,
});

describe('FinalityTracker', () => {
  it('moves a batch through every stage, requiring both proofs', () => {
    const t = new FinalityTracker();
    const seen: string[] = [];
    t.on('change', (c) => seen.push(`${c.batchNumber}:${c.status}`));
    assert.equal(t.status(1), 'soft');
    t.anchor({ batchNumber: 1, status: 'posted' });
    assert.equal(t.status(1), 'posted');
    t.proof(proof('snark', 1));
    assert.equal(t.status(1), 'posted', 'proofs do not skip anchoring');
    t.anchor({ batchNumber: 1, status: 'anchored' });
    assert.equal(t.status(1), 'anchored', 'one proof is not enough');
    t.proof(proof('stark', 1));
    assert.equal(t.status(1), 'proven');
    t.anchor({ batchNumber: 1, status: 'anchored' });
    assert.equal(t.status(1), 'proven', 'a repeated update changes nothing');
    t.anchor({ batchNumber: 1, status: 'final' });
    assert.equal(t.status(1), 'final');
    t.anchor({ batchNumber: 1, status: 'posted' });
    assert.equal(t.status(1), 'final', 'final is never revisited');
    assert.deepEqual(seen, ['1:posted', '1:anchored', '1:proven', '1:final']);
    assert.equal(t.status(2), 'soft');
  });

  it('an L1 reorg reported by the anchorer moves an anchored batch back to posted, and it re-anchors', () => {
    const t = new FinalityTracker(['snark']);
    const seen: string[] = [];
    t.on('change', (c) => seen.push(`${c.batchNumber}:${c.status}`));
    t.anchor({ batchNumber: 1, status: 'posted' });
    t.anchor({ batchNumber: 1, status: 'anchored' });
    t.anchor({ batchNumber: 2, status: 'posted' });
    t.anchor({ batchNumber: 2, status: 'anchored' });
    t.proof(proof('snark', 2));
    assert.equal(t.status(2), 'proven');
    // The commitments' block is reorged out: the anchorer reports both as posted again.
    t.anchor({ batchNumber: 1, status: 'posted' });
    t.anchor({ batchNumber: 2, status: 'posted' });
    assert.equal(t.status(1), 'posted');
    assert.equal(t.status(2), 'posted', 'a verified proof does not keep a batch proven without its anchor');
    t.anchor({ batchNumber: 1, status: 'anchored' });
    t.anchor({ batchNumber: 2, status: 'anchored' });
    assert.equal(t.status(1), 'anchored');
    assert.equal(t.status(2), 'proven', 'the proof still counts once re-anchored');
    assert.deepEqual(seen, [
      '1:posted',
      '1:anchored',
      '2:posted',
      '2:anchored',
      '2:proven',
      '1:posted',
      '2:posted',
      '1:anchored',
      '2:proven',
    ]);
  });

  it('without provers a batch is never proven', () => {
    const t = new FinalityTracker([]);
    t.anchor({ batchNumber: 1, status: 'final' });
    assert.equal(t.status(1), 'anchored');
  });
});

/**
 * Stand-in verifiers for the tracker's wiring: a proof "holds" when it is the byte 1 for the batch's public input.
 * Real Groth16 proofs through the same path are in proofs.test.ts.
 */
const markerVerifier = (system: 'snark' | 'stark'): ProofVerifier => ({
  system,
  key: { format: 'test-marker' },
  verify: async (result, batch) =>
    result.publicInput === batch.publicInput && result.proof.length === 1 && result.proof[0] === 1,
});

describe('finality over JSON-RPC (prover and anchorer seams)', () => {
  it('a batch and its transactions report posted → anchored → proven → final as the seams deliver', async () => {
    const snark = new PendingProverQueue('snark');
    const stark = new PendingProverQueue('stark');
    const submitted: BatchOutput[] = [];
    const listeners: ((u: AnchorUpdate) => void)[] = [];
    const anchorer: Anchorer = {
      async submit(batch) {
        submitted.push(batch);
      },
      onUpdate: (l) => listeners.push(l),
    };
    const alice = deriveL2Key(sha256(new TextEncoder().encode('finality alice')));
    const node = await KeelNode.start({
      rollup: rollupConfig({
        chainId: ChainId.regtest,
        feeAccountKey: deriveL2Key(sha256(new TextEncoder().encode('finality operator'))).publicKey,
        depth: 6,
        withdrawalDepth: 3,
        blockIntervalMs: 30,
        maxBatchOps: 3,
      }),
      store: new MemoryStore(),
      provers: [snark, stark],
      verifiers: [markerVerifier('snark'), markerVerifier('stark')],
      anchorer,
      rpc: { port: 0 },
    });
    const client = createKeelClient({ transport: http(node.rpcUrl) });
    try {
      // No Bitcoin here: the deposit goes straight into the queue (the watcher's path is tested elsewhere).
      node.rollup.setL1Height(1);
      await node.rollup.addL1Item({
        type: 'deposit',
        txid: new Uint8Array(32).fill(7),
        vout: 0,
        l1Height: 1,
        pubKey: alice.publicKey,
        amount: 10_000n,
      });
      await until('the deposit', () => client.getAccountByKey(packPoint(alice.publicKey)));
      const { id } = await client.transfer(alice, { to: 0, amount: 1n, fee: 1n });
      const tx = await client.waitForTransaction(id);
      const batch = await until('the batch', () => client.getBatch(tx.batch!));
      assert.equal(batch.status, 'soft');
      await until('the anchorer to get it', async () => submitted.some((b) => b.batchNumber === batch.batchNumber));
      await until('the provers to get it', async () => snark.jobs.length > 0 && stark.jobs.length > 0);
      const n = batch.batchNumber;
      const expect = async (status: string) => {
        assert.equal((await client.getBatch(n))!.status, status);
        assert.equal((await client.getTransaction(id)).status, status);
      };
      for (const l of listeners) l({ batchNumber: n, status: 'posted' });
      await expect('posted');
      for (const l of listeners) l({ batchNumber: n, status: 'anchored' });
      await expect('anchored');
      snark.deliver({
        jobId: snark.jobs[0]!.id,
        batchNumber: n,
        system: 'snark',
        proof: Uint8Array.of(1),
        publicInput: BigInt(batch.publicInput),
      });
      await until('the SNARK proof to count', async () => (await client.getBatch(n))!.proofs.length === 1);
      await expect('anchored');
      // A STARK result that does not hold is not counted: still anchored, still only the SNARK.
      stark.deliver({
        jobId: stark.jobs[0]!.id,
        batchNumber: n,
        system: 'stark',
        proof: Uint8Array.of(2),
        publicInput: BigInt(batch.publicInput),
      });
      await new Promise((r) => setTimeout(r, 100));
      await expect('anchored');
      assert.deepEqual((await client.getBatch(n))!.proofs, ['snark']);
      stark.deliver({
        jobId: stark.jobs[0]!.id,
        batchNumber: n,
        system: 'stark',
        proof: Uint8Array.of(1),
        publicInput: BigInt(batch.publicInput),
      });
      await until('proven', async () => (await client.getBatch(n))!.status === 'proven');
      await expect('proven');
      assert.deepEqual((await client.getTransaction(id)).proofs, ['snark', 'stark']);
      for (const l of listeners) l({ batchNumber: n, status: 'final' });
      await expect('final');
    } finally {
      await node.stop();
    }
  });
});

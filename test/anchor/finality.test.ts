import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { btcToSats } from '../../src/bitcoin/index.ts';
import { Anchorer, VerifierNode, chainScript, proofDigest } from '../../src/anchor/index.ts';
import type { AnchorUpdate, CommitmentHeader, Proofs, StatusChange } from '../../src/anchor/index.ts';
import type { BatchOutput } from '../../src/rollup/index.ts';
import { SEQUENCER_KEY, SEQUENCER_SECRET, deposit, mine, rollupConfig, startEnv } from './helpers.ts';
import type { Env } from './helpers.ts';

/**
 * The proof seam. No prover exists yet, so the checker here accepts exactly the proof bytes the test registered for a
 * header's public input and nothing else: it stands in for the SNARK/STARK verifiers to exercise the transitions.
 */
const registered = new Map<bigint, Proofs>();
async function checker(header: CommitmentHeader, proofs: Proofs) {
  const known = registered.get(header.dataDigest);
  const same = (a?: Uint8Array, b?: Uint8Array) => !!a && !!b && Buffer.from(a).equals(Buffer.from(b));
  return { snark: same(proofs.snark, known?.snark), stark: same(proofs.stark, known?.stark) };
}

describe('finality: anchored → proven → final, and proof checks in the verifier', () => {
  let env: Env;
  let anchorer: Anchorer;
  const batches: BatchOutput[] = [];
  const changes: StatusChange[] = [];
  const updates: AnchorUpdate[] = [];

  before(async () => {
    env = await startEnv();
    anchorer = new Anchorer({
      client: env.client,
      secretKey: SEQUENCER_SECRET,
      genesis: env.genesis,
      confirmations: 1,
      finalityBlocks: 2,
      proofChecker: checker,
    });
    // Wired as KeelNode wires it (src/node): batches through the seam's submit, updates through onUpdate.
    const seam = anchorer.nodeSeam(env.rollup);
    env.rollup.on('batch', (b) => void seam.submit(b));
    seam.onUpdate((u) => updates.push(u));
    anchorer.on('status', (c) => changes.push(c));
    env.rollup.on('batch', (b) => batches.push(b));
  });

  after(async () => {
    await env.rollup.close();
    await env.bitcoin.stop();
  });

  it('a batch with both proofs verified becomes proven, then final after the window', async () => {
    await env.rollup.addL1Item(deposit(1, 10_000n));
    await env.rollup.produceBlock();
    const batch = batches.at(-1)!;
    const proofs = { snark: Uint8Array.of(1, 2, 3), stark: Uint8Array.of(4, 5, 6, 7) };
    registered.set(batch.dataDigest, proofs);
    anchorer.attachProofs(batch.batchNumber, proofs);
    const record = anchorer.status(batch.batchNumber)!;
    assert.equal(record.header.snarkProofDigest, proofDigest(proofs.snark));
    await anchorer.tick();
    assert.throws(() => anchorer.attachProofs(batch.batchNumber, proofs), /already posted/);
    await mine(env);
    await anchorer.tick();
    assert.equal(record.status, 'proven');
    await mine(env, 2);
    await anchorer.tick();
    assert.equal(record.status, 'final');
    assert.deepEqual(
      changes.map((c) => c.status),
      ['posted', 'anchored', 'proven', 'final'],
    );
    const txid = record.built!.commit.txid;
    assert.deepEqual(updates, [
      { batchNumber: batch.batchNumber, status: 'posted', l1Txid: txid },
      { batchNumber: batch.batchNumber, status: 'anchored', l1Txid: txid },
      { batchNumber: batch.batchNumber, status: 'final', l1Txid: txid },
    ]);
    const verifier = new VerifierNode({
      client: env.client,
      genesis: env.genesis,
      sequencerKey: SEQUENCER_KEY,
      rollup: rollupConfig(),
      startHeight: 1,
      proofChecker: checker,
    });
    await verifier.sync();
    assert.equal(verifier.batchNumber, batch.batchNumber);
    assert.deepEqual(verifier.roots, env.rollup.roots);
  });

  it('a batch whose proof does not verify stays anchored, and the verifier flags it (snarkProof)', async () => {
    await env.rollup.addL1Item(deposit(2, 20_000n));
    await env.rollup.produceBlock();
    const batch = batches.at(-1)!;
    registered.set(batch.dataDigest, { snark: Uint8Array.of(9), stark: Uint8Array.of(8) });
    anchorer.attachProofs(batch.batchNumber, { snark: Uint8Array.of(1), stark: Uint8Array.of(8) });
    await anchorer.tick();
    await mine(env, 3);
    await anchorer.tick();
    assert.equal(anchorer.status(batch.batchNumber)!.status, 'anchored');
    const verifier = new VerifierNode({
      client: env.client,
      genesis: env.genesis,
      sequencerKey: SEQUENCER_KEY,
      rollup: rollupConfig(),
      startHeight: 1,
      proofChecker: checker,
    });
    await verifier.sync();
    assert.equal(verifier.batchNumber, batch.batchNumber - 1);
    assert.deepEqual(
      verifier.flagged.map((f) => [f.batchNumber, f.check]),
      [[batch.batchNumber, 'snarkProof']],
    );
  });
  it('a restarted sequencer resumes the chain from what a verifier reads on Bitcoin', async () => {
    const verifier = new VerifierNode({
      client: env.client,
      genesis: env.genesis,
      sequencerKey: SEQUENCER_KEY,
      rollup: rollupConfig(),
      startHeight: 1,
      proofChecker: checker,
    });
    await verifier.sync();
    // The flagged batch above consumed a chain link but not its batch number.
    const lastBatch = verifier.batchNumber;
    const tip = verifier.chainOutpoint;
    const out = await env.client.getTxOut(tip.txid, tip.vout);
    assert.ok(out);
    const restarted = new Anchorer({
      client: env.client,
      secretKey: SEQUENCER_SECRET,
      genesis: env.genesis,
      confirmations: 1,
      resume: {
        chain: { ...tip, amount: btcToSats(out.value), script: chainScript(SEQUENCER_KEY) },
        lastCommitment: verifier.lastCommitmentId,
        lastBatch,
      },
    });
    // Re-post the batch the verifier rejected, as the sequencer would after a restart.
    const redo = batches.find((b) => b.batchNumber === lastBatch + 1)!;
    restarted.submit(redo, redo.queueStart === redo.queueEnd ? [] : [env.rollup.queue.get(redo.queueStart)!.item]);
    assert.throws(() => restarted.submit(redo, []), /expected/);
    await restarted.tick();
    await mine(env);
    await restarted.tick();
    assert.equal(restarted.status(redo.batchNumber)?.status, 'anchored');
    await verifier.sync();
    assert.equal(verifier.batchNumber, redo.batchNumber);
    assert.deepEqual(verifier.roots, env.rollup.roots);
  });
});

// Batch proofs in the node: a prover's result counts only once it verifies against the batch (real Groth16 proofs
// and key, see proof-fixture.ts), verified proofs and anchor stages survive a restart on LevelDB, keel_getBatchProof
// serves them with the key, and `keel verify-batch` checks them locally.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { KeelNode, NODE_RPC_CODES, provingStart, rollupConfig, snarkProofVerifier } from '../../src/node/index.ts';
import type { Anchorer, AnchorUpdate, KeelNodeOptions } from '../../src/node/index.ts';
import {
  ChainId,
  LevelStore,
  PendingProverQueue,
  State,
  deriveL2Key,
  packPoint,
  poseidonBn254Hasher,
} from '../../src/rollup/index.ts';
import type { BatchOutput } from '../../src/rollup/index.ts';
import { releaseSnarkjs, verificationKeyToSnarkjs } from '../../src/snark/index.ts';
import type { VerificationKey } from '../../src/snark/index.ts';
import { KeelRpcError, createKeelClient, http } from '../../src/sdk/index.ts';
import type { KeelClient } from '../../src/sdk/index.ts';
import { verifyBatchLocally } from '../../src/cli/commands/verify-batch.ts';
import { keel } from '../cli/helpers.ts';
import { anyInputKeys, proofFor } from './proof-fixture.ts';
import { until } from './helpers.ts';

const key = (label: string) => deriveL2Key(sha256(new TextEncoder().encode(`proofs test ${label}`)));
const alice = key('alice');
const config = rollupConfig({
  chainId: ChainId.regtest,
  feeAccountKey: key('operator').publicKey,
  depth: 6,
  withdrawalDepth: 3,
  blockIntervalMs: 30,
  maxBatchOps: 3,
});

/** The anchorer seam, driven by the test (the real anchorer's path is tested in test/node/anchoring.test.ts). */
function testAnchorer(): Anchorer & { say(u: AnchorUpdate): void } {
  const listeners: ((u: AnchorUpdate) => void)[] = [];
  return {
    async submit() {},
    onUpdate: (l) => void listeners.push(l),
    say: (u) => listeners.forEach((l) => l(u)),
  };
}

type Running = {
  node: KeelNode;
  client: KeelClient;
  snark: PendingProverQueue;
  anchorer: ReturnType<typeof testAnchorer>;
};

async function start(dir: string, vk: VerificationKey, lines: string[] = []): Promise<Running> {
  const snark = new PendingProverQueue('snark');
  const anchorer = testAnchorer();
  const options: KeelNodeOptions = {
    rollup: config,
    store: await LevelStore.open(dir),
    provers: [snark],
    verifiers: [snarkProofVerifier(vk)],
    anchorer,
    rpc: { port: 0 },
    log: (l) => lines.push(l),
  };
  const node = await KeelNode.start(options);
  return { node, client: createKeelClient({ transport: http(node.rpcUrl) }), snark, anchorer };
}

let queueIndex = 0;
/** A deposit straight into the queue (no Bitcoin here), then a transfer; resolves with the batch that holds it. */
async function closeBatch(r: Running): Promise<{ batch: BatchOutput; txId: string }> {
  r.node.rollup.setL1Height(1);
  await r.node.rollup.addL1Item({
    type: 'deposit',
    txid: new Uint8Array(32).fill(++queueIndex),
    vout: 0,
    l1Height: 1,
    pubKey: alice.publicKey,
    amount: 10_000n,
  });
  await until('the deposit', async () => r.node.rollup.queue.consumed >= queueIndex);
  await until('the account', () => r.client.getAccountByKey(packPoint(alice.publicKey)));
  const { id } = await r.client.transfer(alice, { to: 0, amount: 1n, fee: 1n });
  const tx = await r.client.waitForTransaction(id);
  await until('the batch', () => r.client.getBatch(tx.batch!));
  const batch = (await r.node.rollup.getBatch(tx.batch!))!;
  await until('the prover job', async () => r.snark.jobs.some((j) => j.output.batchNumber === batch.batchNumber));
  return { batch, txId: id };
}

const deliver = (r: Running, batch: BatchOutput, proof: Uint8Array, publicInput = batch.publicInput) =>
  r.snark.deliver({
    jobId: `snark-${batch.batchNumber}`,
    batchNumber: batch.batchNumber,
    system: 'snark',
    proof,
    publicInput,
  });

describe('batch proofs in the node', () => {
  let dir: string;
  let vk: VerificationKey;
  let r: Running;
  let first: { batch: BatchOutput; txId: string };
  let second: { batch: BatchOutput; txId: string };
  let goodProof: Uint8Array;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-proofs-'));
    vk = (await anyInputKeys()).vk;
    r = await start(join(dir, 'l2'), vk, lines);
    first = await closeBatch(r);
    goodProof = await proofFor(first.batch.publicInput);
  });
  after(async () => {
    await r?.node.stop();
    await releaseSnarkjs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keel_getBatchProof: unknown batch, no proof yet, bad params each get a clear JSON-RPC error', async () => {
    const code = async (n: unknown) => {
      try {
        await r.client.transport.request('keel_getBatchProof', [n]);
        return 'no error';
      } catch (err) {
        assert.ok(err instanceof KeelRpcError);
        return `${err.code} ${err.reason}`;
      }
    };
    assert.equal(await code(999), `${NODE_RPC_CODES.UNKNOWN_BATCH} UNKNOWN_BATCH`);
    assert.equal(await code(0), `${NODE_RPC_CODES.UNKNOWN_BATCH} UNKNOWN_BATCH`);
    assert.equal(await code(first.batch.batchNumber), `${NODE_RPC_CODES.PROOF_NOT_READY} PROOF_NOT_READY`);
    assert.equal(await code('1'), '-32602 INVALID_PARAMS');
  });

  it('a proof that does not verify is ignored: flipped byte, other public input, other batch, garbage', async () => {
    r.anchorer.say({ batchNumber: first.batch.batchNumber, status: 'posted' });
    r.anchorer.say({ batchNumber: first.batch.batchNumber, status: 'anchored' });
    const flipped = goodProof.slice();
    flipped[40]! ^= 1;
    const otherInput = first.batch.publicInput + 1n;
    deliver(r, first.batch, flipped);
    // A genuine proof, but of another public input: claimed as the batch's, and claimed honestly.
    const otherProof = await proofFor(otherInput);
    deliver(r, first.batch, otherProof);
    deliver(r, first.batch, otherProof, otherInput);
    deliver(r, first.batch, goodProof, otherInput);
    deliver(r, first.batch, new Uint8Array(3));
    r.snark.deliver({
      jobId: 'x',
      batchNumber: 77,
      system: 'snark',
      proof: goodProof,
      publicInput: first.batch.publicInput,
    });
    await until('every rejection', async () => lines.filter((l) => / ignored: /.test(l)).length >= 6);
    const b = (await r.client.getBatch(first.batch.batchNumber))!;
    assert.equal(b.status, 'anchored');
    assert.deepEqual(b.proofs, []);
    const metrics = await (await fetch(`${r.node.rpcUrl}/metrics`)).text();
    assert.match(metrics, /keel_proofs_rejected_total 6/);
    assert.match(
      lines.find((l) => l.includes('batch 77'))!,
      /no such closed batch/,
    );
    await assert.rejects(r.client.getBatchProof(first.batch.batchNumber), /no verified proof yet/);
  });

  it('the real proof verifies: the batch and its transaction become proven (snark), and the proof is served', async () => {
    deliver(r, first.batch, goodProof);
    const n = first.batch.batchNumber;
    await until('proven', async () => (await r.client.getBatch(n))!.status === 'proven');
    const tx = await r.client.getTransaction(first.txId);
    assert.equal(tx.status, 'proven');
    assert.deepEqual(tx.proofs, ['snark']);
    const served = await r.client.getBatchProof(n);
    assert.equal(served.batchNumber, n);
    assert.equal(served.publicInput, `0x${first.batch.publicInput.toString(16)}`);
    assert.equal(served.proofs.length, 1);
    const [entry] = served.proofs;
    assert.equal(entry!.system, 'snark');
    assert.equal(entry!.verified, true);
    assert.equal(entry!.proof, Buffer.from(goodProof).toString('hex'));
    assert.deepEqual(entry!.key, { format: 'snarkjs-groth16-bn254', verificationKey: verificationKeyToSnarkjs(vk) });
    // The CLI's local check, on what the node serves.
    const batchJson = (await r.client.getBatch(n))!;
    assert.deepEqual(
      verifyBatchLocally(batchJson, served).map((v) => `${v.system}:${v.ok}`),
      ['input:true', 'snark:true'],
    );
    // Tampered answers fail the local check, each for its own reason.
    const tamperedBatch = { ...batchJson, dataDigest: '0x1' };
    assert.deepEqual(
      verifyBatchLocally(tamperedBatch, served).map((v) => v.ok),
      [false, false],
    );
    const flipped = entry!.proof.slice(0, 100) + (entry!.proof[100] === '0' ? '1' : '0') + entry!.proof.slice(101);
    const badProof = { ...served, proofs: [{ ...entry!, proof: flipped }] };
    assert.deepEqual(
      verifyBatchLocally(batchJson, badProof).map((v) => v.ok),
      [true, false],
    );
    const stark = { ...served, proofs: [...served.proofs, { ...entry!, system: 'stark' as const }] };
    assert.match(verifyBatchLocally(batchJson, stark)[2]!.reason, /unknown key format snarkjs-groth16-bn254/);
    assert.match(await (await fetch(`${r.node.rpcUrl}/metrics`)).text(), /keel_proofs_verified_total 1/);
  });

  it('keel tx shows proven (snark); keel verify-batch checks it (✔, exit 0) and refuses what it cannot check', async () => {
    const rpc = ['--rpc', r.node.rpcUrl, '--datadir', dir];
    const tx = await keel(['tx', first.txId, ...rpc]);
    assert.equal(tx.code, 0, tx.stderr);
    assert.match(tx.stdout, /status {4}proven \(snark\): L2 block \d+/);
    assert.match(tx.stdout, /finality {2}soft ✔ → posted ✔ → anchored ✔ → proven \(snark\) ✔ → final ·/);

    const n = String(first.batch.batchNumber);
    const ok = await keel(['verify-batch', n, ...rpc]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /✔ input {2}public input 0x[0-9a-f]+ recomputed from the batch output/);
    assert.match(ok.stdout, /✔ snark {2}Groth16 proof verifies \(served key [0-9a-f]{16}\)/);

    // With the right key given locally it verifies too; with another key it does not.
    const right = join(dir, 'vk.json');
    writeFileSync(right, JSON.stringify(verificationKeyToSnarkjs(vk)));
    const local = await keel(['verify-batch', n, '--vk', right, ...rpc]);
    assert.equal(local.code, 0, local.stdout + local.stderr);
    assert.match(local.stdout, /✔ snark {2}Groth16 proof verifies \(local key/);
    const wrong = join(dir, 'wrong-vk.json');
    writeFileSync(wrong, JSON.stringify(verificationKeyToSnarkjs({ ...vk, ic: [vk.ic[1]!, vk.ic[0]!] })));
    const bad = await keel(['verify-batch', n, '--vk', wrong, ...rpc]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✖ snark {2}Groth16 proof does not verify \(local key/);

    const unknown = await keel(['verify-batch', '999', ...rpc]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /✖ batch 999 is unknown to the node/);
    second = await closeBatch(r);
    const unproven = await keel(['verify-batch', String(second.batch.batchNumber), ...rpc]);
    assert.equal(unproven.code, 1);
    assert.match(unproven.stdout, /✖ batch \d+: batch \d+ has no verified proof yet \(status soft\)/);
    const usage = await keel(['verify-batch', 'x', ...rpc]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /needs a batch number/);
  });

  it('after a restart on the same LevelDB: proven stays proven, the proof is served, unproven batches are resubmitted', async () => {
    const n = first.batch.batchNumber;
    const before = await r.client.getBatchProof(n);
    await r.node.stop();
    const dbPath = join(dir, 'l2');
    // Where a prover resumes: after the proven batch, from the state at its end.
    const store = await LevelStore.open(dbPath);
    const resume = await provingStart(store, config, 'snark');
    await store.close();
    assert.equal(resume.nextBatch, n + 1);
    const state = new State(config.depth, [poseidonBn254Hasher]);
    state.commit(new Map(resume.accounts));
    assert.equal(state.roots[0], first.batch.newRoots[0]);

    r = await start(dbPath, vk, lines);
    assert.equal((await r.client.getBatch(n))!.status, 'proven');
    assert.deepEqual((await r.client.getTransaction(first.txId)).proofs, ['snark']);
    assert.deepEqual(await r.client.getBatchProof(n), before);
    // The second batch was closed but never proven: the new prover queue gets it again (and not the first).
    const resubmitted = r.snark.jobs.map((j) => j.output.batchNumber);
    assert.equal(resubmitted[0], second.batch.batchNumber);
    assert.ok(!resubmitted.includes(n));
    const job = r.snark.jobs[0]!;
    assert.equal(job.output.publicInput, second.batch.publicInput);
    assert.ok(job.ops.some((op) => op.kind === 'transfer'));
    assert.equal(job.ops.at(-1)!.kind, 'feeCredit');
  });

  it('a node with a prover but no verifier for its system refuses to start', async () => {
    await assert.rejects(
      KeelNode.start({
        rollup: config,
        store: await LevelStore.open(join(dir, 'other')),
        provers: [new PendingProverQueue('stark')],
        verifiers: [snarkProofVerifier(vk)],
        rpc: { port: 0 },
      }),
      /a stark prover needs a stark verifier/,
    );
  });
});

// A real batch proven by the prover service (worker thread, snarkjs Groth16) and checked by verifyBatchProof, which
// needs only the verification key and must reject every altered proof or public input without throwing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as snarkjs from 'snarkjs';
import { MemoryStore, RollupNode } from '../../src/rollup/index.ts';
import type { BatchOutput, Op, ProofResult } from '../../src/rollup/index.ts';
import {
  FileProofStore,
  PROOF_BYTES,
  SCALAR_MODULUS,
  SnarkProver,
  batchCircuitSpec,
  decodeProof,
  encodeProof,
  proofToSnarkjs,
  releaseSnarkjs,
  setupCircuit,
  verificationKeyFromSnarkjs,
  verificationKeyToSnarkjs,
  verifyBatchProof,
} from '../../src/snark/index.ts';
import type { CircuitKeys, ProverFailure } from '../../src/snark/index.ts';
import {
  CHAIN_ID,
  SMALL,
  deposit,
  forcedExit,
  genesis,
  itemsOf,
  key,
  rollupReference,
  transfer,
  withdraw,
} from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-proofs-'));
let keys: CircuitKeys;
let prover: SnarkProver;
let result: ProofResult;
const failures: ProverFailure[] = [];
const tree = genesis(SMALL.depth, 4, 1_000_000n);
const ops: Op[] = [
  deposit(0, 4, 5, 50_000n),
  transfer(1, 2, 1000n, 10n, 0),
  withdraw(2, 5000n, 20n, 0),
  forcedExit(1, 3, 0, true),
  { kind: 'feeCredit', amount: 30n },
];
const reference = rollupReference(
  tree,
  ops,
  { batchNumber: 1, queueStart: 0, items: itemsOf(ops) },
  SMALL.withdrawalDepth,
);

before(async () => {
  keys = await setupCircuit(batchCircuitSpec(SMALL));
  prover = new SnarkProver({
    shape: SMALL,
    keys,
    accounts: tree.entries().map(([i, a]) => [i, { ...a, nonce: Number(a.nonce) }] as const),
    store: new FileProofStore(dir),
  });
  prover.onFailure((f) => failures.push(f));
  const results: ProofResult[] = [];
  prover.onResult((r) => results.push(r));
  await prover.submit({ id: 'snark-1', system: 'snark', output: reference.output, ops });
  await prover.idle();
  assert.deepEqual(failures, []);
  assert.equal(results.length, 1);
  result = results[0]!;
});

after(async () => {
  await prover?.close();
  await releaseSnarkjs();
  rmSync(dir, { recursive: true, force: true });
});

describe('Groth16 batch proof (deposit, transfer, withdraw, forced exit)', () => {
  test('the prover proves the rollup batch and stores the proof', async () => {
    assert.equal(result.batchNumber, 1);
    assert.equal(result.system, 'snark');
    assert.equal(result.publicInput, reference.publicInput);
    assert.equal(result.proof.length, PROOF_BYTES);
    const stored = await prover.store.get(1);
    assert.ok(stored);
    assert.deepEqual(stored.proof, result.proof);
    assert.equal(stored.publicInput, reference.publicInput);
  });

  test('verifyBatchProof accepts it', () => {
    assert.equal(verifyBatchProof(keys.vk, reference.publicInput, result.proof), true);
    assert.equal(verifyBatchProof(keys.vk, reference.publicInput, decodeProof(result.proof)), true);
  });

  test('snarkjs agrees with our verifier, and the key survives a JSON round trip', async () => {
    const proof = decodeProof(result.proof);
    assert.deepEqual(decodeProof(encodeProof(proof)), proof);
    const vkJson = verificationKeyToSnarkjs(keys.vk);
    assert.deepEqual(verificationKeyFromSnarkjs(JSON.parse(JSON.stringify(vkJson))), keys.vk);
    assert.equal(
      await snarkjs.groth16.verify(keys.vkJson, [reference.publicInput.toString()], proofToSnarkjs(proof)),
      true,
    );
    assert.equal(
      await snarkjs.groth16.verify(keys.vkJson, [(reference.publicInput + 1n).toString()], proofToSnarkjs(proof)),
      false,
    );
  });

  test('every single flipped byte makes the proof invalid', () => {
    const accepted: number[] = [];
    for (let i = 0; i < PROOF_BYTES; i++) {
      const bad = result.proof.slice();
      bad[i] = bad[i]! ^ 0x01;
      if (verifyBatchProof(keys.vk, reference.publicInput, bad)) accepted.push(i);
    }
    assert.deepEqual(accepted, []);
  });

  test('the proof is rejected against any other public input', () => {
    for (const other of [reference.publicInput + 1n, reference.publicInput - 1n, 0n, 1n, SCALAR_MODULUS - 1n]) {
      assert.equal(verifyBatchProof(keys.vk, other, result.proof), false, `accepted for ${other}`);
    }
    // A field element is below the modulus: the same input plus r must not alias.
    assert.equal(verifyBatchProof(keys.vk, reference.publicInput + SCALAR_MODULUS, result.proof), false);
  });

  test('malformed proofs, keys and inputs give false, never an exception', () => {
    const garbage: unknown[] = [
      new Uint8Array(0),
      new Uint8Array(255),
      new Uint8Array(257),
      new Uint8Array(256).fill(0xff),
      new Uint8Array(256),
    ];
    for (const proof of garbage)
      assert.equal(verifyBatchProof(keys.vk, reference.publicInput, proof as Uint8Array), false);
    const p = decodeProof(result.proof);
    assert.equal(verifyBatchProof(keys.vk, reference.publicInput, { ...p, a: [p.a[0], p.a[1] + 1n] }), false);
    assert.equal(verifyBatchProof(keys.vk, reference.publicInput, { ...p, b: [p.b[1], p.b[0]] }), false);
    assert.equal(
      verifyBatchProof({ ...keys.vk, ic: [...keys.vk.ic, keys.vk.ic[0]!] }, reference.publicInput, result.proof),
      false,
    );
    assert.equal(verifyBatchProof(keys.vk, -1n, result.proof), false);
    assert.equal(verifyBatchProof(keys.vk, 5 as unknown as bigint, result.proof), false);
    assert.equal(verifyBatchProof(null as unknown as typeof keys.vk, reference.publicInput, result.proof), false);
  });

  test('a batch from a state the prover does not have is refused, not proven', async () => {
    const before = failures.length;
    const stray = { ...reference.output, batchNumber: 2, oldRoots: [reference.output.oldRoots[0]! + 1n] };
    await prover.submit({ id: 'snark-2', system: 'snark', output: stray, ops });
    await prover.idle();
    assert.equal(failures.length, before + 1);
    assert.match(failures[failures.length - 1]!.error.message, /another state/);
    assert.equal(await prover.store.get(2), undefined);
  });
});

describe('the rollup node hands its batches to the SNARK prover', () => {
  test('a batch sequenced by RollupNode (deposits, transfer, withdraw) is proven and verifies', async () => {
    const operator = key(1);
    // The prover starts from the node's genesis: the operator's fee account alone.
    const nodeProver = new SnarkProver({
      shape: SMALL,
      keys,
      accounts: [[0, { ax: operator.ax, ay: operator.ay, balance: 0n, nonce: 0 }]],
    });
    const node = await RollupNode.open({
      config: {
        chainId: CHAIN_ID,
        depth: SMALL.depth,
        withdrawalDepth: SMALL.withdrawalDepth,
        feeAccountKey: { x: operator.ax, y: operator.ay },
        blockIntervalMs: 1000,
        // The circuit has SMALL.slots slots; the fee credit is the batch's last operation.
        maxBlockOps: SMALL.slots,
        maxBatchOps: SMALL.slots + 1,
        maxBatchAgeMs: 3_600_000,
        mempool: { maxSize: 100, maxPerAccount: 8 },
      },
      store: new MemoryStore(),
      provers: [nodeProver],
    });
    const proven = new Promise<ProofResult>((resolve, reject) => {
      nodeProver.onResult(resolve);
      nodeProver.onFailure((f) => reject(f.error));
    });
    let output: BatchOutput | undefined;
    node.on('batch', (b) => {
      output = b;
    });
    try {
      for (const [queueIndex, index, seed] of [
        [0, 1, 2],
        [1, 2, 3],
      ] as const) {
        const op = deposit(queueIndex, index, seed, 100_000n);
        if (op.kind !== 'deposit') throw new Error('unreachable');
        await node.addL1Item(op.item);
        node.setL1Height(op.item.l1Height);
      }
      await node.produceBlock();
      for (const op of [transfer(1, 2, 2_500n, 7n, 0), withdraw(2, 1_000n, 3n, 0)]) {
        if (op.kind !== 'transfer' && op.kind !== 'withdraw') throw new Error('unreachable');
        await node.submitTransaction(op.tx);
      }
      await node.produceBlock({ force: true });
      assert.ok(output, 'the node closed a batch');
      const result = await proven;
      assert.equal(result.batchNumber, output.batchNumber);
      assert.equal(result.publicInput, output.publicInput);
      assert.equal(verifyBatchProof(nodeProver.verificationKey, output.publicInput, result.proof), true);
    } finally {
      await nodeProver.close();
      await node.close();
    }
  });
});

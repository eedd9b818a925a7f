// `npm run bench:snark [-- --slots N --depth D]`: the batch circuit at the largest N that fits 2^17 constraints at the
// protocol's depth. Checks the circuit against the rollup's state machine before timing anything.
import { parseArgs } from 'node:util';
import * as snarkjs from 'snarkjs';
import { printTable } from '../src/shared/index.ts';
import {
  DEFAULT_BATCH_SHAPE,
  PROOF_BYTES,
  batchCircuitSpec,
  buildBatchWitness,
  decodeProof,
  encodeProof,
  proofFromSnarkjs,
  releaseSnarkjs,
  setupCircuit,
  verifyBatchProof,
} from '../src/snark/index.ts';
import { compileCircuit } from '../src/snark/compile.ts';
import { requiredPower } from '../src/snark/setup.ts';
import { calculateWitness } from '../src/snark/prove.ts';
import { readWitness } from '../src/snark/wtns.ts';
import type { Op } from '../src/rollup/index.ts';
import { CHAIN_ID, genesis, itemsOf, rollupReference, transfer } from '../test/snark/fixtures.ts';

const { values } = parseArgs({
  options: {
    slots: { type: 'string', default: String(DEFAULT_BATCH_SHAPE.slots) },
    depth: { type: 'string', default: String(DEFAULT_BATCH_SHAPE.depth) },
  },
});
const shape = {
  slots: Number(values.slots),
  depth: Number(values.depth),
  withdrawalDepth: DEFAULT_BATCH_SHAPE.withdrawalDepth,
};

const keys = await setupCircuit(batchCircuitSpec(shape));
// The marginal cost of a slot: the same circuit with one slot fewer (compile only, no setup).
const smaller =
  shape.slots > 1 ? await compileCircuit(batchCircuitSpec({ ...shape, slots: shape.slots - 1 })) : undefined;

// A full batch of transfers between funded accounts, the common case.
const tree = genesis(shape.depth, shape.slots + 2, 10_000_000n);
const ops: Op[] = [];
let fees = 0n;
for (let j = 0; j < shape.slots; j++) {
  ops.push(transfer(1 + j, 2 + j, 12_345n + BigInt(j), 250n, 0));
  fees += 250n;
}
ops.push({ kind: 'feeCredit', amount: fees });

// Check before timing: twin, rollup and circuit agree on the public input.
const reference = rollupReference(
  tree,
  ops,
  { batchNumber: 1, queueStart: 0, items: itemsOf(ops) },
  shape.withdrawalDepth,
);
const t0 = performance.now();
const witness = buildBatchWitness(
  shape,
  { batchNumber: 1, chainId: CHAIN_ID, queueStart: 0, queueStartHash: 0n },
  tree,
  ops,
);
const twinMs = performance.now() - t0;
if (witness.publicInput !== reference.publicInput) throw new Error('twin and rollup disagree on the public input');

const t1 = performance.now();
const wtns = await calculateWitness(keys.circuit, witness.input);
const witnessMs = performance.now() - t1;
if (readWitness(wtns)[1] !== reference.publicInput) throw new Error('circuit and rollup disagree on the public input');

const t2 = performance.now();
const { proof: proofJson, publicSignals } = await snarkjs.groth16.prove(keys.zkeyPath, wtns);
const proveMs = performance.now() - t2;
const proof = proofFromSnarkjs(proofJson);
const proofBytes = encodeProof(proof);
if (publicSignals[0] !== reference.publicInput.toString()) throw new Error('proof is for another public input');
if (!verifyBatchProof(keys.vk, reference.publicInput, proofBytes)) throw new Error('the proof does not verify');
if (verifyBatchProof(keys.vk, reference.publicInput + 1n, proofBytes))
  throw new Error('the proof verifies a wrong input');
if (decodeProof(proofBytes).a[0] !== proof.a[0]) throw new Error('proof encoding does not round-trip');

const runs = 10;
const t3 = performance.now();
for (let i = 0; i < runs; i++)
  if (!verifyBatchProof(keys.vk, reference.publicInput, proofBytes)) throw new Error('verify failed');
const verifyMs = (performance.now() - t3) / runs;
await releaseSnarkjs();

const constraints = keys.circuit.constraints;
const perTx = Math.round(constraints / shape.slots);
const marginal = smaller ? constraints - smaller.constraints : constraints;
const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
printTable(
  ['measure', 'value'],
  [
    ['slots (N) / state depth / withdrawal depth', `${shape.slots} / ${shape.depth} / ${shape.withdrawalDepth}`],
    ['constraints (--O2)', constraints],
    ['Groth16 domain / ptau', `2^${requiredPower(constraints, 1)} / 2^${keys.ptau.power}`],
    ['constraints per tx (total / N)', perTx],
    ['constraints per extra slot (marginal)', marginal],
    ['batch overhead (fee credit, withdrawal tree, public input)', constraints - marginal * shape.slots],
    ['--inspect warnings (all in circomlib, see README)', keys.circuit.warnings.length],
    ['twin witness build (ms)', twinMs.toFixed(0)],
    ['witness generation, wasm (ms)', witnessMs.toFixed(0)],
    ['proving, snarkjs groth16 (ms)', proveMs.toFixed(0)],
    ['verification, verifyBatchProof (ms, mean of 10)', verifyMs.toFixed(1)],
    ['peak memory, this process (MB)', peakMb],
    ['proof size (bytes, uncompressed G1/G2)', PROOF_BYTES],
  ],
);
console.log(
  JSON.stringify({
    bench: 'snark',
    n: shape.slots,
    depth: shape.depth,
    constraints,
    constraints_per_tx: perTx,
    constraints_per_slot_marginal: marginal,
    witness_ms: Math.round(witnessMs),
    prove_ms: Math.round(proveMs),
    verify_ms: Number(verifyMs.toFixed(1)),
    peak_mb: peakMb,
    proof_bytes: PROOF_BYTES,
  }),
);

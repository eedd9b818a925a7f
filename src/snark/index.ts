// Public API of the SNARK module. Plain types only: nothing from snarkjs, circom or ffjavascript (GPL-3.0) leaks out.
export { SnarkError, CircuitCompileError, PtauError, WitnessError, ProveError, ProofFormatError } from './errors.ts';
export {
  verifyBatchProof,
  encodeProof,
  decodeProof,
  PROOF_BYTES,
  SCALAR_MODULUS,
  verificationKeyFromSnarkjs,
  verificationKeyToSnarkjs,
  proofFromSnarkjs,
  proofToSnarkjs,
} from './groth16.ts';
export type {
  G1Point,
  G2Point,
  Groth16Proof,
  VerificationKey,
  SnarkjsProofJson,
  SnarkjsVerificationKeyJson,
} from './groth16.ts';
export { batchCircuitSpec, DEFAULT_BATCH_SHAPE } from './circuit.ts';
export type { CircuitSpec, CompiledCircuit } from './compile.ts';
export type { BatchShape, BatchHeader, BatchWitness } from './witness.ts';
export { buildBatchWitness, batchPublicInput } from './witness.ts';
export { StateTree } from './tree.ts';
export { setupCircuit, releaseSnarkjs } from './setup.ts';
export { calculateWitness, proveWitness } from './prove.ts';
export type { CircuitKeys, SetupOptions } from './setup.ts';
export { SnarkProver } from './prover.ts';
export type { SnarkProverOptions, ProverFailure } from './prover.ts';
export { MemoryProofStore, FileProofStore } from './store.ts';
export type { ProofStore, StoredProof } from './store.ts';
export { writeDevPtau, resolvePtau, devCeremonySecrets, DEV_CEREMONY_LABEL } from './ptau.ts';
export type { PtauInfo } from './ptau.ts';

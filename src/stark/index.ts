/**
 * Keel's STARK library: BabyBear field and its quartic extension, NTT/LDE, SHA-256 Merkle trees,
 * a Fiat–Shamir transcript, an AIR API, DEEP-ALI + FRI prover and verifier with grinding, a
 * versioned proof format, and Poseidon2 (hash, compression and AIR). No dependency on the rest of
 * Keel.
 */
export { StarkError, type StarkErrorCode } from './errors.ts';
export {
  P,
  GENERATOR,
  TWO_ADICITY,
  add,
  sub,
  neg,
  mul,
  square,
  pow,
  inv,
  reduce,
  fromInt,
  isCanonical,
  rootOfUnity,
  batchInverse,
  powers,
} from './field.ts';
export {
  type Ext,
  EXT_DEGREE,
  EXT_ZERO,
  EXT_ONE,
  ext,
  extAdd,
  extSub,
  extNeg,
  extMul,
  extScale,
  extSquare,
  extPow,
  extInv,
  extDiv,
  extEq,
  extFromBase,
  extIsCanonical,
} from './ext.ts';
export { ntt, intt, evaluateOnCoset, interpolateCoset, lowDegreeExtend, evaluatePoly, log2Exact } from './ntt.ts';
export { sha256 } from './hash.ts';
export { MerkleTree, hashLeaves, verifyMerklePath } from './merkle.ts';
export { Transcript, grind, leadingZeroBits } from './transcript.ts';
export {
  type Air,
  type Algebra,
  type BoundaryConstraint,
  type Trace,
  baseAlgebra,
  extAlgebra,
  traceFromColumns,
  totalConstraints,
} from './air.ts';
export {
  type StarkParams,
  DEFAULT_SECURITY_BITS,
  DEFAULT_GRINDING_BITS,
  EXT_FIELD_BITS,
  conjecturedSecurity,
  paramsForSecurity,
  minBlowupLog,
} from './params.ts';
export { type StarkProof, PROOF_VERSION, serializeProof, parseProof } from './proof.ts';
export { type ProveOptions, prove, proveStructured, findTraceViolation } from './prover.ts';
export { type VerifyOptions, type VerifyResult, verify, verifyStructured } from './verifier.ts';
export { FibonacciAir, type FibonacciInputs, fibonacciTrace } from './fibonacci.ts';
export {
  POSEIDON2_WIDTH,
  POSEIDON2_ROUNDS_FULL,
  POSEIDON2_ROUNDS_PARTIAL,
  EXTERNAL_ROUND_CONSTANTS,
  INTERNAL_ROUND_CONSTANTS,
  INTERNAL_DIAGONAL_MINUS_ONE,
} from './poseidon2-constants.ts';
export {
  DIGEST_ELEMENTS,
  SBOX_COUNT,
  poseidon2,
  poseidon2Permute,
  poseidon2Compress,
  poseidon2Hash,
} from './poseidon2.ts';
export { GrainLfsr, type GrainParams, grainPoseidon2Constants } from './grain.ts';
export {
  POSEIDON2_BLOCK_WIDTH,
  POSEIDON2_BLOCK_CONSTRAINTS,
  Poseidon2ChainAir,
  poseidon2ChainTrace,
  poseidon2RowConstraints,
  poseidon2RowConstraintsBase,
  fillPoseidon2Block,
} from './poseidon2-air.ts';
export * from './batch/index.ts';

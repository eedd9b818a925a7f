// Public API of the anchoring module (docs/anchoring.md): batch commitments on Bitcoin and the verifier node.
export { AnchorError } from './errors.ts';
export type { AnchorErrorCode } from './errors.ts';
export {
  COMMITMENT_MAGIC,
  HEADER_VERSION,
  ZERO_COMMITMENT,
  encodeHeader,
  decodeHeader,
  headerSize,
  commitmentId,
  proofDigest,
} from './header.ts';
export type { CommitmentHeader } from './header.ts';
export { Codec, ProofSystem, encodePayload, decodePayload, headerFromBatch, MAX_DATA_BYTES } from './payload.ts';
export type { Commitment, CodecId, PayloadLayout, PayloadOptions, Proofs } from './payload.ts';
export { ENVELOPE_TAG, MAX_PUSH, envelopeScript, parseEnvelope, leafScriptOf } from './envelope.ts';
export type { EnvelopePart } from './envelope.ts';
export {
  MAX_REVEAL_WEIGHT,
  MAX_PART_BYTES,
  buildCommitment,
  chainScript,
  splitPayload,
  xOnlyKey,
} from './transactions.ts';
export type { BuiltCommitment, BuiltTx, ChainOutput, Outpoint } from './transactions.ts';
export { DEFAULT_FEE_POLICY, estimateFeeRate } from './fees.ts';
export type { FeePolicy } from './fees.ts';
export { DerivedState } from './derive.ts';
export type { DeriveConfig, DeriveResult, FailedCheck, ProofChecker } from './derive.ts';
export { Anchorer } from './anchorer.ts';
export type {
  AnchorRecord,
  AnchorStatus,
  AnchorerOptions,
  AnchorUpdate,
  NodeAnchorSeam,
  StatusChange,
} from './anchorer.ts';
export { VerifierNode } from './verifier.ts';
export type { VerifierOptions, VerifiedBatch, FlaggedBatch, IgnoredCommitment } from './verifier.ts';

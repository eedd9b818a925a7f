/** The batch AIR: the rollup's state transition (all but signatures) over the STARK-field tree. */
export {
  type StarkAccount,
  KEY_LIMBS,
  KEY_LIMB_BITS,
  BALANCE_LIMBS,
  BALANCE_LIMB_BITS,
  NONCE_LIMB_BITS,
  EMPTY_KEY_DIGEST,
  keyLimbs,
  accountKeyDigest,
  balanceLimbs,
  nonceLimbs,
  accountValueWords,
  accountLeaf,
  nodeDigest,
  packDigest,
  unpackDigest,
  emptyRoot,
} from './account.ts';
export {
  SegmentKind,
  type BatchAirOp,
  type SegmentRecord,
  type BatchCommitments,
  scriptDigest,
  segmentRecords,
  paddedSegments,
  batchCommitments,
} from './records.ts';
export {
  type BatchPublicInputs,
  BatchAir,
  MAX_BATCH_DEPTH,
  encodeBatchPublicInputs,
  decodeBatchPublicInputs,
} from './air.ts';
export { type BatchStep, type BatchWitness, buildBatchTrace } from './trace.ts';
export { segmentLength, WIDTH as BATCH_TRACE_WIDTH } from './layout.ts';

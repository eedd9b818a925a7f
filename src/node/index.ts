// Public API of the L2 node layer: wiring, config, deposits from L1, JSON-RPC server (docs/rpc.md, docs/deposits.md).
export { KeelNode } from './node.ts';
export {
  rollupConfig,
  REGTEST_CONFIRMATIONS,
  DEFAULT_RPC_PORT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_BATCH,
} from './config.ts';
export type { KeelNodeOptions, L1Options } from './config.ts';
export { KeelNodeError } from './errors.ts';
export {
  DEPOSIT_MAGIC,
  DEPOSIT_VERSION,
  bridgeDepositScript,
  depositMarkerScript,
  parseDepositMarker,
  depositsOfTransaction,
} from './deposit.ts';
export { L1Watcher } from './watcher.ts';
export type { L1WatcherOptions } from './watcher.ts';
export { FinalityTracker } from './finality.ts';
export type { Anchorer, AnchorUpdate } from './finality.ts';
export { ROLLUP_RPC_CODES, NODE_RPC_CODES, JSONRPC, RpcMethodError, invalidParams } from './rpc-errors.ts';
export { METHODS, intParam, hexParam } from './methods.ts';
export type { MethodSpec, RpcContext } from './methods.ts';
export { RpcServer } from './server.ts';
export type { RpcServerOptions } from './server.ts';
export { accountJson, fieldHex } from './json.ts';
export { Metrics } from './metrics.ts';
export { buildDepositTransaction } from './deposit-tx.ts';
export type { SpendableOutput } from './deposit-tx.ts';
export { watcherKeys, encodeCursor, decodeCursor } from './layout.ts';
export type { ScanCursor } from './layout.ts';
export { DEFAULT_VERIFIER_RPC_PORT, VERIFIER_METHODS, serveVerifierRpc } from './verifier-rpc.ts';
export type { VerifierRpcContext, VerifierRpcOptions, VerifierStatusJson, VerifiedBatchJson } from './verifier-rpc.ts';
export { ProofBook, snarkProofVerifier, provingStart, SNARK_KEY_FORMAT } from './proofs.ts';
export type { ProofVerifier, VerifiedProof, RejectedProof } from './proofs.ts';
export {
  proofKeys,
  encodeProofRecord,
  decodeProofRecord,
  encodeAnchorStage,
  decodeAnchorStage,
  PROOF_PREFIX,
  FINALITY_PREFIX,
} from './layout.ts';
export type { ProofSystem, StoredProofRecord, AnchorStage } from './layout.ts';
export {
  StarkProver,
  STARK_ROOT_INDEX,
  STARK_KEY_FORMAT,
  starkProofVerifier,
  verifyBatchStark,
  starkPublicInputs,
  starkPublicInputsFromOps,
  starkOpsFromOps,
  starkOpsFromPublicData,
  buildStarkWitness,
  proveStarkWitness,
} from './stark-prover.ts';
export type { StarkProverOptions, StarkProverFailure, StarkVerdict, L1ItemSource } from './stark-prover.ts';

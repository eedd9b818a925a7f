// Public API of the rollup module (protocol: docs/protocol.md).
export { RollupError, RollupErrorCode } from './errors.ts';
export { P as FIELD_MODULUS } from './crypto/field.ts';
export { poseidon, poseidon2, poseidonMany, poseidonPermute, MAX_POSEIDON_INPUTS } from './crypto/poseidon.ts';
export { BASE8, SUBORDER, packPoint, unpackPoint, isOnCurve } from './crypto/babyjub.ts';
export type { Affine } from './crypto/babyjub.ts';
export { getPublicKey, sign, verify, verifyBatch, encodeSignature, decodeSignature } from './crypto/eddsa.ts';
export type { Signature, PublicKey, VerifyItem } from './crypto/eddsa.ts';
export { deriveL2Key, l2KeyFromSignature, L2_KEY_MESSAGE } from './crypto/keys.ts';
export type { L2KeyPair } from './crypto/keys.ts';
export { EMPTY_ACCOUNT, FEE_ACCOUNT, MAX_AMOUNT, MAX_NONCE, isEmptyAccount } from './state/account.ts';
export type { Account } from './state/account.ts';
export { poseidonBn254Hasher } from './state/hasher.ts';
export { poseidon2BabyBearHasher } from './state/stark-hasher.ts';
export type { TreeHasher } from './state/hasher.ts';
export { SparseMerkleTree } from './state/tree.ts';
export { State, Overlay } from './state/state.ts';
export type { AccountReader } from './state/state.ts';
export { ChainId, MAX_SCRIPT_BYTES } from './tx/types.ts';
export type { Transfer, Withdraw, L2Transaction, DepositItem, ForcedExitItem, L1Item, Op } from './tx/types.ts';
export {
  encodeTransaction,
  decodeTransaction,
  parseTransaction,
  withSignature,
  encodeL1Item,
  decodeL1Item,
  transactionId,
  MAX_TX_BYTES,
} from './tx/encoding.ts';
export { transferMessage, withdrawMessage, forcedExitMessage, l1ItemHash } from './tx/message.ts';
export { packScript } from './tx/script.ts';
export { signTransfer, signWithdraw, signForcedExit } from './tx/sign.ts';
export { encodeDa, decodeDa, encodeDaOp, toDaOp, dataDigest, dataDigestStep, digestElements } from './tx/compact.ts';
export type { DaOp } from './tx/compact.ts';
export type { UnsignedFields } from './tx/encoding.ts';
export { checkShape, checkAgainstState, replayOp, signedMessage } from './apply.ts';
export type { Withdrawal, Applied } from './apply.ts';
export { L1Queue, checkForcedInclusion, FORCED_INCLUSION_BLOCKS, queueChainOver } from './l1queue.ts';
export type { QueueEntry } from './l1queue.ts';
export { withdrawalLeaf, withdrawalRoot, withdrawalProof } from './withdrawals.ts';
export { publicInput, PendingProverQueue } from './batch.ts';
export type { BatchOutput, ProverJob, ProverQueue, ProofResult } from './batch.ts';
export { Mempool } from './mempool.ts';
export type { MempoolEntry, MempoolLimits } from './mempool.ts';
export { encodeBlock, decodeBlock, blockHash } from './block.ts';
export type { Block, BlockHeader } from './block.ts';
export { MemoryStore, LevelStore } from './storage/kv.ts';
export type { KvStore, KvOp } from './storage/kv.ts';
export { InlineVerifier, WorkerVerifier, verifyMany, startWorker } from './verifier.ts';
export type { SignatureVerifier, VerifyRequest, VerifyOutcome } from './verifier.ts';
export { RollupNode, DEFAULT_CONFIG } from './node.ts';
export type { RollupConfig, RollupNodeOptions, TxStatus } from './node.ts';
export { replayFromStore } from './replay.ts';
export { traceOps } from './trace.ts';
export type { OpTrace, AccountStep } from './trace.ts';

// Public API of Keel's BitVM toolkit. Other modules import only this file.
export { OP, OP_EFFECTS } from './opcodes.ts';
export type { OpName } from './opcodes.ts';
export {
  ScriptBuildError,
  WinternitzError,
  WinternitzKeyReuseError,
  DisproveGameError,
  LimbRangeError,
} from './errors.ts';
export { Fragment, ScriptBuilder, script, analyzeScript, encodeScriptNum, decodeScriptNum } from './script.ts';
export type { Piece, ScriptReport } from './script.ts';
export { StackTracker } from './tracker.ts';
export type { Item, Table } from './tracker.ts';
export { NibbleMachine, u32ToNibbleItems, HASH_XOR_BIAS } from './limbs.ts';
export type { U32, ShiftBits } from './limbs.ts';
export { u4 as u4Ref, u32 as u32Ref } from './reference.ts';
export {
  winternitzParams,
  messageToDigits,
  digitsToMessage,
  allDigits,
  generateSecretKey,
  deriveSecretKey,
  generatePublicKey,
  signUnguarded,
  verifyWitness,
  winternitzVerifyScript,
} from './winternitz.ts';
export type { WinternitzParams } from './winternitz.ts';
export { MemoryKeyStore, FileKeyStore, WinternitzSigner, winternitzKeyId } from './keystore.ts';
export type { UsedKeyStore } from './keystore.ts';
export {
  BLAKE3_IV,
  BLAKE3_FLAGS,
  blake3CompressRef,
  blake3ShortRef,
  blake3CompressScript,
  blake3ShortScript,
  blake3ShortFragment,
  blake3CompressFragment,
  wordsFromBytesLE,
  bytesFromWordsLE,
  wordsFromByteNibbles,
  byteNibblesFromWords,
} from './blake3.ts';
export type { Blake3CompressInputs } from './blake3.ts';
export {
  SHA256_IV,
  sha256CompressRef,
  sha256CompressScript,
  sha256CompressFragment,
  wordsFromBytesBE,
} from './sha256.ts';
export {
  STANDARD_LEAF_LIMITS,
  valueParams,
  valuesOfSteps,
  buildDisproveLeaf,
  chunkComputation,
  estimateDisproveWeight,
  wrongSteps,
} from './game.ts';
export type { CommittedValue, ComputationStep, Computation, LeafLimits, DisproveLeaf } from './game.ts';
export {
  merkleNode,
  merkleRootFromPath,
  merklePathComputation,
  merklePathValues,
  leafName,
  siblingName,
  nodeName,
} from './merkle.ts';
export type { MerklePathStatement } from './merkle.ts';
export {
  taprootTree,
  buildScriptPathSpend,
  disproveOutput,
  buildDisproveTransaction,
  commitLeafScript,
  chunkCommitments,
  buildAssertTransaction,
  txSize,
} from './taproot.ts';
export type { TaprootTree, Prevout, CommitGroup } from './taproot.ts';
export { runScript, runFragment } from './run.ts';
export type { RunResult, StackInput } from './run.ts';

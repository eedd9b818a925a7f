export type { Block, BlockHeader } from './block.ts';
export { blockHash, blockHashHex, decodeBlock, decodeHeader, encodeBlock, encodeHeader, HEADER_SIZE } from './block.ts';
export { Chain, STATUS, isUnspendable, outpointKey } from './chain.ts';
export type { BlockEntry, ChainListener, ChainOptions, Coin } from './chain.ts';
export {
  blockWeight,
  checkBlock,
  contextualCheckBlock,
  contextualCheckHeader,
  heightPush,
  witnessCommitmentIndex,
  witnessCommitmentScript,
  witnessMerkleRoot,
} from './checks.ts';
export { ChainError, ValidationError } from './errors.ts';
export { merkleRoot } from './merkle.ts';
export { REGTEST, blockSubsidy } from './params.ts';
export type { ChainParams } from './params.ts';
export { bitsToTarget, blockWork, difficulty, hashMeetsTarget, targetToBits } from './pow.ts';
export { classifyOutput, countSigOps, parseScript, scriptToAsm } from './scriptops.ts';
export type { OutputType, ScriptOp } from './scriptops.ts';
export { legacySigOps, sigOpCost } from './sigops.ts';
export { scriptErrorText } from './verify.ts';
export type { TxVerifier, ScriptPolicy } from './verify.ts';

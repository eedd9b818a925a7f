export { OP, OPCODE_NAMES, OPCODE_BY_NAME, isOpSuccess, isDisabledOpcode } from './opcodes.ts';
export type { OpcodeName } from './opcodes.ts';
export { ScriptError, SCRIPT_ERROR_CODES } from './errors.ts';
export type { ScriptErrorCode } from './errors.ts';
export {
  SCRIPT_VERIFY,
  FLAG_NAMES,
  MANDATORY_FLAGS,
  STANDARD_FLAGS,
  FlagsError,
  parseFlags,
  formatFlags,
} from './flags.ts';
export type { FlagName, VerifyFlags } from './flags.ts';
export {
  ScriptReader,
  isPushOnly,
  isPayToScriptHash,
  witnessProgram,
  pushData,
  castToBool,
  findAndDelete,
  serializeScriptCode,
} from './script.ts';
export { decodeNum, encodeNum } from './num.ts';
export { parseAsm, formatAsm, AsmError } from './asm.ts';
export {
  SIGHASH_ALL,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
  SIGHASH_ANYONECANPAY,
  SIGHASH_DEFAULT,
  PrecomputedTxData,
  legacySighash,
  segwitV0Sighash,
  taprootSighash,
} from './sighash.ts';
export type { TapscriptExt } from './sighash.ts';
export { SignatureCache, verifyEcdsa, verifySchnorr, isValidSignatureEncoding, parseDerLax } from './crypto.ts';
export {
  TAPROOT_LEAF_TAPSCRIPT,
  ANNEX_TAG,
  taggedHasher,
  tapleafHash,
  tapBranchHash,
  controlBlockRoot,
  verifyTaprootCommitment,
} from './taproot.ts';
export {
  SigVersion,
  evalScript,
  IF_WITHOUT_OPERAND,
  MAX_SCRIPT_SIZE,
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_OPS_PER_SCRIPT,
  MAX_STACK_SIZE,
  MAX_PUBKEYS_PER_MULTISIG,
} from './interpreter.ts';
export type { ExecData, SignatureChecker, EvalStats } from './interpreter.ts';
export { TransactionSignatureChecker } from './checker.ts';
export { verifyScript, executeWitnessScript, witnessSerializedSize } from './verify.ts';
export { verifyInput, verifyTransaction } from './input.ts';
export type { VerifyInputArgs } from './input.ts';
export { runTapscript } from './tapscript.ts';
export type { RunTapscriptOptions, RunTapscriptResult } from './tapscript.ts';
export { runAssetCase, ALL_CONSENSUS_FLAG_SETS } from './assets.ts';
export type { AssetCase, AssetCheck } from './assets.ts';

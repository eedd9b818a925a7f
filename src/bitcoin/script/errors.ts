import { BaseError } from '../../shared/index.ts';

/**
 * Script failure names, spelled exactly as Bitcoin Core's script_tests.json and FormatScriptError print them.
 * `SCRIPTNUM` is what the vector files name an out-of-range or non-minimal number (Core's own interpreter reports
 * it as UNKNOWN_ERROR); `NO_TX_CONTEXT` is Keel's: a fragment run by runTapscript needed a signature or timelock
 * context that it was not given.
 */
export const SCRIPT_ERROR_CODES = [
  'OK',
  'UNKNOWN_ERROR',
  'EVAL_FALSE',
  'OP_RETURN',
  'SCRIPT_SIZE',
  'PUSH_SIZE',
  'OP_COUNT',
  'STACK_SIZE',
  'SIG_COUNT',
  'PUBKEY_COUNT',
  'VERIFY',
  'EQUALVERIFY',
  'CHECKMULTISIGVERIFY',
  'CHECKSIGVERIFY',
  'NUMEQUALVERIFY',
  'BAD_OPCODE',
  'DISABLED_OPCODE',
  'INVALID_STACK_OPERATION',
  'INVALID_ALTSTACK_OPERATION',
  'UNBALANCED_CONDITIONAL',
  'NEGATIVE_LOCKTIME',
  'UNSATISFIED_LOCKTIME',
  'SIG_HASHTYPE',
  'SIG_DER',
  'MINIMALDATA',
  'SIG_PUSHONLY',
  'SIG_HIGH_S',
  'SIG_NULLDUMMY',
  'PUBKEYTYPE',
  'CLEANSTACK',
  'MINIMALIF',
  'NULLFAIL',
  'DISCOURAGE_UPGRADABLE_NOPS',
  'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM',
  'DISCOURAGE_UPGRADABLE_TAPROOT_VERSION',
  'DISCOURAGE_OP_SUCCESS',
  'DISCOURAGE_UPGRADABLE_PUBKEYTYPE',
  'WITNESS_PROGRAM_WRONG_LENGTH',
  'WITNESS_PROGRAM_WITNESS_EMPTY',
  'WITNESS_PROGRAM_MISMATCH',
  'WITNESS_MALLEATED',
  'WITNESS_MALLEATED_P2SH',
  'WITNESS_UNEXPECTED',
  'WITNESS_PUBKEYTYPE',
  'SCHNORR_SIG_SIZE',
  'SCHNORR_SIG_HASHTYPE',
  'SCHNORR_SIG',
  'TAPROOT_WRONG_CONTROL_SIZE',
  'TAPSCRIPT_VALIDATION_WEIGHT',
  'TAPSCRIPT_CHECKMULTISIG',
  'TAPSCRIPT_MINIMALIF',
  'TAPSCRIPT_EMPTY_PUBKEY',
  'OP_CODESEPARATOR',
  'SIG_FINDANDDELETE',
  'SCRIPTNUM',
  'NO_TX_CONTEXT',
] as const;

export type ScriptErrorCode = (typeof SCRIPT_ERROR_CODES)[number];

/** A script or input failed validation; `code` is Core's error name. */
export class ScriptError extends BaseError {
  override name = 'ScriptError';
  readonly code: ScriptErrorCode;
  constructor(code: ScriptErrorCode, details?: string) {
    super(`script verification failed: ${code}`, { details });
    this.code = code;
  }
}

import { ScriptError } from './errors.ts';
import type { ScriptErrorCode } from './errors.ts';
import { MANDATORY_FLAGS } from './flags.ts';
import type { VerifyFlags } from './flags.ts';
import { VALIDATION_WEIGHT_OFFSET, SigVersion } from './interpreter.ts';
import type { EvalStats, ExecData, SignatureChecker } from './interpreter.ts';
import { executeWitnessScript, witnessSerializedSize } from './verify.ts';

export interface RunTapscriptOptions {
  /** Verification flags (default: today's consensus set). */
  flags?: VerifyFlags;
  /**
   * BIP342 validation-weight budget. Default: as if the witness were the initial stack plus the script and a
   * 33-byte control block, plus the 50 offset.
   */
  validationWeight?: number;
  /** Signature/timelock context; without one, a non-empty signature or a timelock opcode fails with NO_TX_CONTEXT. */
  checker?: SignatureChecker;
}

export interface RunTapscriptResult {
  ok: boolean;
  error?: ScriptErrorCode;
  /** Human-readable reason when `ok` is false. */
  message?: string;
  finalStack: Uint8Array[];
  /** Peak stack + altstack size reached. */
  maxStackItems: number;
  /** Opcodes evaluated (executed or skipped in an unexecuted branch). */
  opCount: number;
}

const noContext: SignatureChecker = {
  checkEcdsa: () => {
    throw new ScriptError('NO_TX_CONTEXT', 'runTapscript has no transaction to check an ECDSA signature against');
  },
  checkSchnorr: () => {
    throw new ScriptError('NO_TX_CONTEXT', 'runTapscript has no transaction: a non-empty signature cannot be checked');
  },
  checkLockTime: () => {
    throw new ScriptError('NO_TX_CONTEXT', 'runTapscript has no transaction for OP_CHECKLOCKTIMEVERIFY');
  },
  checkSequence: () => {
    throw new ScriptError('NO_TX_CONTEXT', 'runTapscript has no transaction for OP_CHECKSEQUENCEVERIFY');
  },
};

/**
 * Executes `script` as a tapscript leaf (leaf version 0xc0) on `initialStack`, with every BIP342 rule: OP_SUCCESSx,
 * MINIMALIF, 1000 stack items, 520-byte elements, no script size or opcode limit, the clean-stack and true-result
 * rule. Never throws: every failure, including an internal one, is reported in the result.
 */
export function runTapscript(
  script: Uint8Array,
  initialStack: Uint8Array[],
  options: RunTapscriptOptions = {},
): RunTapscriptResult {
  const stats: EvalStats = { opCount: 0, maxStackItems: 0 };
  let stack: Uint8Array[] = [];
  try {
    if (!(script instanceof Uint8Array)) throw new ScriptError('UNKNOWN_ERROR', 'script must be a Uint8Array');
    if (!Array.isArray(initialStack) || !initialStack.every((i) => i instanceof Uint8Array))
      throw new ScriptError('UNKNOWN_ERROR', 'initialStack must be an array of Uint8Array');
    stack = initialStack.slice();
    const weight =
      options.validationWeight ??
      witnessSerializedSize([...initialStack, script, new Uint8Array(33)]) + VALIDATION_WEIGHT_OFFSET;
    const exec: ExecData = {
      codeseparatorPos: 0xffffffff,
      validationWeightLeft: weight,
      tapleafHash: new Uint8Array(32),
    };
    executeWitnessScript(
      stack,
      script,
      options.flags ?? MANDATORY_FLAGS,
      SigVersion.TAPSCRIPT,
      options.checker ?? noContext,
      exec,
      stats,
    );
    return { ok: true, finalStack: stack.map((i) => i.slice()), ...stats };
  } catch (err) {
    const error: ScriptErrorCode = err instanceof ScriptError ? err.code : 'UNKNOWN_ERROR';
    const message = err instanceof ScriptError ? err.message : `internal error: ${String(err)}`;
    return { ok: false, error, message, finalStack: stack.map((i) => i.slice()), ...stats };
  }
}

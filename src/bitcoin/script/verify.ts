import { sha256 } from '@noble/hashes/sha2.js';
import { ScriptError } from './errors.ts';
import type { ScriptErrorCode } from './errors.ts';
import { SCRIPT_VERIFY } from './flags.ts';
import type { VerifyFlags } from './flags.ts';
import {
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_STACK_SIZE,
  SigVersion,
  VALIDATION_WEIGHT_OFFSET,
  evalScript,
} from './interpreter.ts';
import type { EvalStats, ExecData, SignatureChecker } from './interpreter.ts';
import { OP, isOpSuccess } from './opcodes.ts';
import {
  ScriptReader,
  bytesEqual,
  castToBool,
  isPayToScriptHash,
  isPushOnly,
  pushData,
  witnessProgram,
} from './script.ts';
import {
  ANNEX_TAG,
  TAPROOT_CONTROL_BASE_SIZE,
  TAPROOT_CONTROL_MAX_NODE_COUNT,
  TAPROOT_CONTROL_NODE_SIZE,
  TAPROOT_LEAF_MASK,
  TAPROOT_LEAF_TAPSCRIPT,
  tapleafHash,
  verifyTaprootCommitment,
} from './taproot.ts';

function fail(code: ScriptErrorCode, details?: string): never {
  throw new ScriptError(code, details);
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Serialized size of a witness stack, the basis of the BIP342 validation-weight budget. */
export function witnessSerializedSize(witness: readonly Uint8Array[]): number {
  let size = compactSizeLength(witness.length);
  for (const item of witness) size += compactSizeLength(item.length) + item.length;
  return size;
}

/**
 * Core's ExecuteWitnessScript: the OP_SUCCESSx pre-scan for tapscript, initial stack limits, evaluation, and the
 * implicit clean-stack rule.
 */
export function executeWitnessScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: VerifyFlags,
  sigversion: SigVersion,
  checker: SignatureChecker,
  exec: ExecData,
  stats?: EvalStats,
): void {
  if (sigversion === SigVersion.TAPSCRIPT) {
    // OP_SUCCESSx overrides every other rule, including the size limits below, so scan for it first.
    const r = new ScriptReader(script);
    while (!r.done) {
      if (!r.next()) fail('BAD_OPCODE');
      if (isOpSuccess(r.op)) {
        if (flags & SCRIPT_VERIFY.DISCOURAGE_OP_SUCCESS) fail('DISCOURAGE_OP_SUCCESS');
        return;
      }
    }
    if (stack.length > MAX_STACK_SIZE) fail('STACK_SIZE');
  }
  for (const item of stack) if (item.length > MAX_SCRIPT_ELEMENT_SIZE) fail('PUSH_SIZE');
  if (stats && stack.length > stats.maxStackItems) stats.maxStackItems = stack.length;
  evalScript(stack, script, flags, checker, sigversion, exec, stats);
  if (stack.length !== 1) fail('CLEANSTACK');
  if (!castToBool(stack[0])) fail('EVAL_FALSE');
}

function newExecData(): ExecData {
  return { codeseparatorPos: 0xffffffff, validationWeightLeft: 0 };
}

/** Core's VerifyWitnessProgram. `witness` is not modified. */
function verifyWitnessProgram(
  witness: readonly Uint8Array[],
  version: number,
  program: Uint8Array,
  flags: VerifyFlags,
  checker: SignatureChecker,
  isP2sh: boolean,
): void {
  const exec = newExecData();
  if (version === 0) {
    if (program.length === 32) {
      if (witness.length === 0) fail('WITNESS_PROGRAM_WITNESS_EMPTY');
      const script = witness[witness.length - 1];
      if (!bytesEqual(sha256(script), program)) fail('WITNESS_PROGRAM_MISMATCH');
      executeWitnessScript(witness.slice(0, -1), script, flags, SigVersion.WITNESS_V0, checker, exec);
    } else if (program.length === 20) {
      if (witness.length !== 2) fail('WITNESS_PROGRAM_MISMATCH');
      const script = new Uint8Array(25);
      script.set([OP.OP_DUP, OP.OP_HASH160, 20]);
      script.set(program, 3);
      script.set([OP.OP_EQUALVERIFY, OP.OP_CHECKSIG], 23);
      executeWitnessScript(witness.slice(), script, flags, SigVersion.WITNESS_V0, checker, exec);
    } else fail('WITNESS_PROGRAM_WRONG_LENGTH');
    return;
  }
  if (version === 1 && program.length === 32 && !isP2sh) {
    if (!(flags & SCRIPT_VERIFY.TAPROOT)) return;
    if (witness.length === 0) fail('WITNESS_PROGRAM_WITNESS_EMPTY');
    let stack = witness;
    if (stack.length >= 2 && stack[stack.length - 1].length > 0 && stack[stack.length - 1][0] === ANNEX_TAG) {
      exec.annex = stack[stack.length - 1];
      stack = stack.slice(0, -1);
    }
    if (stack.length === 1) {
      const err = checker.checkSchnorr(stack[0], program, SigVersion.TAPROOT, exec);
      if (err) fail(err);
      return;
    }
    const control = stack[stack.length - 1];
    const script = stack[stack.length - 2];
    if (
      control.length < TAPROOT_CONTROL_BASE_SIZE ||
      control.length > TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * TAPROOT_CONTROL_MAX_NODE_COUNT ||
      (control.length - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE !== 0
    )
      fail('TAPROOT_WRONG_CONTROL_SIZE');
    const leafVersion = control[0] & TAPROOT_LEAF_MASK;
    exec.tapleafHash = tapleafHash(leafVersion, script);
    if (!verifyTaprootCommitment(control, program, exec.tapleafHash)) fail('WITNESS_PROGRAM_MISMATCH');
    if (leafVersion === TAPROOT_LEAF_TAPSCRIPT) {
      exec.validationWeightLeft = witnessSerializedSize(witness) + VALIDATION_WEIGHT_OFFSET;
      executeWitnessScript(stack.slice(0, -2), script, flags, SigVersion.TAPSCRIPT, checker, exec);
      return;
    }
    if (flags & SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) fail('DISCOURAGE_UPGRADABLE_TAPROOT_VERSION');
    return;
  }
  if (flags & SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) fail('DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM');
}

/** Core's VerifyScript: scriptSig, scriptPubKey, P2SH, witness programs, clean stack. Throws ScriptError. */
export function verifyScript(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  witness: readonly Uint8Array[],
  flags: VerifyFlags,
  checker: SignatureChecker,
): void {
  if (flags & SCRIPT_VERIFY.SIGPUSHONLY && !isPushOnly(scriptSig)) fail('SIG_PUSHONLY');
  const exec = newExecData();
  let stack: Uint8Array[] = [];
  evalScript(stack, scriptSig, flags, checker, SigVersion.BASE, exec);
  const stackCopy = flags & SCRIPT_VERIFY.P2SH ? stack.slice() : [];
  evalScript(stack, scriptPubKey, flags, checker, SigVersion.BASE, exec);
  if (stack.length === 0 || !castToBool(stack[stack.length - 1])) fail('EVAL_FALSE');

  let hadWitness = false;
  if (flags & SCRIPT_VERIFY.WITNESS) {
    const wp = witnessProgram(scriptPubKey);
    if (wp) {
      hadWitness = true;
      if (scriptSig.length !== 0) fail('WITNESS_MALLEATED');
      verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, false);
      // The witness program leaves one true item: the clean-stack rule below must not see the scriptSig's.
      stack.length = 1;
    }
  }

  if (flags & SCRIPT_VERIFY.P2SH && isPayToScriptHash(scriptPubKey)) {
    if (!isPushOnly(scriptSig)) fail('SIG_PUSHONLY');
    stack = stackCopy;
    if (stack.length === 0) fail('EVAL_FALSE');
    const redeemScript = stack.pop()!;
    evalScript(stack, redeemScript, flags, checker, SigVersion.BASE, exec);
    if (stack.length === 0 || !castToBool(stack[stack.length - 1])) fail('EVAL_FALSE');
    if (flags & SCRIPT_VERIFY.WITNESS) {
      const wp = witnessProgram(redeemScript);
      if (wp) {
        hadWitness = true;
        if (!bytesEqual(scriptSig, pushData(redeemScript))) fail('WITNESS_MALLEATED_P2SH');
        verifyWitnessProgram(witness, wp.version, wp.program, flags, checker, true);
        stack.length = 1;
      }
    }
  }

  if (flags & SCRIPT_VERIFY.CLEANSTACK && stack.length !== 1) fail('CLEANSTACK');
  if (flags & SCRIPT_VERIFY.WITNESS && !hadWitness && witness.length !== 0) fail('WITNESS_UNEXPECTED');
}

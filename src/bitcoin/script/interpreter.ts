import { ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ScriptError } from './errors.ts';
import type { ScriptErrorCode } from './errors.ts';
import { SCRIPT_VERIFY } from './flags.ts';
import type { VerifyFlags } from './flags.ts';
import { decodeNum, encodeNum } from './num.ts';
import { OP, isDisabledOpcode } from './opcodes.ts';
import { ScriptReader, bytesEqual, castToBool, findAndDelete, isMinimalPush, pushData } from './script.ts';
import {
  isCompressedOrUncompressedPubKey,
  isCompressedPubKey,
  isDefinedHashtypeSignature,
  isLowS,
  isValidSignatureEncoding,
} from './crypto.ts';

export const MAX_SCRIPT_SIZE = 10_000;
export const MAX_SCRIPT_ELEMENT_SIZE = 520;
export const MAX_OPS_PER_SCRIPT = 201;
export const MAX_PUBKEYS_PER_MULTISIG = 20;
export const MAX_STACK_SIZE = 1000;
export const VALIDATION_WEIGHT_PER_SIGOP_PASSED = 50;
export const VALIDATION_WEIGHT_OFFSET = 50;

/** Which rule set a script runs under (Core's SigVersion). */
export const SigVersion = { BASE: 0, WITNESS_V0: 1, TAPROOT: 2, TAPSCRIPT: 3 } as const;
export type SigVersion = (typeof SigVersion)[keyof typeof SigVersion];

/** Per-input state of a taproot spend (Core's ScriptExecutionData). */
export interface ExecData {
  tapleafHash?: Uint8Array;
  codeseparatorPos: number;
  annex?: Uint8Array;
  validationWeightLeft: number;
}

/** The transaction context a script's signature and timelock opcodes consult. */
export interface SignatureChecker {
  /** `sig` includes the hash-type byte; false on any failure. */
  checkEcdsa(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, sigversion: SigVersion): boolean;
  /** `sig` is 64 or 65 bytes here is not yet checked; returns the failure, or null when valid. */
  checkSchnorr(sig: Uint8Array, pubkey: Uint8Array, sigversion: SigVersion, exec: ExecData): ScriptErrorCode | null;
  checkLockTime(lockTime: number): boolean;
  checkSequence(sequence: number): boolean;
}

/** Runtime counters that runTapscript reports; the verifier ignores them. */
export interface EvalStats {
  opCount: number;
  maxStackItems: number;
}

const FALSE = new Uint8Array(0);
const TRUE = Uint8Array.of(1);
const ONE_NEGATIVE_ONE = encodeNum(-1);

/** Core reports an IF/NOTIF without operand as unbalanced; the detail lets callers tell it apart. */
export const IF_WITHOUT_OPERAND = 'OP_IF/OP_NOTIF with an empty stack';

function fail(code: ScriptErrorCode, details?: string): never {
  throw new ScriptError(code, details);
}

function checkSignatureEncoding(sig: Uint8Array, flags: VerifyFlags): void {
  if (sig.length === 0) return;
  if (flags & (SCRIPT_VERIFY.DERSIG | SCRIPT_VERIFY.LOW_S | SCRIPT_VERIFY.STRICTENC) && !isValidSignatureEncoding(sig))
    fail('SIG_DER');
  if (flags & SCRIPT_VERIFY.LOW_S && !isLowS(sig.subarray(0, sig.length - 1))) fail('SIG_HIGH_S');
  if (flags & SCRIPT_VERIFY.STRICTENC && !isDefinedHashtypeSignature(sig)) fail('SIG_HASHTYPE');
}

function checkPubKeyEncoding(pubkey: Uint8Array, flags: VerifyFlags, sigversion: SigVersion): void {
  if (flags & SCRIPT_VERIFY.STRICTENC && !isCompressedOrUncompressedPubKey(pubkey)) fail('PUBKEYTYPE');
  if (flags & SCRIPT_VERIFY.WITNESS_PUBKEYTYPE && sigversion === SigVersion.WITNESS_V0 && !isCompressedPubKey(pubkey))
    fail('WITNESS_PUBKEYTYPE');
}

/** Tapscript OP_CHECKSIG/OP_CHECKSIGVERIFY/OP_CHECKSIGADD core (BIP342). Returns whether the signature passed. */
function checksigTapscript(
  sig: Uint8Array,
  pubkey: Uint8Array,
  flags: VerifyFlags,
  checker: SignatureChecker,
  exec: ExecData,
): boolean {
  const success = sig.length > 0;
  if (success) {
    exec.validationWeightLeft -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
    if (exec.validationWeightLeft < 0) fail('TAPSCRIPT_VALIDATION_WEIGHT');
  }
  if (pubkey.length === 0) fail('TAPSCRIPT_EMPTY_PUBKEY');
  if (pubkey.length === 32) {
    if (success) {
      const err = checker.checkSchnorr(sig, pubkey, SigVersion.TAPSCRIPT, exec);
      if (err) fail(err);
    }
  } else if (flags & SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_PUBKEYTYPE) fail('DISCOURAGE_UPGRADABLE_PUBKEYTYPE');
  return success;
}

/**
 * Core's EvalScript: runs `script` on `stack` (modified in place). Throws ScriptError on failure. Stack items are
 * never mutated in place, so they may alias witness data and shared constants.
 */
export function evalScript(
  stack: Uint8Array[],
  script: Uint8Array,
  flags: VerifyFlags,
  checker: SignatureChecker,
  sigversion: SigVersion,
  exec: ExecData,
  stats?: EvalStats,
): void {
  const legacyLimits = sigversion === SigVersion.BASE || sigversion === SigVersion.WITNESS_V0;
  if (legacyLimits && script.length > MAX_SCRIPT_SIZE) fail('SCRIPT_SIZE');
  const requireMinimal = (flags & SCRIPT_VERIFY.MINIMALDATA) !== 0;
  const altstack: Uint8Array[] = [];
  // vfExec as a counter of false entries plus a bit stack keeps "is executing" O(1) for deep nesting.
  const vfExec: boolean[] = [];
  let falseCount = 0;
  let opCount = 0;
  let codeHashStart = 0;
  let opcodePos = 0;
  exec.codeseparatorPos = 0xffffffff;
  const r = new ScriptReader(script);

  const top = (i: number): Uint8Array => stack[stack.length + i];
  const need = (n: number): void => {
    if (stack.length < n) fail('INVALID_STACK_OPERATION');
  };
  const num = (v: Uint8Array, maxSize = 4): number => decodeNum(v, requireMinimal, maxSize);

  for (; !r.done; opcodePos++) {
    const executing = falseCount === 0;
    if (!r.next()) fail('BAD_OPCODE');
    const op = r.op;
    if (r.dataEnd - r.dataStart > MAX_SCRIPT_ELEMENT_SIZE) fail('PUSH_SIZE');
    if (legacyLimits && op > OP.OP_16 && ++opCount > MAX_OPS_PER_SCRIPT) fail('OP_COUNT');
    if (stats) stats.opCount++;
    if (isDisabledOpcode(op)) fail('DISABLED_OPCODE');
    if (op === OP.OP_CODESEPARATOR && sigversion === SigVersion.BASE && flags & SCRIPT_VERIFY.CONST_SCRIPTCODE)
      fail('OP_CODESEPARATOR');

    if (executing && op <= OP.OP_PUSHDATA4) {
      if (requireMinimal && !isMinimalPush(script, r.dataStart, r.dataEnd, op)) fail('MINIMALDATA');
      stack.push(script.subarray(r.dataStart, r.dataEnd));
    } else if (executing || (op >= OP.OP_IF && op <= OP.OP_ENDIF)) {
      switch (op) {
        case OP.OP_1NEGATE:
          stack.push(ONE_NEGATIVE_ONE);
          break;
        case OP.OP_1:
        case OP.OP_2:
        case OP.OP_3:
        case OP.OP_4:
        case OP.OP_5:
        case OP.OP_6:
        case OP.OP_7:
        case OP.OP_8:
        case OP.OP_9:
        case OP.OP_10:
        case OP.OP_11:
        case OP.OP_12:
        case OP.OP_13:
        case OP.OP_14:
        case OP.OP_15:
        case OP.OP_16:
          stack.push(encodeNum(op - OP.OP_1 + 1));
          break;
        case OP.OP_NOP:
          break;
        case OP.OP_CHECKLOCKTIMEVERIFY: {
          if (!(flags & SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY)) break;
          need(1);
          // Five bytes: lock times reach 2^32-1, beyond a 4-byte CScriptNum.
          const lockTime = num(top(-1), 5);
          if (lockTime < 0) fail('NEGATIVE_LOCKTIME');
          if (!checker.checkLockTime(lockTime)) fail('UNSATISFIED_LOCKTIME');
          break;
        }
        case OP.OP_CHECKSEQUENCEVERIFY: {
          if (!(flags & SCRIPT_VERIFY.CHECKSEQUENCEVERIFY)) break;
          need(1);
          const sequence = num(top(-1), 5);
          if (sequence < 0) fail('NEGATIVE_LOCKTIME');
          // With the disable flag set the operand is reserved for future soft forks: it behaves as a NOP.
          if (Math.floor(sequence / 0x80000000) % 2 === 1) break;
          if (!checker.checkSequence(sequence)) fail('UNSATISFIED_LOCKTIME');
          break;
        }
        case OP.OP_NOP1:
        case OP.OP_NOP4:
        case OP.OP_NOP5:
        case OP.OP_NOP6:
        case OP.OP_NOP7:
        case OP.OP_NOP8:
        case OP.OP_NOP9:
        case OP.OP_NOP10:
          if (flags & SCRIPT_VERIFY.DISCOURAGE_UPGRADABLE_NOPS) fail('DISCOURAGE_UPGRADABLE_NOPS');
          break;
        case OP.OP_IF:
        case OP.OP_NOTIF: {
          let value = false;
          if (executing) {
            if (stack.length < 1) fail('UNBALANCED_CONDITIONAL', IF_WITHOUT_OPERAND);
            const v = top(-1);
            if (sigversion === SigVersion.TAPSCRIPT) {
              if (v.length > 1 || (v.length === 1 && v[0] !== 1)) fail('TAPSCRIPT_MINIMALIF');
            } else if (sigversion === SigVersion.WITNESS_V0 && flags & SCRIPT_VERIFY.MINIMALIF) {
              if (v.length > 1 || (v.length === 1 && v[0] !== 1)) fail('MINIMALIF');
            }
            value = castToBool(v);
            if (op === OP.OP_NOTIF) value = !value;
            stack.pop();
          }
          vfExec.push(value);
          if (!value) falseCount++;
          break;
        }
        case OP.OP_ELSE: {
          if (vfExec.length === 0) fail('UNBALANCED_CONDITIONAL');
          const last = vfExec.length - 1;
          falseCount += vfExec[last] ? 1 : -1;
          vfExec[last] = !vfExec[last];
          break;
        }
        case OP.OP_ENDIF:
          if (vfExec.length === 0) fail('UNBALANCED_CONDITIONAL');
          if (!vfExec.pop()) falseCount--;
          break;
        case OP.OP_VERIFY:
          need(1);
          if (!castToBool(top(-1))) fail('VERIFY');
          stack.pop();
          break;
        case OP.OP_RETURN:
          fail('OP_RETURN');
          break;
        case OP.OP_TOALTSTACK:
          need(1);
          altstack.push(stack.pop()!);
          break;
        case OP.OP_FROMALTSTACK:
          if (altstack.length < 1) fail('INVALID_ALTSTACK_OPERATION');
          stack.push(altstack.pop()!);
          break;
        case OP.OP_2DROP:
          need(2);
          stack.length -= 2;
          break;
        case OP.OP_2DUP: {
          need(2);
          const a = top(-2);
          const b = top(-1);
          stack.push(a, b);
          break;
        }
        case OP.OP_3DUP: {
          need(3);
          const a = top(-3);
          const b = top(-2);
          const c = top(-1);
          stack.push(a, b, c);
          break;
        }
        case OP.OP_2OVER: {
          need(4);
          const a = top(-4);
          const b = top(-3);
          stack.push(a, b);
          break;
        }
        case OP.OP_2ROT: {
          need(6);
          const [a, b] = stack.splice(stack.length - 6, 2);
          stack.push(a, b);
          break;
        }
        case OP.OP_2SWAP: {
          need(4);
          const n = stack.length;
          const a = stack[n - 4];
          const b = stack[n - 3];
          stack[n - 4] = stack[n - 2];
          stack[n - 3] = stack[n - 1];
          stack[n - 2] = a;
          stack[n - 1] = b;
          break;
        }
        case OP.OP_IFDUP:
          need(1);
          if (castToBool(top(-1))) stack.push(top(-1));
          break;
        case OP.OP_DEPTH:
          stack.push(encodeNum(stack.length));
          break;
        case OP.OP_DROP:
          need(1);
          stack.pop();
          break;
        case OP.OP_DUP:
          need(1);
          stack.push(top(-1));
          break;
        case OP.OP_NIP:
          need(2);
          stack.splice(stack.length - 2, 1);
          break;
        case OP.OP_OVER:
          need(2);
          stack.push(top(-2));
          break;
        case OP.OP_PICK:
        case OP.OP_ROLL: {
          need(2);
          const n = num(top(-1));
          stack.pop();
          if (n < 0 || n >= stack.length) fail('INVALID_STACK_OPERATION');
          const v = top(-n - 1);
          if (op === OP.OP_ROLL) stack.splice(stack.length - n - 1, 1);
          stack.push(v);
          break;
        }
        case OP.OP_ROT: {
          need(3);
          const n = stack.length;
          const a = stack[n - 3];
          stack[n - 3] = stack[n - 2];
          stack[n - 2] = stack[n - 1];
          stack[n - 1] = a;
          break;
        }
        case OP.OP_SWAP: {
          need(2);
          const n = stack.length;
          const a = stack[n - 2];
          stack[n - 2] = stack[n - 1];
          stack[n - 1] = a;
          break;
        }
        case OP.OP_TUCK: {
          need(2);
          const v = top(-1);
          stack.splice(stack.length - 2, 0, v);
          break;
        }
        case OP.OP_SIZE:
          need(1);
          stack.push(encodeNum(top(-1).length));
          break;
        case OP.OP_EQUAL:
        case OP.OP_EQUALVERIFY: {
          need(2);
          const equal = bytesEqual(top(-2), top(-1));
          stack.length -= 2;
          stack.push(equal ? TRUE : FALSE);
          if (op === OP.OP_EQUALVERIFY) {
            if (!equal) fail('EQUALVERIFY');
            stack.pop();
          }
          break;
        }
        case OP.OP_1ADD:
        case OP.OP_1SUB:
        case OP.OP_NEGATE:
        case OP.OP_ABS:
        case OP.OP_NOT:
        case OP.OP_0NOTEQUAL: {
          need(1);
          let n = num(top(-1));
          if (op === OP.OP_1ADD) n += 1;
          else if (op === OP.OP_1SUB) n -= 1;
          else if (op === OP.OP_NEGATE) n = -n;
          else if (op === OP.OP_ABS) n = Math.abs(n);
          else if (op === OP.OP_NOT) n = n === 0 ? 1 : 0;
          else n = n !== 0 ? 1 : 0;
          stack[stack.length - 1] = encodeNum(n);
          break;
        }
        case OP.OP_ADD:
        case OP.OP_SUB:
        case OP.OP_BOOLAND:
        case OP.OP_BOOLOR:
        case OP.OP_NUMEQUAL:
        case OP.OP_NUMEQUALVERIFY:
        case OP.OP_NUMNOTEQUAL:
        case OP.OP_LESSTHAN:
        case OP.OP_GREATERTHAN:
        case OP.OP_LESSTHANOREQUAL:
        case OP.OP_GREATERTHANOREQUAL:
        case OP.OP_MIN:
        case OP.OP_MAX: {
          need(2);
          const a = num(top(-2));
          const b = num(top(-1));
          let n: number;
          switch (op) {
            case OP.OP_ADD:
              n = a + b;
              break;
            case OP.OP_SUB:
              n = a - b;
              break;
            case OP.OP_BOOLAND:
              n = a !== 0 && b !== 0 ? 1 : 0;
              break;
            case OP.OP_BOOLOR:
              n = a !== 0 || b !== 0 ? 1 : 0;
              break;
            case OP.OP_NUMEQUAL:
            case OP.OP_NUMEQUALVERIFY:
              n = a === b ? 1 : 0;
              break;
            case OP.OP_NUMNOTEQUAL:
              n = a !== b ? 1 : 0;
              break;
            case OP.OP_LESSTHAN:
              n = a < b ? 1 : 0;
              break;
            case OP.OP_GREATERTHAN:
              n = a > b ? 1 : 0;
              break;
            case OP.OP_LESSTHANOREQUAL:
              n = a <= b ? 1 : 0;
              break;
            case OP.OP_GREATERTHANOREQUAL:
              n = a >= b ? 1 : 0;
              break;
            case OP.OP_MIN:
              n = a < b ? a : b;
              break;
            default:
              n = a > b ? a : b;
          }
          stack.length -= 2;
          stack.push(encodeNum(n));
          if (op === OP.OP_NUMEQUALVERIFY) {
            if (n === 0) fail('NUMEQUALVERIFY');
            stack.pop();
          }
          break;
        }
        case OP.OP_WITHIN: {
          need(3);
          const x = num(top(-3));
          const min = num(top(-2));
          const max = num(top(-1));
          stack.length -= 3;
          stack.push(min <= x && x < max ? TRUE : FALSE);
          break;
        }
        case OP.OP_RIPEMD160:
        case OP.OP_SHA1:
        case OP.OP_SHA256:
        case OP.OP_HASH160:
        case OP.OP_HASH256: {
          need(1);
          const v = top(-1);
          let h: Uint8Array;
          if (op === OP.OP_RIPEMD160) h = ripemd160(v);
          else if (op === OP.OP_SHA1) h = sha1(v);
          else if (op === OP.OP_SHA256) h = sha256(v);
          else if (op === OP.OP_HASH160) h = ripemd160(sha256(v));
          else h = sha256(sha256(v));
          stack[stack.length - 1] = h;
          break;
        }
        case OP.OP_CODESEPARATOR:
          codeHashStart = r.pc;
          exec.codeseparatorPos = opcodePos;
          break;
        case OP.OP_CHECKSIG:
        case OP.OP_CHECKSIGVERIFY: {
          need(2);
          const sig = top(-2);
          const pubkey = top(-1);
          let success: boolean;
          if (sigversion === SigVersion.TAPSCRIPT) {
            success = checksigTapscript(sig, pubkey, flags, checker, exec);
          } else {
            let scriptCode = script.subarray(codeHashStart);
            if (sigversion === SigVersion.BASE) {
              const res = findAndDelete(scriptCode, pushData(sig));
              if (res.found > 0 && flags & SCRIPT_VERIFY.CONST_SCRIPTCODE) fail('SIG_FINDANDDELETE');
              scriptCode = res.script;
            }
            checkSignatureEncoding(sig, flags);
            checkPubKeyEncoding(pubkey, flags, sigversion);
            success = checker.checkEcdsa(sig, pubkey, scriptCode, sigversion);
            if (!success && flags & SCRIPT_VERIFY.NULLFAIL && sig.length) fail('NULLFAIL');
          }
          stack.length -= 2;
          if (op === OP.OP_CHECKSIGVERIFY) {
            if (!success) fail('CHECKSIGVERIFY');
          } else stack.push(success ? TRUE : FALSE);
          break;
        }
        case OP.OP_CHECKSIGADD: {
          if (legacyLimits) fail('BAD_OPCODE');
          need(3);
          const sig = top(-3);
          const n = num(top(-2));
          const pubkey = top(-1);
          const success = checksigTapscript(sig, pubkey, flags, checker, exec);
          stack.length -= 3;
          stack.push(encodeNum(n + (success ? 1 : 0)));
          break;
        }
        case OP.OP_CHECKMULTISIG:
        case OP.OP_CHECKMULTISIGVERIFY: {
          if (sigversion === SigVersion.TAPSCRIPT) fail('TAPSCRIPT_CHECKMULTISIG');
          let i = 1;
          need(i);
          let keysCount = num(top(-i));
          if (keysCount < 0 || keysCount > MAX_PUBKEYS_PER_MULTISIG) fail('PUBKEY_COUNT');
          opCount += keysCount;
          if (opCount > MAX_OPS_PER_SCRIPT) fail('OP_COUNT');
          let ikey = ++i;
          // Keys not yet checked; used to apply NULLFAIL only to signatures, not keys.
          let ikey2 = keysCount + 2;
          i += keysCount;
          need(i);
          let sigsCount = num(top(-i));
          if (sigsCount < 0 || sigsCount > keysCount) fail('SIG_COUNT');
          let isig = ++i;
          i += sigsCount;
          need(i);
          let scriptCode = script.subarray(codeHashStart);
          for (let k = 0; k < sigsCount; k++) {
            const sig = top(-isig - k);
            if (sigversion === SigVersion.BASE) {
              const res = findAndDelete(scriptCode, pushData(sig));
              if (res.found > 0 && flags & SCRIPT_VERIFY.CONST_SCRIPTCODE) fail('SIG_FINDANDDELETE');
              scriptCode = res.script;
            }
          }
          let success = true;
          while (success && sigsCount > 0) {
            const sig = top(-isig);
            const pubkey = top(-ikey);
            checkSignatureEncoding(sig, flags);
            checkPubKeyEncoding(pubkey, flags, sigversion);
            if (checker.checkEcdsa(sig, pubkey, scriptCode, sigversion)) {
              isig++;
              sigsCount--;
            }
            ikey++;
            keysCount--;
            if (sigsCount > keysCount) success = false;
          }
          while (i-- > 1) {
            if (!success && flags & SCRIPT_VERIFY.NULLFAIL && !ikey2 && top(-1).length) fail('NULLFAIL');
            if (ikey2 > 0) ikey2--;
            stack.pop();
          }
          // The historic off-by-one pops one extra item; BIP147 requires it to be empty.
          if (stack.length < 1) fail('INVALID_STACK_OPERATION');
          if (flags & SCRIPT_VERIFY.NULLDUMMY && top(-1).length) fail('SIG_NULLDUMMY');
          stack.pop();
          if (op === OP.OP_CHECKMULTISIGVERIFY) {
            if (!success) fail('CHECKMULTISIGVERIFY');
          } else stack.push(success ? TRUE : FALSE);
          break;
        }
        default:
          fail('BAD_OPCODE');
      }
    }
    const items = stack.length + altstack.length;
    if (items > MAX_STACK_SIZE) fail('STACK_SIZE');
    if (stats && items > stats.maxStackItems) stats.maxStackItems = items;
  }
  if (vfExec.length !== 0) fail('UNBALANCED_CONDITIONAL');
}

import { runTapscript, STANDARD_FLAGS } from '../bitcoin/index.ts';
import { type Fragment, encodeScriptNum, decodeScriptNum } from './script.ts';

/** What running a fragment on Keel's interpreter produced. */
export interface RunResult {
  /** True when the script ran to the end and left exactly one true item (tapscript's clean-stack rule). */
  ok: boolean;
  /** Bitcoin Core's name for the failure, when `ok` is false. */
  error?: string;
  message?: string;
  finalStack: Uint8Array[];
  maxStackItems: number;
  opCount: number;
}

/** Stack inputs as either raw items or small numbers (encoded as minimal script numbers). */
export type StackInput = Uint8Array | number;

const toItem = (input: StackInput): Uint8Array => (typeof input === 'number' ? encodeScriptNum(input) : input);

/** The one adapter to the interpreter: runs `script` as a tapscript leaf with standard policy flags. */
export function runScript(script: Fragment | Uint8Array, stack: readonly StackInput[]): RunResult {
  const bytes = script instanceof Uint8Array ? script : script.bytes;
  const result = runTapscript(bytes, stack.map(toItem), { flags: STANDARD_FLAGS });
  return {
    ok: result.ok,
    error: result.error,
    message: result.message,
    finalStack: result.finalStack,
    maxStackItems: result.maxStackItems,
    opCount: result.opCount,
  };
}

/**
 * Runs a fragment that is not a full leaf: execution must reach the end without error; the clean-stack rule is
 * not applied, so the fragment's outputs can be read back as numbers.
 */
export function runFragment(fragment: Fragment, stack: readonly StackInput[]): RunResult & { numbers: number[] } {
  const result = runScript(fragment, stack);
  const cleanStackOnly = result.error === 'CLEANSTACK' || result.error === 'EVAL_FALSE';
  const ok = result.ok || cleanStackOnly;
  return {
    ...result,
    ok,
    error: ok ? undefined : result.error,
    numbers: result.finalStack.map((item) => (item.length <= 4 ? decodeScriptNum(item) : Number.NaN)),
  };
}

import type { Transaction, TxOutput } from '../tx/transaction.ts';
import { TxError } from '../tx/errors.ts';
import { TransactionSignatureChecker } from './checker.ts';
import type { SignatureCache } from './crypto.ts';
import { ScriptError } from './errors.ts';
import type { VerifyFlags } from './flags.ts';
import { PrecomputedTxData } from './sighash.ts';
import { verifyScript } from './verify.ts';

export interface VerifyInputArgs {
  tx: Transaction;
  index: number;
  /** The outputs spent by every input of `tx`, in input order (taproot signatures commit to all of them). */
  prevouts: readonly TxOutput[];
  flags: VerifyFlags;
  /**
   * Share one across the inputs of a transaction so its common hashes are computed once; it must be built from
   * these same `tx` and `prevouts` objects.
   */
  precomputed?: PrecomputedTxData;
  /** Skips re-verifying signatures already found valid (e.g. mempool then block). */
  sigCache?: SignatureCache;
}

function badArgument(details: string): never {
  throw new ScriptError('UNKNOWN_ERROR', details);
}

/**
 * Verifies input `index` of `tx` against the output it spends, under `flags`, exactly as Bitcoin Core's
 * VerifyScript with a TransactionSignatureChecker. Returns on success; throws ScriptError (Core's error name in
 * `code`) on failure. Malformed arguments are reported as ScriptError UNKNOWN_ERROR with details.
 */
export function verifyInput(args: VerifyInputArgs): void {
  const { tx, index, prevouts, flags } = args;
  let txdata = args.precomputed;
  if (txdata !== undefined) {
    if (!(txdata instanceof PrecomputedTxData) || txdata.tx !== tx || txdata.spent !== prevouts)
      badArgument('precomputed data must be built from this same tx and prevouts');
  } else {
    // Construction checks the transaction's shape.
    try {
      txdata = new PrecomputedTxData(tx, prevouts);
    } catch (err) {
      if (err instanceof TxError) badArgument(err.details ?? err.shortMessage);
      throw err;
    }
  }
  if (!Number.isInteger(index) || index < 0 || index >= tx.inputs.length)
    badArgument(`input index ${index} out of range (tx has ${tx.inputs.length} inputs)`);
  if (!Array.isArray(prevouts) || prevouts.length !== tx.inputs.length)
    badArgument(`expected ${tx.inputs.length} prevouts, got ${Array.isArray(prevouts) ? prevouts.length : 'none'}`);
  for (const p of prevouts)
    if (
      !p ||
      typeof p.value !== 'bigint' ||
      BigInt.asIntN(64, p.value) !== p.value ||
      !(p.script instanceof Uint8Array)
    )
      badArgument('prevout must be { value: bigint, script: Uint8Array }');
  if (!Number.isInteger(flags) || flags < 0) badArgument('flags must be a bitmask from parseFlags');
  const input = tx.inputs[index];
  if (!(input.scriptSig instanceof Uint8Array) || !Array.isArray(input.witness)) badArgument('malformed input');
  const checker = new TransactionSignatureChecker(txdata, index, prevouts[index].value, args.sigCache);
  verifyScript(input.scriptSig, prevouts[index].script, input.witness, flags, checker);
}

/** verifyInput for every input; the first failure throws, with the input index in its details. */
export function verifyTransaction(
  tx: Transaction,
  prevouts: readonly TxOutput[],
  flags: VerifyFlags,
  sigCache?: SignatureCache,
): void {
  let precomputed: PrecomputedTxData;
  try {
    precomputed = new PrecomputedTxData(tx, prevouts);
  } catch (err) {
    if (err instanceof TxError) badArgument(err.details ?? err.shortMessage);
    throw err;
  }
  for (let index = 0; index < tx.inputs.length; index++) {
    try {
      verifyInput({ tx, index, prevouts, flags, precomputed, sigCache });
    } catch (err) {
      if (err instanceof ScriptError)
        throw new ScriptError(err.code, `input ${index}${err.details ? ': ' + err.details : ''}`);
      throw err;
    }
  }
}

import { hexToBytes } from '@noble/hashes/utils.js';
import { ByteReader } from '../tx/bytes.ts';
import { decodeTransaction } from '../tx/transaction.ts';
import type { Transaction, TxOutput } from '../tx/transaction.ts';
import type { SignatureCache } from './crypto.ts';
import { ScriptError } from './errors.ts';
import type { ScriptErrorCode } from './errors.ts';
import { SCRIPT_VERIFY, parseFlags } from './flags.ts';
import type { VerifyFlags } from './flags.ts';
import { verifyInput } from './input.ts';
import { PrecomputedTxData } from './sighash.ts';

/** One case of Core's script_assets_test.json (feature_taproot.py --dumptests). */
export interface AssetCase {
  tx: string;
  prevouts: string[];
  index: number;
  flags: string;
  comment?: string;
  final?: boolean;
  success?: { scriptSig: string; witness: string[] };
  failure?: { scriptSig: string; witness: string[] };
}

/** The consensus flags Core's asset test combines: every set where WITNESS implies P2SH and TAPROOT implies WITNESS. */
export const ALL_CONSENSUS_FLAG_SETS: readonly VerifyFlags[] = (() => {
  const bits = [
    SCRIPT_VERIFY.P2SH,
    SCRIPT_VERIFY.DERSIG,
    SCRIPT_VERIFY.NULLDUMMY,
    SCRIPT_VERIFY.CHECKLOCKTIMEVERIFY,
    SCRIPT_VERIFY.CHECKSEQUENCEVERIFY,
    SCRIPT_VERIFY.WITNESS,
    SCRIPT_VERIFY.TAPROOT,
  ];
  const sets: VerifyFlags[] = [];
  for (let mask = 0; mask < 1 << bits.length; mask++) {
    let flags = 0;
    bits.forEach((bit, i) => {
      if (mask & (1 << i)) flags |= bit;
    });
    if (flags & SCRIPT_VERIFY.WITNESS && !(flags & SCRIPT_VERIFY.P2SH)) continue;
    if (flags & SCRIPT_VERIFY.TAPROOT && !(flags & SCRIPT_VERIFY.WITNESS)) continue;
    sets.push(flags);
  }
  return sets;
})();

function decodeTxOut(hex: string): TxOutput {
  const r = new ByteReader(hexToBytes(hex));
  const value = r.i64('prevout value');
  const script = r.varBytes('prevout script').slice();
  if (r.remaining !== 0) throw new ScriptError('UNKNOWN_ERROR', 'trailing bytes after prevout');
  return { value, script };
}

export interface AssetCheck {
  kind: 'success' | 'failure';
  flags: VerifyFlags;
  /** null when the input verified. */
  error: ScriptErrorCode | null;
  /** Whether the result is what the case demands. */
  ok: boolean;
}

/**
 * Runs one case. With `extended`, applies Core's full semantics: `success` must also pass under every subset of the
 * case's flags (every consensus flag set when `final`), `failure` must also fail under every superset.
 */
export function runAssetCase(c: AssetCase, opts: { extended?: boolean; sigCache?: SignatureCache } = {}): AssetCheck[] {
  const base = decodeTransaction(hexToBytes(c.tx));
  const prevouts = c.prevouts.map(decodeTxOut);
  const caseFlags = parseFlags(c.flags);
  const checks: AssetCheck[] = [];
  const run = (
    kind: 'success' | 'failure',
    spend: { scriptSig: string; witness: string[] },
    flagSets: VerifyFlags[],
  ) => {
    const inputs = base.inputs.slice();
    inputs[c.index] = {
      ...inputs[c.index],
      scriptSig: hexToBytes(spend.scriptSig),
      witness: spend.witness.map(hexToBytes),
    };
    const tx: Transaction = { ...base, inputs };
    const precomputed = new PrecomputedTxData(tx, prevouts);
    for (const flags of flagSets) {
      let error: ScriptErrorCode | null = null;
      try {
        verifyInput({ tx, index: c.index, prevouts, flags, precomputed, sigCache: opts.sigCache });
      } catch (err) {
        if (!(err instanceof ScriptError)) throw err;
        error = err.code;
      }
      checks.push({ kind, flags, error, ok: kind === 'success' ? error === null : error !== null });
    }
  };
  if (c.success) {
    const sets = !opts.extended
      ? [caseFlags]
      : c.final
        ? [...ALL_CONSENSUS_FLAG_SETS]
        : ALL_CONSENSUS_FLAG_SETS.filter((f) => (f & caseFlags) === f);
    run('success', c.success, sets);
  }
  if (c.failure) {
    const sets = !opts.extended ? [caseFlags] : ALL_CONSENSUS_FLAG_SETS.filter((f) => (f & caseFlags) === caseFlags);
    run('failure', c.failure, sets);
  }
  return checks;
}

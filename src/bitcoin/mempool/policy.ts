import { classifyOutput, isP2SH, isPushOnly, countSigOps, witnessProgram } from '../chain/scriptops.ts';
import { lastPush } from '../chain/sigops.ts';
import { encodeTransaction, weight as txWeight, type Transaction, type TxOutput } from '../tx/index.ts';

/** Bitcoin Core's default relay policy (v25–v29). */
export const POLICY = {
  maxStandardTxWeight: 400_000,
  maxStandardVersion: 3,
  minStandardTxNonWitnessSize: 65,
  maxScriptSigSize: 1650,
  maxOpReturnRelay: 83,
  maxP2shSigops: 15,
  maxStandardTxSigopsCost: 16_000,
  maxStandardP2wshScriptSize: 3600,
  maxStandardP2wshStackItems: 100,
  maxStandardP2wshStackItemSize: 80,
  maxStandardTapscriptStackItemSize: 80,
  /** sat per 1000 vbytes */
  minRelayFeeRate: 1000,
  incrementalRelayFeeRate: 1000,
  dustRelayFeeRate: 3000,
  ancestorLimitCount: 25,
  ancestorLimitVsize: 101_000,
  descendantLimitCount: 25,
  descendantLimitVsize: 101_000,
  maxReplacementEvictions: 100,
  /** Bytes of serialized transactions the pool holds (Core's -maxmempool default, 300 MB). */
  maxMempoolBytes: 300_000_000,
} as const;

/** Core's CFeeRate::GetFee (rounded up). */
export function feeForVsize(rateSatPerKvB: number, vsize: number): bigint {
  return BigInt(Math.ceil((rateSatPerKvB * vsize) / 1000));
}

/** Core's GetDustThreshold for an output at the dust relay rate. */
export function dustThreshold(out: TxOutput, rate: number = POLICY.dustRelayFeeRate): bigint {
  if (out.script.length > 0 && out.script[0] === 0x6a) return 0n;
  if (out.script.length > 10_000) return 0n;
  const len = out.script.length;
  let size = 8 + (len < 0xfd ? 1 : len <= 0xffff ? 3 : 5) + len;
  size += witnessProgram(out.script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return feeForVsize(rate, size);
}

export function isDust(out: TxOutput): boolean {
  return out.value < dustThreshold(out);
}

/** Core's IsStandardTx; returns the reject reason or undefined. */
export function standardTxReason(tx: Transaction): string | undefined {
  if (tx.version < 1 || tx.version > POLICY.maxStandardVersion) return 'version';
  if (txWeight(tx) > POLICY.maxStandardTxWeight) return 'tx-size';
  for (const input of tx.inputs) {
    if (input.scriptSig.length > POLICY.maxScriptSigSize) return 'scriptsig-size';
    if (!isPushOnly(input.scriptSig)) return 'scriptsig-not-pushonly';
  }
  let nullData = 0;
  for (const out of tx.outputs) {
    const { type, m, n } = classifyOutput(out.script);
    if (type === 'nonstandard') return 'scriptpubkey';
    if (type === 'nulldata') {
      if (out.script.length > POLICY.maxOpReturnRelay) return 'scriptpubkey';
      nullData++;
    } else if (type === 'multisig') {
      if (!m || !n || n > 3 || m > n) return 'scriptpubkey';
    }
    if (type !== 'nulldata' && isDust(out)) return 'dust';
  }
  if (nullData > 1) return 'multi-op-return';
  return undefined;
}

export function txSizeTooSmall(tx: Transaction): boolean {
  return encodeTransaction(tx, { witness: false }).length < POLICY.minStandardTxNonWitnessSize;
}

/** Core's AreInputsStandard. */
export function inputsStandard(tx: Transaction, prevouts: TxOutput[]): boolean {
  for (let i = 0; i < tx.inputs.length; i++) {
    const prev = prevouts[i].script;
    const { type } = classifyOutput(prev);
    if (type === 'nonstandard' || type === 'witness_unknown') return false;
    if (type === 'scripthash') {
      const redeem = lastPush(tx.inputs[i].scriptSig);
      if (redeem === undefined) return false;
      if (countSigOps(redeem, true) > POLICY.maxP2shSigops) return false;
    }
  }
  return true;
}

/** Core's IsWitnessStandard. */
export function witnessStandard(tx: Transaction, prevouts: TxOutput[]): boolean {
  for (let i = 0; i < tx.inputs.length; i++) {
    const witness = tx.inputs[i].witness;
    if (witness.length === 0) continue;
    let prev = prevouts[i].script;
    let p2sh = false;
    if (isP2SH(prev)) {
      const redeem = lastPush(tx.inputs[i].scriptSig);
      if (!redeem) return false;
      prev = redeem;
      p2sh = true;
    }
    const program = witnessProgram(prev);
    if (!program) return false;
    if (program.version === 0 && program.program.length === 32) {
      const script = witness[witness.length - 1];
      if (script.length > POLICY.maxStandardP2wshScriptSize) return false;
      if (witness.length - 1 > POLICY.maxStandardP2wshStackItems) return false;
      for (let j = 0; j < witness.length - 1; j++)
        if (witness[j].length > POLICY.maxStandardP2wshStackItemSize) return false;
    }
    if (program.version === 1 && program.program.length === 32 && !p2sh) {
      let stack = witness;
      if (stack.length >= 2 && stack[stack.length - 1].length > 0 && stack[stack.length - 1][0] === 0x50) return false;
      if (stack.length >= 2) {
        const control = stack[stack.length - 1];
        stack = stack.slice(0, -2);
        if ((control[0] & 0xfe) === 0xc0) {
          for (const item of stack) if (item.length > POLICY.maxStandardTapscriptStackItemSize) return false;
        }
      }
    }
  }
  return true;
}

import { isCoinbase, type Transaction, type TxOutput } from '../tx/index.ts';
import { countSigOps, isP2SH, parseScript, witnessProgram, OP_16 } from './scriptops.ts';

export const WITNESS_SCALE = 4;

/** Core's GetLegacySigOpCount. */
export function legacySigOps(tx: Transaction): number {
  let n = 0;
  for (const input of tx.inputs) n += countSigOps(input.scriptSig, false);
  for (const output of tx.outputs) n += countSigOps(output.script, false);
  return n;
}

/** The last push of a push-only scriptSig (the P2SH redeem script), or undefined when not push-only. */
export function lastPush(scriptSig: Uint8Array): Uint8Array | undefined {
  const ops = parseScript(scriptSig);
  if (!ops) return undefined;
  let data: Uint8Array | undefined;
  for (const op of ops) {
    if (op.opcode > OP_16) return undefined;
    data = op.data ?? new Uint8Array(0);
  }
  return data;
}

function witnessSigOps(scriptSig: Uint8Array, prevScript: Uint8Array, witness: Uint8Array[]): number {
  let program = witnessProgram(prevScript);
  if (!program && isP2SH(prevScript)) {
    const redeem = lastPush(scriptSig);
    if (redeem) program = witnessProgram(redeem);
  }
  if (!program || program.version !== 0) return 0;
  if (program.program.length === 20) return 1;
  if (program.program.length === 32 && witness.length > 0) return countSigOps(witness[witness.length - 1], true);
  return 0;
}

/** Core's GetTransactionSigOpCost (P2SH and witness flags on, as they are from genesis on regtest). */
export function sigOpCost(tx: Transaction, prevouts: TxOutput[]): number {
  let cost = legacySigOps(tx) * WITNESS_SCALE;
  if (isCoinbase(tx)) return cost;
  for (let i = 0; i < tx.inputs.length; i++) {
    const input = tx.inputs[i];
    const prev = prevouts[i].script;
    if (isP2SH(prev)) {
      const redeem = lastPush(input.scriptSig);
      if (redeem) cost += countSigOps(redeem, true) * WITNESS_SCALE;
    }
    cost += witnessSigOps(input.scriptSig, prev, input.witness);
  }
  return cost;
}

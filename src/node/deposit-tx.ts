import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import type { PublicKey } from '../rollup/index.ts';
import { bridgeDepositScript, depositMarkerScript } from './deposit.ts';
import { KeelNodeError } from './errors.ts';

export type SpendableOutput = { txid: string; vout: number; amount: bigint; script: Uint8Array };

/**
 * Wallet side of a peg-in: spends P2WPKH outputs of `secretKey` to the bridge deposit output, the KEEL marker and
 * change. Returns the signed transaction for `sendrawtransaction`.
 */
export function buildDepositTransaction(args: {
  inputs: SpendableOutput[];
  secretKey: Uint8Array;
  bridgeKey: Uint8Array;
  l2Key: PublicKey;
  amount: bigint;
  fee: bigint;
  changeScript: Uint8Array;
}): { hex: string; txid: string } {
  const total = args.inputs.reduce((s, i) => s + i.amount, 0n);
  const change = total - args.amount - args.fee;
  if (args.amount <= 0n || args.fee < 0n || change < 0n)
    throw new KeelNodeError('the inputs do not cover the deposit and the fee', {
      details: `inputs ${total}, deposit ${args.amount}, fee ${args.fee}`,
    });
  const tx = new btc.Transaction({ version: 2, allowUnknownOutputs: true });
  const pub = secp256k1.getPublicKey(args.secretKey, true);
  const own = btc.p2wpkh(pub).script;
  for (const i of args.inputs) {
    if (!Buffer.from(i.script).equals(Buffer.from(own)))
      throw new KeelNodeError('an input is not a P2WPKH output of the signing key', { details: `${i.txid}:${i.vout}` });
    tx.addInput({ txid: i.txid, index: i.vout, witnessUtxo: { script: i.script, amount: i.amount } });
  }
  tx.addOutput({ script: bridgeDepositScript(args.bridgeKey), amount: args.amount });
  tx.addOutput({ script: depositMarkerScript(args.l2Key), amount: 0n });
  // Change below the dust limit goes to the fee.
  if (change >= 1000n) tx.addOutput({ script: args.changeScript, amount: change });
  tx.sign(args.secretKey);
  tx.finalize();
  return { hex: tx.hex, txid: tx.id };
}

// Builds Bitcoin Core's script_tests harness: a crediting transaction paying to scriptPubKey and a spending
// transaction whose only input carries scriptSig and witness (Core's BuildCreditingTransaction/BuildSpendingTransaction).
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Transaction } from '../../src/bitcoin/index.ts';
import { OP, parseAsm, tapleafHash, taggedHasher, txid, TAPROOT_LEAF_TAPSCRIPT } from '../../src/bitcoin/index.ts';

export function creditingTx(scriptPubKey: Uint8Array, value: bigint): Transaction {
  return {
    version: 1,
    locktime: 0,
    inputs: [
      {
        txid: new Uint8Array(32),
        vout: 0xffffffff,
        scriptSig: Uint8Array.of(OP.OP_0, OP.OP_0),
        sequence: 0xffffffff,
        witness: [],
      },
    ],
    outputs: [{ value, script: scriptPubKey }],
  };
}

export function spendingTx(credit: Transaction, scriptSig: Uint8Array, witness: Uint8Array[]): Transaction {
  return {
    version: 1,
    locktime: 0,
    inputs: [{ txid: txid(credit), vout: 0, scriptSig, sequence: 0xffffffff, witness }],
    outputs: [{ value: credit.outputs[0].value, script: new Uint8Array(0) }],
  };
}

// BIP341's provably unspendable internal key H, so the test key path cannot be used.
const NUMS = hexToBytes('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');
const tapTweak = taggedHasher('TapTweak');

/** Resolves the #SCRIPT#, #CONTROLBLOCK# and #TAPROOTOUTPUT# placeholders of Core's tapscript cases. */
export function tapscriptPlaceholders(witnessStrings: string[]): { witness: Uint8Array[]; outputKey?: Uint8Array } {
  const scriptItem = witnessStrings.find((w) => w.startsWith('#SCRIPT#'));
  if (!scriptItem) return { witness: witnessStrings.map((w) => hexToBytes(w)) };
  const script = parseAsm(scriptItem.slice('#SCRIPT#'.length));
  const leaf = tapleafHash(TAPROOT_LEAF_TAPSCRIPT, script);
  const t = BigInt('0x' + Buffer.from(tapTweak(NUMS, leaf)).toString('hex'));
  const P = schnorr.utils.lift_x(BigInt('0x' + Buffer.from(NUMS).toString('hex')));
  const Q = P.add(secp256k1.Point.BASE.multiply(t)).toAffine();
  const outputKey = hexToBytes(Q.x.toString(16).padStart(64, '0'));
  const control = new Uint8Array(33);
  control[0] = TAPROOT_LEAF_TAPSCRIPT | Number(Q.y & 1n);
  control.set(NUMS, 1);
  const witness = witnessStrings.map((w) =>
    w.startsWith('#SCRIPT#') ? script : w === '#CONTROLBLOCK#' ? control : hexToBytes(w),
  );
  return { witness, outputKey };
}

export function parseScriptWithOutputKey(asm: string, outputKey?: Uint8Array): Uint8Array {
  if (!asm.includes('#TAPROOTOUTPUT#')) return parseAsm(asm);
  if (!outputKey) throw new Error('#TAPROOTOUTPUT# without a #SCRIPT# witness');
  const [before, after] = asm.split('#TAPROOTOUTPUT#');
  const head = parseAsm(before);
  const tail = parseAsm(after);
  const out = new Uint8Array(head.length + 32 + tail.length);
  out.set(head);
  out.set(outputKey, head.length);
  out.set(tail, head.length + 32);
  return out;
}

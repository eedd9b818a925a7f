import { schnorr } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { fail } from './errors.ts';
import { envelopeScript } from './envelope.ts';

/** Core's standardness limit for one transaction (MAX_STANDARD_TX_WEIGHT). */
export const MAX_REVEAL_WEIGHT = 400_000;
/**
 * Payload bytes per reveal: the leaf adds 3 bytes per 520-byte push (~0.6%), and the signature, control block and
 * the non-witness part about 400 WU, so 390,000 bytes keeps a reveal under 400,000 WU with room to spare.
 */
export const MAX_PART_BYTES = 390_000;
/** P2TR dust at Core's 3 sat/vB dust relay fee. */
export const P2TR_DUST = 330n;
/** Reveals pay to an OP_RETURN "keel" (a 0-value output keeps the tx at ≥ 65 non-witness bytes, as policy needs). */
export const REVEAL_OUTPUT = Uint8Array.of(0x6a, 0x04, 0x6b, 0x65, 0x65, 0x6c);
const RBF_SEQUENCE = 0xfffffffd;
// Scripts are network-independent; addresses are only used in logs.
const NET = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };

export type Outpoint = { txid: string; vout: number };
/** The output that links commitments: a key-path P2TR of the sequencer, also the sequencer's float for fees. */
export type ChainOutput = Outpoint & { amount: bigint; script: Uint8Array };
export type BuiltTx = { hex: string; txid: string; vsize: number; weight: number; fee: bigint };
export type BuiltCommitment = {
  commit: BuiltTx;
  reveals: BuiltTx[];
  /** Output 0 of the commit transaction: the next commitment spends it. */
  chain: ChainOutput;
  /** Payload bytes per reveal. */
  parts: number[];
};

export function xOnlyKey(secretKey: Uint8Array): Uint8Array {
  return schnorr.getPublicKey(secretKey);
}

/** The scriptPubKey of the sequencer's chain output (key path, BIP86 tweak). */
export function chainScript(sequencerKey: Uint8Array): Uint8Array {
  return btc.p2tr(sequencerKey, undefined, NET).script;
}

export function splitPayload(payload: Uint8Array, maxPart = MAX_PART_BYTES): Uint8Array[] {
  if (payload.length === 0) fail('INVALID_PARAMETER', 'empty payload');
  const count = Math.ceil(payload.length / maxPart);
  if (count > 0xffff) fail('PAYLOAD_TOO_LARGE', `payload of ${payload.length} bytes needs ${count} reveals`);
  const size = Math.ceil(payload.length / count);
  return Array.from({ length: count }, (_, i) => payload.subarray(i * size, (i + 1) * size));
}

function envelopeTree(leaf: Uint8Array) {
  return btc.p2tr(btc.TAPROOT_UNSPENDABLE_KEY, { script: leaf }, NET, true);
}

function finished(tx: btc.Transaction, fee: bigint): BuiltTx {
  return { hex: tx.hex, txid: tx.id, vsize: tx.vsize, weight: tx.weight, fee };
}

function buildReveal(
  secretKey: Uint8Array,
  leaf: Uint8Array,
  commitTxid: string,
  vout: number,
  amount: bigint,
): btc.Transaction {
  const tree = envelopeTree(leaf);
  const tx = new btc.Transaction({ version: 2, allowUnknownOutputs: true });
  tx.addInput({
    txid: commitTxid,
    index: vout,
    witnessUtxo: { script: tree.script, amount },
    tapLeafScript: tree.tapLeafScript,
    sequence: RBF_SEQUENCE,
  });
  tx.addOutput({ script: REVEAL_OUTPUT, amount: 0n });
  // The leaf is not a template btc-signer finalizes by itself: sign the script path and set the witness directly.
  const [control, scriptWithVersion] = tree.tapLeafScript![0]!;
  const script = scriptWithVersion.subarray(0, -1);
  const version = scriptWithVersion[scriptWithVersion.length - 1]!;
  const hash = tx.preimageWitnessV1(0, [tree.script], btc.SigHash.DEFAULT, [amount], undefined, script, version);
  const sig = schnorr.sign(hash, secretKey);
  tx.updateInput(0, { finalScriptWitness: [sig, script, btc.TaprootControlBlock.encode(control)] }, true);
  return tx;
}

function buildCommitTx(
  secretKey: Uint8Array,
  input: ChainOutput,
  envelopes: { script: Uint8Array; amount: bigint }[],
  change: bigint,
): btc.Transaction {
  const key = xOnlyKey(secretKey);
  const tx = new btc.Transaction({ version: 2, allowUnknownOutputs: true });
  tx.addInput({
    txid: input.txid,
    index: input.vout,
    witnessUtxo: { script: input.script, amount: input.amount },
    tapInternalKey: key,
    sequence: RBF_SEQUENCE,
  });
  tx.addOutput({ script: chainScript(key), amount: change });
  for (const e of envelopes) tx.addOutput(e);
  tx.sign(secretKey);
  tx.finalize();
  return tx;
}

/**
 * Builds a batch commitment: a commit transaction that spends the previous chain output, re-creates it as output 0
 * and funds one envelope output per payload part, and one reveal per part spending it through the envelope leaf.
 * `feeRate` is in sat/vB; `minCommitFee` lets a replacement pay what BIP125 asks (more than everything it evicts).
 */
export function buildCommitment(opts: {
  payload: Uint8Array;
  secretKey: Uint8Array;
  chainInput: ChainOutput;
  feeRate: number;
  minCommitFee?: bigint;
  maxPartBytes?: number;
}): BuiltCommitment {
  const { secretKey, chainInput } = opts;
  if (!(opts.feeRate > 0) || !Number.isFinite(opts.feeRate)) fail('INVALID_PARAMETER', `fee rate ${opts.feeRate}`);
  const key = xOnlyKey(secretKey);
  const rate = (vsize: number) => BigInt(Math.ceil(vsize * opts.feeRate));
  const parts = splitPayload(opts.payload, opts.maxPartBytes);
  const leaves = parts.map((data, index) => envelopeScript({ key, index, count: parts.length, data }));
  // Reveal size does not depend on the commit txid or amounts, so one trial build gives its exact fee.
  const dummyTxid = '00'.repeat(32);
  const envelopes = leaves.map((leaf, i) => {
    const trial = buildReveal(secretKey, leaf, dummyTxid, i + 1, 1_000_000n);
    if (trial.weight > MAX_REVEAL_WEIGHT)
      fail('PAYLOAD_TOO_LARGE', `reveal ${i} weighs ${trial.weight} WU`, `limit ${MAX_REVEAL_WEIGHT}`);
    const fee = rate(trial.vsize);
    return { script: envelopeTree(leaf).script, amount: fee > P2TR_DUST ? fee : P2TR_DUST };
  });
  const locked = envelopes.reduce((n, e) => n + e.amount, 0n);
  const short = () =>
    fail('INSUFFICIENT_FUNDS', 'the chain output cannot pay for this commitment', `have ${chainInput.amount} sat`);
  if (chainInput.amount < locked + 2n * P2TR_DUST) short();
  const trialCommit = buildCommitTx(secretKey, chainInput, envelopes, P2TR_DUST);
  let commitFee = rate(trialCommit.vsize);
  if (opts.minCommitFee !== undefined && opts.minCommitFee > commitFee) commitFee = opts.minCommitFee;
  const change = chainInput.amount - locked - commitFee;
  if (change < P2TR_DUST) short();
  const commit = buildCommitTx(secretKey, chainInput, envelopes, change);
  const reveals = leaves.map((leaf, i) =>
    finished(buildReveal(secretKey, leaf, commit.id, i + 1, envelopes[i]!.amount), envelopes[i]!.amount),
  );
  return {
    commit: finished(commit, commitFee),
    reveals,
    chain: { txid: commit.id, vout: 0, amount: change, script: chainScript(key) },
    parts: parts.map((p) => p.length),
  };
}

import { sha256 } from '@noble/hashes/sha2.js';
import { taggedHasher } from './taproot.ts';
import { ByteWriter } from '../tx/bytes.ts';
import type { Transaction, TxOutput } from '../tx/transaction.ts';
import { assertTransaction } from '../tx/transaction.ts';
import { serializeScriptCode } from './script.ts';

export const SIGHASH_ALL = 1;
export const SIGHASH_NONE = 2;
export const SIGHASH_SINGLE = 3;
export const SIGHASH_ANYONECANPAY = 0x80;
export const SIGHASH_DEFAULT = 0;

/** Core returns the number one for legacy sighash on a missing input or SINGLE without matching output. */
const UINT256_ONE = (() => {
  const one = new Uint8Array(32);
  one[0] = 1;
  return one;
})();

function writeOutput(w: ByteWriter, output: TxOutput): void {
  w.i64(output.value);
  w.varBytes(output.script);
}

/**
 * Original (pre-segwit) signature hash, Core's SignatureHash for SigVersion::BASE. `scriptCode` is the executed
 * script from the last OP_CODESEPARATOR, after FindAndDelete of the signature. `hashType` is the full 32-bit value.
 */
export function legacySighash(tx: Transaction, index: number, scriptCode: Uint8Array, hashType: number): Uint8Array {
  if (index >= tx.inputs.length) return UINT256_ONE.slice();
  const base = hashType & 0x1f;
  if (base === SIGHASH_SINGLE && index >= tx.outputs.length) return UINT256_ONE.slice();
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const hashNone = base === SIGHASH_NONE;
  const hashSingle = base === SIGHASH_SINGLE;
  const w = new ByteWriter(256 + scriptCode.length);
  w.u32(tx.version);
  const code = serializeScriptCode(scriptCode);
  const inputCount = anyoneCanPay ? 1 : tx.inputs.length;
  w.compactSize(inputCount);
  for (let k = 0; k < inputCount; k++) {
    const i = anyoneCanPay ? index : k;
    const input = tx.inputs[i];
    w.bytes(input.txid);
    w.u32(input.vout);
    if (i === index) w.bytes(code);
    else w.u8(0);
    w.u32(i !== index && (hashSingle || hashNone) ? 0 : input.sequence);
  }
  const outputCount = hashNone ? 0 : hashSingle ? index + 1 : tx.outputs.length;
  w.compactSize(outputCount);
  for (let i = 0; i < outputCount; i++) {
    if (hashSingle && i !== index) {
      w.i64(-1n);
      w.u8(0);
    } else writeOutput(w, tx.outputs[i]);
  }
  w.u32(tx.locktime);
  w.i32(hashType);
  return sha256(sha256(w.finish()));
}

/**
 * Per-transaction hashes shared by every input's sighash (BIP143 hashPrevouts/hashSequence/hashOutputs and the
 * BIP341 single-SHA256 set). Each is computed on first use, then reused, so verifying n inputs costs O(n) hashing.
 */
export class PrecomputedTxData {
  private _prevouts?: Uint8Array;
  private _sequences?: Uint8Array;
  private _outputs?: Uint8Array;
  private _amounts?: Uint8Array;
  private _scripts?: Uint8Array;
  private _v0prevouts?: Uint8Array;
  private _v0sequences?: Uint8Array;
  private _v0outputs?: Uint8Array;

  constructor(
    readonly tx: Transaction,
    /** The outputs being spent, one per input; required for taproot sighash. */
    readonly spent: readonly TxOutput[] | undefined,
  ) {
    assertTransaction(tx);
  }

  get shaPrevouts(): Uint8Array {
    if (!this._prevouts) {
      const w = new ByteWriter(36 * this.tx.inputs.length + 1);
      for (const input of this.tx.inputs) {
        w.bytes(input.txid);
        w.u32(input.vout);
      }
      this._prevouts = sha256(w.finish());
    }
    return this._prevouts;
  }
  get shaSequences(): Uint8Array {
    if (!this._sequences) {
      const w = new ByteWriter(4 * this.tx.inputs.length + 1);
      for (const input of this.tx.inputs) w.u32(input.sequence);
      this._sequences = sha256(w.finish());
    }
    return this._sequences;
  }
  get shaOutputs(): Uint8Array {
    if (!this._outputs) {
      const w = new ByteWriter(64 * this.tx.outputs.length + 1);
      for (const output of this.tx.outputs) writeOutput(w, output);
      this._outputs = sha256(w.finish());
    }
    return this._outputs;
  }
  get shaAmounts(): Uint8Array {
    if (!this._amounts) {
      const w = new ByteWriter(8 * this.tx.inputs.length + 1);
      for (const spent of this.requireSpent()) w.i64(spent.value);
      this._amounts = sha256(w.finish());
    }
    return this._amounts;
  }
  get shaScriptPubkeys(): Uint8Array {
    if (!this._scripts) {
      const w = new ByteWriter(40 * this.tx.inputs.length + 1);
      for (const spent of this.requireSpent()) w.varBytes(spent.script);
      this._scripts = sha256(w.finish());
    }
    return this._scripts;
  }
  get hashPrevouts(): Uint8Array {
    return (this._v0prevouts ??= sha256(this.shaPrevouts));
  }
  get hashSequence(): Uint8Array {
    return (this._v0sequences ??= sha256(this.shaSequences));
  }
  get hashOutputs(): Uint8Array {
    return (this._v0outputs ??= sha256(this.shaOutputs));
  }
  private requireSpent(): readonly TxOutput[] {
    if (!this.spent || this.spent.length !== this.tx.inputs.length)
      throw new RangeError('taproot sighash needs every spent output');
    return this.spent;
  }
}

/** BIP143 signature hash for witness v0 (P2WPKH, P2WSH). */
export function segwitV0Sighash(
  txdata: PrecomputedTxData,
  index: number,
  scriptCode: Uint8Array,
  amount: bigint,
  hashType: number,
): Uint8Array {
  const tx = txdata.tx;
  const base = hashType & 0x1f;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const zero = new Uint8Array(32);
  const input = tx.inputs[index];
  const w = new ByteWriter(200 + scriptCode.length);
  w.u32(tx.version);
  w.bytes(anyoneCanPay ? zero : txdata.hashPrevouts);
  w.bytes(!anyoneCanPay && base !== SIGHASH_SINGLE && base !== SIGHASH_NONE ? txdata.hashSequence : zero);
  w.bytes(input.txid);
  w.u32(input.vout);
  w.varBytes(scriptCode);
  w.i64(amount);
  w.u32(input.sequence);
  if (base !== SIGHASH_SINGLE && base !== SIGHASH_NONE) w.bytes(txdata.hashOutputs);
  else if (base === SIGHASH_SINGLE && index < tx.outputs.length) {
    const o = new ByteWriter(64);
    writeOutput(o, tx.outputs[index]);
    w.bytes(sha256(sha256(o.finish())));
  } else w.bytes(zero);
  w.u32(tx.locktime);
  w.i32(hashType);
  return sha256(sha256(w.finish()));
}

/** What BIP341 adds for a script-path spend (BIP342 "ext"). */
export interface TapscriptExt {
  tapleafHash: Uint8Array;
  /** Opcode position of the last executed OP_CODESEPARATOR, 0xffffffff if none. */
  codeseparatorPos: number;
}

/**
 * BIP341 signature message hash (TapSighash). Returns null where Core's SignatureHashSchnorr fails: an undefined
 * hash type, or SIGHASH_SINGLE without a matching output.
 */
export function taprootSighash(
  txdata: PrecomputedTxData,
  index: number,
  hashType: number,
  annex: Uint8Array | undefined,
  ext: TapscriptExt | undefined,
): Uint8Array | null {
  if (!(hashType <= 0x03 || (hashType >= 0x81 && hashType <= 0x83))) return null;
  const tx = txdata.tx;
  const outputType = hashType === SIGHASH_DEFAULT ? SIGHASH_ALL : hashType & 3;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  if (outputType === SIGHASH_SINGLE && index >= tx.outputs.length) return null;
  const w = new ByteWriter(256);
  w.u8(0); // epoch
  w.u8(hashType);
  w.u32(tx.version);
  w.u32(tx.locktime);
  if (!anyoneCanPay) {
    w.bytes(txdata.shaPrevouts);
    w.bytes(txdata.shaAmounts);
    w.bytes(txdata.shaScriptPubkeys);
    w.bytes(txdata.shaSequences);
  }
  if (outputType !== SIGHASH_NONE && outputType !== SIGHASH_SINGLE) w.bytes(txdata.shaOutputs);
  w.u8((ext ? 2 : 0) + (annex ? 1 : 0));
  if (anyoneCanPay) {
    const input = tx.inputs[index];
    const spent = txdata.spent![index];
    w.bytes(input.txid);
    w.u32(input.vout);
    w.i64(spent.value);
    w.varBytes(spent.script);
    w.u32(input.sequence);
  } else w.u32(index);
  if (annex) {
    const a = new ByteWriter(annex.length + 5);
    a.varBytes(annex);
    w.bytes(sha256(a.finish()));
  }
  if (outputType === SIGHASH_SINGLE) {
    const o = new ByteWriter(64);
    writeOutput(o, tx.outputs[index]);
    w.bytes(sha256(o.finish()));
  }
  if (ext) {
    w.bytes(ext.tapleafHash);
    w.u8(0); // key_version
    w.u32(ext.codeseparatorPos);
  }
  return tapSighashHasher(w.finish());
}

const tapSighashHasher = taggedHasher('TapSighash');

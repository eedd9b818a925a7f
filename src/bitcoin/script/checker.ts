import type { Transaction } from '../tx/transaction.ts';
import {
  LOCKTIME_THRESHOLD,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
} from '../tx/locks.ts';
import type { ScriptErrorCode } from './errors.ts';
import type { ExecData, SignatureChecker } from './interpreter.ts';
import { SigVersion } from './interpreter.ts';
import { SignatureCache, verifyEcdsa, verifySchnorr } from './crypto.ts';
import { PrecomputedTxData, legacySighash, segwitV0Sighash, taprootSighash } from './sighash.ts';

/** Core's TransactionSignatureChecker: signatures and timelocks checked against input `index` of `txdata.tx`. */
export class TransactionSignatureChecker implements SignatureChecker {
  constructor(
    readonly txdata: PrecomputedTxData,
    readonly index: number,
    readonly amount: bigint,
    readonly cache?: SignatureCache,
  ) {}

  checkEcdsa(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, sigversion: SigVersion): boolean {
    if (sig.length === 0) return false;
    const hashType = sig[sig.length - 1];
    const der = sig.subarray(0, sig.length - 1);
    const msg =
      sigversion === SigVersion.WITNESS_V0
        ? segwitV0Sighash(this.txdata, this.index, scriptCode, this.amount, hashType)
        : legacySighash(this.txdata.tx, this.index, scriptCode, hashType);
    return this.cached(0, der, pubkey, msg, () => verifyEcdsa(der, pubkey, msg));
  }

  checkSchnorr(sig: Uint8Array, pubkey: Uint8Array, sigversion: SigVersion, exec: ExecData): ScriptErrorCode | null {
    if (sig.length !== 64 && sig.length !== 65) return 'SCHNORR_SIG_SIZE';
    let hashType = 0;
    let sig64 = sig;
    if (sig.length === 65) {
      hashType = sig[64];
      if (hashType === 0) return 'SCHNORR_SIG_HASHTYPE';
      sig64 = sig.subarray(0, 64);
    }
    const ext =
      sigversion === SigVersion.TAPSCRIPT
        ? { tapleafHash: exec.tapleafHash!, codeseparatorPos: exec.codeseparatorPos }
        : undefined;
    const msg = taprootSighash(this.txdata, this.index, hashType, exec.annex, ext);
    if (!msg) return 'SCHNORR_SIG_HASHTYPE';
    return this.cached(1, sig64, pubkey, msg, () => verifySchnorr(sig64, pubkey, msg)) ? null : 'SCHNORR_SIG';
  }

  private cached(kind: number, sig: Uint8Array, pubkey: Uint8Array, msg: Uint8Array, verify: () => boolean): boolean {
    if (!this.cache) return verify();
    const key = this.cache.key(kind, sig, pubkey, msg);
    if (this.cache.has(key)) return true;
    const ok = verify();
    if (ok) this.cache.add(key);
    return ok;
  }

  checkLockTime(lockTime: number): boolean {
    const tx = this.txdata.tx;
    // Heights and times are not comparable: both must be on the same side of the threshold.
    if (!(
      (tx.locktime < LOCKTIME_THRESHOLD && lockTime < LOCKTIME_THRESHOLD) ||
      (tx.locktime >= LOCKTIME_THRESHOLD && lockTime >= LOCKTIME_THRESHOLD)
    ))
      return false;
    if (lockTime > tx.locktime) return false;
    // A final input would let the transaction bypass nLockTime altogether.
    if (tx.inputs[this.index].sequence === SEQUENCE_FINAL) return false;
    return true;
  }

  checkSequence(sequence: number): boolean {
    const tx: Transaction = this.txdata.tx;
    const txSequence = tx.inputs[this.index].sequence >>> 0;
    if (tx.version >>> 0 < 2) return false;
    if (txSequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const mask = SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK;
    const txMasked = txSequence & mask;
    // `sequence` may exceed 32 bits; & keeps its low 32, all the mask needs.
    const opMasked = sequence & mask;
    if (!(
      (txMasked < SEQUENCE_LOCKTIME_TYPE_FLAG && opMasked < SEQUENCE_LOCKTIME_TYPE_FLAG) ||
      (txMasked >= SEQUENCE_LOCKTIME_TYPE_FLAG && opMasked >= SEQUENCE_LOCKTIME_TYPE_FLAG)
    ))
      return false;
    return opMasked <= txMasked;
  }
}

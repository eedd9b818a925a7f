import { bytesToBigBE } from '../crypto/field.ts';
import { poseidon } from '../crypto/poseidon.ts';
import { packScript } from './script.ts';
import type { DepositItem, ForcedExitItem, Transfer, Withdraw } from './types.ts';

/** The field elements each transaction signs (protocol §4). Integers are range-checked by the decoders. */
const sh = (v: bigint | number, bits: number): bigint => BigInt(v) << BigInt(bits);

export function transferMessage(tx: Omit<Transfer, 'sig' | 'type'>, chainId: number): bigint {
  return (
    1n + sh(chainId, 4) + sh(tx.from, 20) + sh(tx.to, 52) + sh(tx.nonce, 84) + sh(tx.amount, 116) + sh(tx.fee, 180)
  );
}

export function withdrawMessage(tx: Omit<Withdraw, 'sig' | 'type'>, chainId: number): bigint {
  const { w0, w1, len } = packScript(tx.script);
  const head =
    2n + sh(chainId, 4) + sh(tx.from, 20) + sh(tx.nonce, 52) + sh(tx.amount, 84) + sh(tx.fee, 148) + sh(len, 212);
  return poseidon([head, w0, w1]);
}

export function forcedExitMessage(item: Pick<ForcedExitItem, 'account' | 'nonce' | 'script'>, chainId: number): bigint {
  const { w0, w1, len } = packScript(item.script);
  return poseidon([3n + sh(chainId, 4) + sh(item.account, 20) + sh(item.nonce, 52) + sh(len, 84), w0, w1]);
}

function txidHalves(txid: Uint8Array): [bigint, bigint] {
  return [bytesToBigBE(txid.subarray(0, 16)), bytesToBigBE(txid.subarray(16, 32))];
}

/** Protocol §5.1 item hashes. */
export function l1ItemHash(item: DepositItem | ForcedExitItem): bigint {
  const [hi, lo] = txidHalves(item.txid);
  if (item.type === 'deposit') {
    return poseidon([
      1n + sh(item.vout, 4) + sh(item.l1Height, 36) + sh(item.amount, 68),
      hi,
      lo,
      item.pubKey.x,
      item.pubKey.y,
    ]);
  }
  const { w0, w1, len } = packScript(item.script);
  return poseidon([
    2n + sh(item.vout, 4) + sh(item.l1Height, 36) + sh(item.account, 68) + sh(item.nonce, 100) + sh(len, 132),
    hi,
    lo,
    w0,
    w1,
    item.sig.R8.x,
    item.sig.R8.y,
    item.sig.S,
  ]);
}

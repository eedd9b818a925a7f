import { bytesToBigBE, writeBigBE } from '../crypto/field.ts';

/** An account leaf. `ax, ay` is the EdDSA key (0, 0 for an empty leaf), balance in satoshis (< 2^63). */
export type Account = { ax: bigint; ay: bigint; balance: bigint; nonce: number };

export const MAX_AMOUNT = (1n << 63n) - 1n;
export const MAX_NONCE = 2 ** 32 - 1;
export const EMPTY_ACCOUNT: Readonly<Account> = Object.freeze({ ax: 0n, ay: 0n, balance: 0n, nonce: 0 });
/** Account 0 collects fees (protocol §3). */
export const FEE_ACCOUNT = 0;

export function isEmptyAccount(a: Account): boolean {
  return a.ax === 0n && a.ay === 0n;
}

/** Serialised as ax(32) ‖ ay(32) ‖ balance u64 ‖ nonce u32, big-endian, for storage. */
export function encodeAccount(a: Account): Uint8Array {
  const out = new Uint8Array(76);
  const view = new DataView(out.buffer);
  writeBigBE(out, 0, a.ax, 32);
  writeBigBE(out, 32, a.ay, 32);
  view.setBigUint64(64, a.balance);
  view.setUint32(72, a.nonce);
  return out;
}

export function decodeAccount(bytes: Uint8Array): Account {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    ax: bytesToBigBE(bytes.subarray(0, 32)),
    ay: bytesToBigBE(bytes.subarray(32, 64)),
    balance: view.getBigUint64(64),
    nonce: view.getUint32(72),
  };
}

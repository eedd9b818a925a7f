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

export const ACCOUNT_BYTES = 76;

/** Serialised as ax(32) ‖ ay(32) ‖ balance u64 ‖ nonce u32, big-endian, for storage. */
export function encodeAccount(a: Account): Uint8Array {
  const out = new Uint8Array(ACCOUNT_BYTES);
  writeAccount(out, 0, a);
  return out;
}

/** `encodeAccount` into out[at, at + ACCOUNT_BYTES), for records that hold many accounts. */
export function writeAccount(out: Uint8Array, at: number, a: Account): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  writeBigBE(out, at, a.ax, 32);
  writeBigBE(out, at + 32, a.ay, 32);
  view.setBigUint64(at + 64, a.balance);
  view.setUint32(at + 72, a.nonce);
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

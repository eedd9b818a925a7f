import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Transaction } from './transaction.ts';
import { encodeTransaction } from './transaction.ts';

export const WITNESS_SCALE_FACTOR = 4;

/** Double SHA-256, Bitcoin's hash256. */
export function hash256(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** Transaction id (hash of the serialization without witness), 32 bytes in internal byte order. */
export function txid(tx: Transaction): Uint8Array {
  return hash256(encodeTransaction(tx, { witness: false }));
}

/** Witness transaction id (BIP141), internal byte order; equals txid when there is no witness. */
export function wtxid(tx: Transaction): Uint8Array {
  return hash256(encodeTransaction(tx, { witness: true }));
}

/** A 32-byte hash in display order (reversed), as RPC and explorers print it. */
export function hashToHex(hash: Uint8Array): string {
  return bytesToHex(Uint8Array.from(hash).reverse());
}

export function txidHex(tx: Transaction): string {
  return hashToHex(txid(tx));
}

export function wtxidHex(tx: Transaction): string {
  return hashToHex(wtxid(tx));
}

/** BIP141 weight: base size × 3 + total size. */
export function weight(tx: Transaction): number {
  const base = encodeTransaction(tx, { witness: false }).length;
  const total = encodeTransaction(tx, { witness: true }).length;
  return base * (WITNESS_SCALE_FACTOR - 1) + total;
}

/** Virtual size: weight / 4, rounded up. */
export function vsize(tx: Transaction): number {
  return Math.ceil(weight(tx) / WITNESS_SCALE_FACTOR);
}

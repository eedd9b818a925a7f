import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { fail } from '../errors.ts';
import { getPublicKey } from './eddsa.ts';
import type { PublicKey } from './eddsa.ts';

/** Protocol §2: the message a Bitcoin key signs (BIP340) to derive its L2 key. */
export const L2_KEY_MESSAGE = sha256(utf8ToBytes('Keel L2 key derivation v1'));
const SEED_TAG = utf8ToBytes('Keel L2 key v1');
/** Zero aux randomness makes the BIP340 signature, hence the L2 key, a function of the Bitcoin key alone. */
const ZERO_AUX = new Uint8Array(32);

export type L2KeyPair = { privateKey: Uint8Array; publicKey: PublicKey };

/** The L2 key from the BIP340 signature over L2_KEY_MESSAGE (for wallets that sign externally). */
export function l2KeyFromSignature(bip340Signature: Uint8Array, bitcoinXOnlyPublicKey: Uint8Array): L2KeyPair {
  if (!schnorr.verify(bip340Signature, L2_KEY_MESSAGE, bitcoinXOnlyPublicKey))
    fail('BAD_SIGNATURE', 'the BIP340 signature over the L2 key message does not verify');
  const privateKey = sha256(concatBytes(SEED_TAG, bip340Signature));
  return { privateKey, publicKey: getPublicKey(privateKey) };
}

/** Derives the L2 key of a Bitcoin secret key: same Bitcoin key, same L2 key, nothing new to back up. */
export function deriveL2Key(bitcoinSecretKey: Uint8Array): L2KeyPair {
  const sig = schnorr.sign(L2_KEY_MESSAGE, bitcoinSecretKey, ZERO_AUX);
  return l2KeyFromSignature(sig, schnorr.getPublicKey(bitcoinSecretKey));
}

// L2 keys derived from a BIP340 signature by the Bitcoin key (protocol §2).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr } from '@noble/curves/secp256k1.js';
import {
  L2_KEY_MESSAGE,
  RollupError,
  deriveL2Key,
  getPublicKey,
  l2KeyFromSignature,
  sign,
  verify,
} from '../../src/rollup/index.ts';

const btc = (i: number) => new Uint8Array(32).fill(i + 1);

describe('L2 key derivation from a Bitcoin key', () => {
  it('is deterministic and differs per Bitcoin key', () => {
    const a = deriveL2Key(btc(1));
    assert.deepEqual(deriveL2Key(btc(1)), a);
    assert.notDeepEqual(deriveL2Key(btc(2)).privateKey, a.privateKey);
    assert.deepEqual(getPublicKey(a.privateKey), a.publicKey);
    assert.ok(verify(5n, sign(a.privateKey, 5n), a.publicKey));
  });
  it('an external signer with zero aux randomness gets the same key', () => {
    const sig = schnorr.sign(L2_KEY_MESSAGE, btc(3), new Uint8Array(32));
    assert.deepEqual(l2KeyFromSignature(sig, schnorr.getPublicKey(btc(3))), deriveL2Key(btc(3)));
  });
  it('refuses a signature that is not by that Bitcoin key', () => {
    const sig = schnorr.sign(L2_KEY_MESSAGE, btc(3), new Uint8Array(32));
    assert.throws(
      () => l2KeyFromSignature(sig, schnorr.getPublicKey(btc(4))),
      (e: unknown) => e instanceof RollupError && e.code === 'BAD_SIGNATURE',
    );
  });
});

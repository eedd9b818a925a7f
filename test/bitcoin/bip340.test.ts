// BIP340 vectors. The final spec's file goes through @noble/curves' schnorr (the signature layer the interpreter
// uses, via verifySchnorr): key derivation, signing with aux_rand, verification. The committed
// bip340-test-vectors.csv is an early-2020 draft whose R must have a *square* y (the final spec, and taproot, use an
// even y, and the challenge tag became "BIP0340/challenge"); its five valid signatures are invalid under the final
// rules. Each of its vectors is therefore checked against a small verifier for that draft, built on noble's curve
// arithmetic, and each of its invalid ones must also fail through the interpreter's verifySchnorr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { taggedHasher, verifySchnorr } from '../../src/bitcoin/index.ts';

type Row = {
  index: string;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  valid: boolean;
  comment: string;
};

function load(name: string): Row[] {
  return readFileSync(new URL(`../vectors/bips/${name}`, import.meta.url), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [index, secretKey, publicKey, auxRand, message, signature, result, comment] = line.split(',');
      return {
        index,
        secretKey,
        publicKey,
        auxRand,
        message,
        signature,
        valid: result === 'TRUE',
        comment: comment ?? '',
      };
    });
}

function nobleVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    return schnorr.verify(sig, msg, pub);
  } catch {
    return false;
  }
}

const { p, n } = secp256k1.Point.CURVE();
const challenge = taggedHasher('BIP340/challenge');
const toBig = (b: Uint8Array) => BigInt('0x' + (bytesToHex(b) || '0'));
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** The draft's Verify: as the final one, except that R must have a y that is a quadratic residue. */
function draftVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  let P;
  try {
    P = schnorr.utils.lift_x(toBig(pub));
  } catch {
    return false;
  }
  const r = toBig(sig.subarray(0, 32));
  const s = toBig(sig.subarray(32, 64));
  if (r >= p || s >= n) return false;
  const e = toBig(challenge(sig.subarray(0, 32), pub, msg)) % n;
  const sG = s === 0n ? secp256k1.Point.ZERO : secp256k1.Point.BASE.multiply(s);
  const eP = e === 0n ? secp256k1.Point.ZERO : P.multiply(e);
  const R = sG.subtract(eP);
  if (R.is0()) return false;
  const { x, y } = R.toAffine();
  return powMod(y, (p - 1n) / 2n, p) === 1n && x === r;
}

const draft = load('bip340-test-vectors.csv');
const final = load('bip340-test-vectors.final.csv');
test('bip340: both files hold 15 vectors', () => {
  assert.equal(draft.length, 15);
  assert.equal(final.length, 15);
});

for (const v of final) {
  test(`bip340 (final) #${v.index}: ${v.comment || (v.valid ? 'valid' : 'invalid')}`, () => {
    const pub = hexToBytes(v.publicKey);
    const msg = hexToBytes(v.message);
    const sig = hexToBytes(v.signature);
    if (v.secretKey) {
      const sk = hexToBytes(v.secretKey);
      assert.equal(bytesToHex(schnorr.getPublicKey(sk)), v.publicKey.toLowerCase());
      assert.equal(bytesToHex(schnorr.sign(msg, sk, hexToBytes(v.auxRand))), v.signature.toLowerCase());
    }
    assert.equal(nobleVerify(sig, msg, pub), v.valid);
    assert.equal(verifySchnorr(sig, pub, msg), v.valid);
  });
}

for (const v of draft) {
  test(`bip340 (draft) #${v.index}: ${v.comment || (v.valid ? 'valid' : 'invalid')}`, () => {
    const pub = hexToBytes(v.publicKey);
    const msg = hexToBytes(v.message);
    const sig = hexToBytes(v.signature);
    if (v.secretKey) assert.equal(bytesToHex(schnorr.getPublicKey(hexToBytes(v.secretKey))), v.publicKey.toLowerCase());
    assert.equal(draftVerify(sig, msg, pub), v.valid);
    // Signatures the draft rejects must be rejected by the final rules too (none of them is valid by either).
    if (!v.valid) assert.equal(verifySchnorr(sig, pub, msg), false);
  });
}

test('verifySchnorr: s = 0 is evaluated by BIP340 rules (R = -e·P) instead of rejected up front', () => {
  // A valid s = 0 signature needs a hash fixed point, so none can be built; what can be checked is that the path
  // runs the real equation: it agrees with noble on a forged pair and never throws on junk.
  const pub = schnorr.getPublicKey(hexToBytes('b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef'));
  const msg = new Uint8Array(32).fill(1);
  const sig = new Uint8Array(64);
  sig.set(pub, 0);
  assert.equal(verifySchnorr(sig, pub, msg), false);
  sig.fill(0xff, 0, 32);
  assert.equal(verifySchnorr(sig, pub, msg), false);
  assert.equal(verifySchnorr(new Uint8Array(64), new Uint8Array(32).fill(0xff), msg), false);
});

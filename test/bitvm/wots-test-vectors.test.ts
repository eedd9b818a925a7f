import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  winternitzParams,
  generatePublicKey,
  signUnguarded,
  verifyWitness,
  messageToDigits,
  digitsToMessage,
  winternitzVerifyScript,
  runFragment,
  runScript,
  encodeScriptNum,
  script,
  OP,
  WinternitzError,
} from '../../src/bitvm/index.ts';

interface Vector {
  message: string;
  secretKey: string;
  publicKey: string[];
  witness: string[];
  signature: string[];
  compact_witness: string[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/bitvm/wots-test-vectors.json', import.meta.url), 'utf8'),
) as Vector[];

describe('Winternitz (BitVM wots-test-vectors.json)', () => {
  vectors.forEach((v, i) => {
    test(`vector ${i}: ${v.message.length / 2}-byte message ${v.message.slice(0, 16)}…`, () => {
      const message = hexToBytes(v.message);
      const params = winternitzParams(message.length, 4);
      const secretKey = hexToBytes(v.secretKey);
      const publicKey = generatePublicKey(params, secretKey);
      assert.deepEqual(publicKey.map(bytesToHex), v.publicKey, 'public key');
      const witness = signUnguarded(params, secretKey, message);
      assert.deepEqual(witness.map(bytesToHex), v.witness, 'witness');
      assert.deepEqual(witness.filter((_, k) => k % 2 === 0).map(bytesToHex), v.compact_witness, 'compact witness');
      assert.deepEqual(verifyWitness(params, publicKey, witness), message);

      // On Keel's interpreter the verification script must leave exactly the message digits.
      const result = runFragment(winternitzVerifyScript(params, publicKey), witness);
      assert.equal(result.ok, true, result.message);
      assert.deepEqual(result.numbers, messageToDigits(params, message));
    });
  });
});

describe('Winternitz verification script rejects forgeries', () => {
  const v = vectors[vectors.length - 1] as Vector;
  const message = hexToBytes(v.message);
  const params = winternitzParams(message.length, 4);
  const publicKey = v.publicKey.map(hexToBytes);
  const witness: Uint8Array[] = v.witness.map(hexToBytes);
  // Wrap the fragment so the leaf succeeds (one true item) only if verification passed.
  const leaf = script(
    winternitzVerifyScript(params, publicKey),
    ...Array.from({ length: params.messageDigits / 2 }, () => OP.OP_2DROP),
    OP.OP_1,
  );

  test('the honest witness passes as a full leaf', () => {
    const result = runScript(leaf, witness);
    assert.equal(result.ok, true, result.message);
    assert.ok(result.maxStackItems <= 1000);
  });

  test('a tampered signature fails', () => {
    const bad = witness.slice();
    bad[10] = (bad[10] as Uint8Array).map((b, k) => (k === 0 ? b ^ 1 : b));
    assert.equal(runScript(leaf, bad).ok, false);
  });

  test('raising a digit by hashing its signature forward is caught by the checksum', () => {
    const bad = witness.slice();
    const p = bad.findIndex((item, k) => k % 2 === 1 && item.length === 0);
    assert.ok(p > 0, 'vector has a zero digit to raise');
    // Hashing the signature once is exactly what a digit one higher needs; only the checksum can stop it.
    const forged = witness.map((x) => x);
    const sigIndex = p - 1;
    const sig = forged[sigIndex] as Uint8Array;
    forged[sigIndex] = hash160(sig);
    forged[p] = encodeScriptNum(1);
    assert.equal(runScript(leaf, forged).ok, false);
    assert.throws(() => verifyWitness(params, publicKey, forged), WinternitzError);
  });

  test('a digit outside 0..15 fails before any pick', () => {
    const bad = witness.slice();
    bad[bad.length - 1] = encodeScriptNum(16);
    assert.equal(runScript(leaf, bad).ok, false);
  });
});

describe('Winternitz digit widths and message lengths', () => {
  for (const [bytes, bits] of [
    [1, 1],
    [4, 2],
    [7, 3],
    [20, 4],
    [32, 5],
    [16, 8],
  ] as const) {
    test(`${bytes}-byte message, ${bits}-bit digits: sign, verify in JS and in Script`, () => {
      const params = winternitzParams(bytes, bits);
      const message = Uint8Array.from({ length: bytes }, (_, k) => (k * 73 + bits * 19) & 255);
      assert.deepEqual(digitsToMessage(params, messageToDigits(params, message)), message);
      const secretKey = Uint8Array.from({ length: 20 }, (_, k) => k + bits);
      const publicKey = generatePublicKey(params, secretKey);
      const witness = signUnguarded(params, secretKey, message);
      assert.deepEqual(verifyWitness(params, publicKey, witness), message);
      const result = runFragment(winternitzVerifyScript(params, publicKey), witness);
      assert.equal(result.ok, true, result.message);
      assert.deepEqual(result.numbers, messageToDigits(params, message));
    });
  }

  test('bad parameters and messages are rejected with WinternitzError', () => {
    assert.throws(() => winternitzParams(0), WinternitzError);
    assert.throws(() => winternitzParams(33), WinternitzError);
    assert.throws(() => winternitzParams(32, 9), WinternitzError);
    const params = winternitzParams(4);
    assert.throws(() => messageToDigits(params, new Uint8Array(5)), WinternitzError);
    assert.throws(() => signUnguarded(params, new Uint8Array(4), new Uint8Array(4)), WinternitzError);
    assert.throws(() => verifyWitness(params, [], []), WinternitzError);
  });
});

import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { concatBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { OP } from './opcodes.ts';
import { ScriptBuilder, encodeScriptNum, decodeScriptNum, type Fragment } from './script.ts';
import { WinternitzError } from './errors.ts';

/**
 * Winternitz one-time signatures as BitVM uses them (compatible with its published vectors):
 * - the hash is HASH160; the chain for digit position p starts from HASH160(secretKey || scriptnum(p));
 * - a digit d is signed by the chain value after d+1 hashes, the public key is the value after maxDigit+1 hashes;
 * - message digits: the message bytes read in reverse, as one big-endian bit string cut into `digitBits` groups;
 * - checksum digits: sum of (maxDigit - digit) over message digits, written most significant digit first;
 * - the witness is (signature, digit) per position, position 0 first (deepest on the stack).
 */
export interface WinternitzParams {
  readonly messageBytes: number;
  readonly digitBits: number;
  readonly maxDigit: number;
  readonly messageDigits: number;
  readonly checksumDigits: number;
  readonly totalDigits: number;
}

export function winternitzParams(messageBytes: number, digitBits = 4): WinternitzParams {
  if (!Number.isInteger(messageBytes) || messageBytes < 1 || messageBytes > 32)
    throw new WinternitzError('Message length must be 1..32 bytes', { details: `got ${messageBytes}` });
  if (!Number.isInteger(digitBits) || digitBits < 1 || digitBits > 8)
    throw new WinternitzError('Digit width must be 1..8 bits', { details: `got ${digitBits}` });
  const maxDigit = 2 ** digitBits - 1;
  const messageDigits = Math.ceil((8 * messageBytes) / digitBits);
  let checksumDigits = 0;
  for (let max = messageDigits * maxDigit; max > 0; max = Math.floor(max / 2 ** digitBits)) checksumDigits++;
  return {
    messageBytes,
    digitBits,
    maxDigit,
    messageDigits,
    checksumDigits,
    totalDigits: messageDigits + checksumDigits,
  };
}

const hash160 = (data: Uint8Array): Uint8Array => ripemd160(sha256(data));

/** Message digits (positions 0..messageDigits-1) in the order the witness carries them. */
export function messageToDigits(params: WinternitzParams, message: Uint8Array): number[] {
  if (!(message instanceof Uint8Array) || message.length !== params.messageBytes)
    throw new WinternitzError('Message has the wrong length', {
      details: `expected ${params.messageBytes} bytes, got ${message instanceof Uint8Array ? message.length : typeof message}`,
    });
  let bits = '';
  for (let i = message.length - 1; i >= 0; i--) bits += (message[i] ?? 0).toString(2).padStart(8, '0');
  bits = bits.padEnd(params.messageDigits * params.digitBits, '0');
  const digits: number[] = [];
  for (let p = 0; p < params.messageDigits; p++)
    digits.push(parseInt(bits.slice(p * params.digitBits, (p + 1) * params.digitBits), 2));
  return digits;
}

/** Inverse of `messageToDigits` (rejects digit strings whose padding bits are not zero). */
export function digitsToMessage(params: WinternitzParams, digits: readonly number[]): Uint8Array {
  if (digits.length !== params.messageDigits)
    throw new WinternitzError('Wrong number of message digits', {
      details: `expected ${params.messageDigits}, got ${digits.length}`,
    });
  let bits = '';
  for (const d of digits) {
    if (!Number.isInteger(d) || d < 0 || d > params.maxDigit)
      throw new WinternitzError('Digit out of range', { details: `got ${d}` });
    bits += d.toString(2).padStart(params.digitBits, '0');
  }
  if (/1/.test(bits.slice(8 * params.messageBytes))) throw new WinternitzError('Digit padding bits are not zero');
  const out = new Uint8Array(params.messageBytes);
  for (let i = 0; i < params.messageBytes; i++)
    out[params.messageBytes - 1 - i] = parseInt(bits.slice(8 * i, 8 * i + 8), 2);
  return out;
}

/** All digits (message then checksum) for a message. */
export function allDigits(params: WinternitzParams, message: Uint8Array): number[] {
  const digits = messageToDigits(params, message);
  let checksum = digits.reduce((sum, d) => sum + params.maxDigit - d, 0);
  const check: number[] = [];
  for (let i = 0; i < params.checksumDigits; i++) {
    check.unshift(checksum % 2 ** params.digitBits);
    checksum = Math.floor(checksum / 2 ** params.digitBits);
  }
  return [...digits, ...check];
}

function chainStart(secretKey: Uint8Array, position: number): Uint8Array {
  return hash160(concatBytes(secretKey, encodeScriptNum(position)));
}

function checkSecretKey(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length < 16)
    throw new WinternitzError('Secret key must be at least 16 bytes');
}

/** Fresh random secret key (20 bytes, like BitVM's). */
export function generateSecretKey(): Uint8Array {
  return randomBytes(20);
}

/** Deterministic per-value secret key from a master seed and a label (HMAC-SHA256, first 20 bytes). */
export function deriveSecretKey(masterSeed: Uint8Array, label: string): Uint8Array {
  if (!(masterSeed instanceof Uint8Array) || masterSeed.length < 16)
    throw new WinternitzError('Master seed must be at least 16 bytes');
  return hmac(sha256, masterSeed, utf8ToBytes(`keel/bitvm/winternitz/${label}`)).slice(0, 20);
}

export function generatePublicKey(params: WinternitzParams, secretKey: Uint8Array): Uint8Array[] {
  checkSecretKey(secretKey);
  const keys: Uint8Array[] = [];
  for (let p = 0; p < params.totalDigits; p++) {
    let h = chainStart(secretKey, p);
    for (let k = 0; k < params.maxDigit; k++) h = hash160(h);
    keys.push(h);
  }
  return keys;
}

/** Signs a message without any reuse guard (use `WinternitzSigner` in production code). Returns the witness items. */
export function signUnguarded(params: WinternitzParams, secretKey: Uint8Array, message: Uint8Array): Uint8Array[] {
  checkSecretKey(secretKey);
  const witness: Uint8Array[] = [];
  allDigits(params, message).forEach((digit, p) => {
    let h = chainStart(secretKey, p);
    for (let k = 0; k < digit; k++) h = hash160(h);
    witness.push(h, encodeScriptNum(digit));
  });
  return witness;
}

/** Checks witness items against a public key and returns the signed message (throws WinternitzError if invalid). */
export function verifyWitness(
  params: WinternitzParams,
  publicKey: readonly Uint8Array[],
  witness: readonly Uint8Array[],
): Uint8Array {
  if (publicKey.length !== params.totalDigits) throw new WinternitzError('Public key has the wrong number of digits');
  if (witness.length !== 2 * params.totalDigits)
    throw new WinternitzError('Witness has the wrong number of items', {
      details: `expected ${2 * params.totalDigits}, got ${witness.length}`,
    });
  const digits: number[] = [];
  for (let p = 0; p < params.totalDigits; p++) {
    const raw = witness[2 * p + 1] as Uint8Array;
    const digit = decodeScriptNum(raw);
    if (raw.length > 2 || digit < 0 || digit > params.maxDigit || !equalBytes(encodeScriptNum(digit), raw))
      throw new WinternitzError('Digit is not a minimal number in range', { details: `position ${p}` });
    let h = witness[2 * p] as Uint8Array;
    for (let k = digit; k < params.maxDigit; k++) h = hash160(h);
    if (!equalBytes(h, publicKey[p] as Uint8Array))
      throw new WinternitzError('Signature does not match the public key', { details: `position ${p}` });
    digits.push(digit);
  }
  const message = digitsToMessage(params, digits.slice(0, params.messageDigits));
  const expected = allDigits(params, message);
  if (expected.some((d, p) => d !== digits[p])) throw new WinternitzError('Checksum digits do not match the message');
  return message;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Script that consumes the 2·totalDigits witness items, fails unless every digit is signed under `publicKey` and the
 * checksum matches, and leaves the message digits on the stack (position 0 deepest).
 */
export function winternitzVerifyScript(params: WinternitzParams, publicKey: readonly Uint8Array[]): Fragment {
  if (publicKey.length !== params.totalDigits) throw new WinternitzError('Public key has the wrong number of digits');
  const b = new ScriptBuilder();
  for (let p = params.totalDigits - 1; p >= 0; p--) {
    // A digit outside 0..maxDigit would let OP_PICK reach an attacker-chosen item deeper in the stack.
    b.op(OP.OP_DUP, OP.OP_0)
      .pushNum(params.maxDigit + 1)
      .op(OP.OP_WITHIN, OP.OP_VERIFY);
    b.op(OP.OP_DUP, OP.OP_TOALTSTACK, OP.OP_TOALTSTACK);
    for (let k = 0; k < params.maxDigit; k++) b.op(OP.OP_DUP, OP.OP_HASH160);
    // The chain value H^(maxDigit-d)(sig) now sits exactly d items below the top.
    b.op(OP.OP_FROMALTSTACK, OP.OP_PICK)
      .pushData(publicKey[p] as Uint8Array)
      .op(OP.OP_EQUALVERIFY);
    for (let k = 0; k + 1 < params.maxDigit + 1; k += 2) b.op(OP.OP_2DROP);
    if ((params.maxDigit + 1) % 2) b.op(OP.OP_DROP);
  }
  // Bring the message digits back in position order while summing them.
  b.op(OP.OP_FROMALTSTACK, OP.OP_DUP);
  for (let p = 1; p < params.messageDigits; p++) b.op(OP.OP_FROMALTSTACK, OP.OP_DUP, OP.OP_ROT, OP.OP_ADD);
  b.op(OP.OP_FROMALTSTACK);
  for (let p = 1; p < params.checksumDigits; p++) {
    for (let k = 0; k < params.digitBits; k++) b.op(OP.OP_DUP, OP.OP_ADD);
    b.op(OP.OP_FROMALTSTACK, OP.OP_ADD);
  }
  b.op(OP.OP_ADD)
    .pushNum(params.messageDigits * params.maxDigit)
    .op(OP.OP_NUMEQUALVERIFY);
  return b.build();
}

/**
 * Fiat–Shamir transcript: a SHA-256 hash chain. Every message the prover sends is absorbed before
 * the next challenge is squeezed, so challenges depend on everything committed so far.
 */
import * as fieldModule from './field.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { P } = fieldModule;
import type { Ext } from './ext.ts';
import { concatBytes, sha256, wordsToBytes } from './hash.ts';

const SQUEEZE = new Uint8Array([0x01]);
const ABSORB = new Uint8Array([0x00]);

export class Transcript {
  private state: Uint8Array;
  private buffer: Uint8Array = new Uint8Array(0);
  private offset = 0;

  constructor(domain: string) {
    this.state = sha256(new TextEncoder().encode(`keel-stark/transcript/${domain}`));
  }

  absorb(data: Uint8Array): void {
    this.state = sha256(concatBytes(this.state, ABSORB, data));
    this.buffer = new Uint8Array(0);
    this.offset = 0;
  }

  absorbWords(words: Uint32Array): void {
    this.absorb(wordsToBytes(words));
  }

  private nextWord(): number {
    if (this.offset + 4 > this.buffer.length) {
      this.state = sha256(concatBytes(this.state, SQUEEZE));
      this.buffer = this.state;
      this.offset = 0;
    }
    const b = this.buffer;
    const o = this.offset;
    this.offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  /** A uniform base-field element (31-bit rejection sampling, so there is no modular bias). */
  challengeBase(): number {
    for (;;) {
      const v = this.nextWord() & 0x7fffffff;
      if (v < P) return v;
    }
  }

  challengeExt(): Ext {
    return [this.challengeBase(), this.challengeBase(), this.challengeBase(), this.challengeBase()];
  }

  /** A uniform integer in [0, 2^bits). */
  challengeBits(bits: number): number {
    return bits === 0 ? 0 : this.nextWord() >>> (32 - bits);
  }

  /** The current state, for proof-of-work grinding. */
  seed(): Uint8Array {
    return this.state.slice();
  }
}

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let n = 0;
  for (const byte of digest) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

function nonceBytes(nonce: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(nonce), true);
  return b;
}

export function powDigest(seed: Uint8Array, nonce: number): Uint8Array {
  return sha256(concatBytes(seed, nonceBytes(nonce)));
}

/** Finds the smallest nonce whose digest with the seed has `bits` leading zero bits. */
export function grind(seed: Uint8Array, bits: number): number {
  const buf = new Uint8Array(seed.length + 8);
  buf.set(seed, 0);
  const view = new DataView(buf.buffer);
  for (let nonce = 0; nonce < Number.MAX_SAFE_INTEGER; nonce++) {
    view.setBigUint64(seed.length, BigInt(nonce), true);
    if (leadingZeroBits(sha256(buf)) >= bits) return nonce;
  }
  throw new Error('unreachable: grinding exhausted the nonce space');
}

export { nonceBytes };

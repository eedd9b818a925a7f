import { OP } from './opcodes.ts';
import { NibbleMachine, HASH_XOR_BIAS, type U32 } from './limbs.ts';
import { type Item, StackTracker } from './tracker.ts';
import { type Fragment } from './script.ts';
import { LimbRangeError } from './errors.ts';

export const SHA256_IV = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
] as const;

// First 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4).
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
] as const;

// ---- reference ------------------------------------------------------------------------------------------------

const rotr = (x: number, r: number) => ((x >>> r) | (x << (32 - r))) >>> 0;

/** The SHA-256 compression function: new chaining state from a state and one 16-word block. */
export function sha256CompressRef(state: readonly number[], block: readonly number[]): number[] {
  if (state.length !== 8 || block.length !== 16) throw new LimbRangeError('SHA-256 needs 8 state and 16 block words');
  const w = [...block];
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15] as number;
    const y = w[t - 2] as number;
    const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
    const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
    w.push(((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) >>> 0);
  }
  let [a, b, c, d, e, f, g, h] = state as [number, number, number, number, number, number, number, number];
  for (let t = 0; t < 64; t++) {
    const t1 =
      (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (K[t] as number) + (w[t] as number)) >>> 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
    [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
  }
  return [a, b, c, d, e, f, g, h].map((x, i) => (x + (state[i] as number)) >>> 0);
}

export function wordsFromBytesBE(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4)
    words.push(
      (((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0,
    );
  return words;
}

// ---- script ---------------------------------------------------------------------------------------------------

/** Nibble-wise OP_ADD of two words whose set bits never overlap (so no carries). */
function addDisjoint(m: NibbleMachine, a: U32, b: U32): U32 {
  return a.map((nibble, i) => {
    m.t.take(nibble);
    m.t.take(b[i] as Item);
    return m.t.apply1(OP.OP_ADD, 2);
  });
}

function bigSigma(m: NibbleMachine, x: U32, r1: number, r2: number, r3: number): U32 {
  const p = m.rotr(x, r1, true);
  const q = m.rotr(x, r2, true);
  const r = m.rotr(x, r3, true);
  return m.xor(m.xor(p, q), r);
}

function smallSigma(m: NibbleMachine, x: U32, r1: number, r2: number, s: number, keep: boolean): U32 {
  const p = m.rotr(x, r1, true);
  const q = m.rotr(x, r2, true);
  const r = m.shr(x, s, keep);
  return m.xor(m.xor(p, q), r);
}

/**
 * Emits one SHA-256 compression. `state` (8 words) and `block` (16 words) are on the stack and are consumed;
 * returns the 8 words of the new state.
 */
export function sha256CompressScript(m: NibbleMachine, state: readonly U32[], block: readonly U32[]): U32[] {
  if (state.length !== 8 || block.length !== 16) throw new LimbRangeError('SHA-256 needs 8 state and 16 block words');
  m.prepareXor();
  for (const k of [1, 2, 3] as const) {
    if (k !== 3) m.prepareShr(k);
    m.prepareShl(k);
  }
  // Each schedule word is read by its round and by the expansions of words t+2, t+7, t+15 and t+16.
  const usesLeft = new Array<number>(64).fill(0);
  for (let t = 0; t < 64; t++) {
    usesLeft[t] = (usesLeft[t] ?? 0) + 1;
    if (t >= 16) for (const j of [t - 2, t - 7, t - 15, t - 16]) usesLeft[j] = (usesLeft[j] ?? 0) + 1;
  }
  const w: U32[] = [...block];
  const use = (j: number): boolean => {
    usesLeft[j] = (usesLeft[j] ?? 0) - 1;
    return (usesLeft[j] ?? 0) > 0;
  };
  const initial = state.map((word) => word.map((n) => m.t.copy(n)));
  let [a, b, c, d, e, f, g, h] = state as [U32, U32, U32, U32, U32, U32, U32, U32];
  for (let t = 0; t < 64; t++) {
    if (t >= 16) {
      const s1 = smallSigma(m, w[t - 2] as U32, 17, 19, 10, use(t - 2));
      const s0 = smallSigma(m, w[t - 15] as U32, 7, 18, 3, use(t - 15));
      let next = m.add(s1, w[t - 7] as U32, false, use(t - 7));
      next = m.add(next, s0);
      w.push(m.add(next, w[t - 16] as U32, false, use(t - 16)));
    }
    const sigma1 = bigSigma(m, e, 6, 11, 25);
    // Ch(e, f, g) = g ^ (e & (f ^ g))
    const ch = m.xor(g, m.and(e, m.xor(f, g, true, true), true, false), true, false);
    let t1 = m.add(h, sigma1);
    t1 = m.add(t1, ch);
    t1 = m.add(t1, m.pushU32(K[t] as number));
    t1 = m.add(t1, w[t] as U32, false, use(t));
    const sigma0 = bigSigma(m, a, 2, 13, 22);
    // Maj(a, b, c) = (a & b) + (c & (a ^ b)), the two parts sharing no bits.
    const maj = addDisjoint(m, m.and(a, b, true, true), m.and(c, m.xor(a, b, true, true), true, false));
    const t2 = m.add(sigma0, maj);
    const newE = m.add(d, t1, false, true);
    const newA = m.add(t1, t2);
    [h, g, f, e, d, c, b, a] = [g, f, e, newE, c, b, a, newA];
  }
  return [a, b, c, d, e, f, g, h].map((word, i) => m.add(word, initial[i] as U32));
}

/** A standalone fragment: consumes 64 state nibbles then 128 block nibbles, leaves the 64 new state nibbles. */
export function sha256CompressFragment(): { fragment: Fragment; peakStack: number } {
  const t = new StackTracker();
  const m = new NibbleMachine(t, { xorBias: HASH_XOR_BIAS });
  const words = (n: number) => Array.from({ length: n }, () => t.inputs(8));
  const state = words(8);
  const block = words(16);
  const out = sha256CompressScript(m, state, block);
  m.dropTables();
  t.keepOnly(out.flat());
  return { fragment: t.build(), peakStack: t.peak };
}

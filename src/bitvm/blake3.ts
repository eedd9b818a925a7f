import { NibbleMachine, HASH_XOR_BIAS, type U32 } from './limbs.ts';
import { type Item, StackTracker } from './tracker.ts';
import { type Fragment } from './script.ts';
import { LimbRangeError } from './errors.ts';

export const BLAKE3_IV = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
] as const;
const MSG_PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8] as const;
export const BLAKE3_FLAGS = { CHUNK_START: 1, CHUNK_END: 2, PARENT: 4, ROOT: 8 } as const;
/** The columns then diagonals of one round, with the message word pair each G mixes in. */
const ROUND_G: readonly (readonly [number, number, number, number])[] = [
  [0, 4, 8, 12],
  [1, 5, 9, 13],
  [2, 6, 10, 14],
  [3, 7, 11, 15],
  [0, 5, 10, 15],
  [1, 6, 11, 12],
  [2, 7, 8, 13],
  [3, 4, 9, 14],
];

// ---- reference ------------------------------------------------------------------------------------------------

const rotr = (x: number, r: number) => ((x >>> r) | (x << (32 - r))) >>> 0;

/** The BLAKE3 compression function (all 16 output words), as the spec defines it. */
export function blake3CompressRef(
  cv: readonly number[],
  block: readonly number[],
  counter: number,
  blockLen: number,
  flags: number,
): number[] {
  const v = [...cv, ...BLAKE3_IV.slice(0, 4), counter >>> 0, Math.floor(counter / 2 ** 32) >>> 0, blockLen, flags];
  let m = [...block];
  const g = (a: number, b: number, c: number, d: number, x: number, y: number) => {
    v[a] = ((v[a] as number) + (v[b] as number) + x) >>> 0;
    v[d] = rotr((v[d] as number) ^ (v[a] as number), 16);
    v[c] = ((v[c] as number) + (v[d] as number)) >>> 0;
    v[b] = rotr((v[b] as number) ^ (v[c] as number), 12);
    v[a] = ((v[a] as number) + (v[b] as number) + y) >>> 0;
    v[d] = rotr((v[d] as number) ^ (v[a] as number), 8);
    v[c] = ((v[c] as number) + (v[d] as number)) >>> 0;
    v[b] = rotr((v[b] as number) ^ (v[c] as number), 7);
  };
  for (let round = 0; round < 7; round++) {
    ROUND_G.forEach(([a, b, c, d], i) => g(a, b, c, d, m[2 * i] as number, m[2 * i + 1] as number));
    m = MSG_PERMUTATION.map((i) => m[i] as number);
  }
  for (let i = 0; i < 8; i++) {
    v[i] = ((v[i] as number) ^ (v[i + 8] as number)) >>> 0;
    v[i + 8] = ((v[i + 8] as number) ^ (cv[i] as number)) >>> 0;
  }
  return v as number[];
}

export function wordsFromBytesLE(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4)
    words.push(
      ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0,
    );
  return words;
}

export function bytesFromWordsLE(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  words.forEach((w, j) => {
    for (let k = 0; k < 4; k++) out[4 * j + k] = (w >>> (8 * k)) & 255;
  });
  return out;
}

function checkShortInput(length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > 64)
    throw new LimbRangeError('BLAKE3 in Script hashes inputs of 0..64 bytes (one block)', { details: `got ${length}` });
}

/** BLAKE3 of an input of at most one block (64 bytes): one compression with CHUNK_START | CHUNK_END | ROOT. */
export function blake3ShortRef(input: Uint8Array): Uint8Array {
  checkShortInput(input.length);
  const block = new Uint8Array(64);
  block.set(input);
  const flags = BLAKE3_FLAGS.CHUNK_START | BLAKE3_FLAGS.CHUNK_END | BLAKE3_FLAGS.ROOT;
  const out = blake3CompressRef(BLAKE3_IV, wordsFromBytesLE(block), 0, input.length, flags);
  return bytesFromWordsLE(out.slice(0, 8));
}

// ---- script ---------------------------------------------------------------------------------------------------

/**
 * Byte strings on the stack are two nibble items per byte, byte 0 deepest, high nibble first. A little-endian
 * word takes its nibbles from bytes 4j+3 down to 4j, so converting is only a relabelling of items.
 */
export function wordsFromByteNibbles(nibbles: readonly Item[]): U32[] {
  const words: U32[] = [];
  for (let j = 0; j < nibbles.length / 8; j++) {
    const word: Item[] = [];
    for (let k = 3; k >= 0; k--) word.push(nibbles[8 * j + 2 * k] as Item, nibbles[8 * j + 2 * k + 1] as Item);
    words.push(word);
  }
  return words;
}

export function byteNibblesFromWords(words: readonly U32[]): Item[] {
  const out: Item[] = [];
  for (const word of words) for (let k = 3; k >= 0; k--) out.push(word[2 * k] as Item, word[2 * k + 1] as Item);
  return out;
}

export interface Blake3CompressInputs {
  /** Chaining value: 8 words on the stack, or constants. */
  cv: readonly U32[] | readonly number[];
  /** 16 message words on the stack. */
  block: readonly U32[];
  counter: number;
  blockLen: number;
  flags: number;
  /** Keep the block words on the stack (by default the last round consumes them). */
  keepBlock?: boolean;
}

/** Emits one BLAKE3 compression and returns the 8 words of its chaining-value output. */
export function blake3CompressScript(m: NibbleMachine, input: Blake3CompressInputs): U32[] {
  m.prepareXor();
  m.prepareShl(3);
  const cv = input.cv.map((w) => (typeof w === 'number' ? m.pushU32(w) : w));
  const v: U32[] = [
    ...cv,
    ...BLAKE3_IV.slice(0, 4).map((w) => m.pushU32(w)),
    m.pushU32(input.counter >>> 0),
    m.pushU32(Math.floor(input.counter / 2 ** 32) >>> 0),
    m.pushU32(input.blockLen),
    m.pushU32(input.flags),
  ];
  let msg = [...input.block];
  const keepBlock = input.keepBlock ?? false;
  for (let round = 0; round < 7; round++) {
    const keepMsg = keepBlock || round < 6;
    ROUND_G.forEach(([a, b, c, d], i) => {
      const x = msg[2 * i] as U32;
      const y = msg[2 * i + 1] as U32;
      let va = v[a] as U32;
      let vb = v[b] as U32;
      let vc = v[c] as U32;
      let vd = v[d] as U32;
      va = m.add(m.add(va, vb, false, true), x, false, keepMsg);
      vd = m.rotr(m.xor(vd, va, false, true), 16);
      vc = m.add(vc, vd, false, true);
      vb = m.rotr(m.xor(vb, vc, false, true), 12);
      va = m.add(m.add(va, vb, false, true), y, false, keepMsg);
      vd = m.rotr(m.xor(vd, va, false, true), 8);
      vc = m.add(vc, vd, false, true);
      vb = m.rotr(m.xor(vb, vc, false, true), 7);
      v[a] = va;
      v[b] = vb;
      v[c] = vc;
      v[d] = vd;
    });
    msg = MSG_PERMUTATION.map((i) => msg[i] as U32);
  }
  const out: U32[] = [];
  for (let i = 0; i < 8; i++) out.push(m.xor(v[i] as U32, v[i + 8] as U32));
  return out;
}

/**
 * BLAKE3 of `length` bytes (0..64) whose nibbles are on the stack; returns the 64 nibble items of the 32-byte hash
 * (byte 0 first, high nibble first).
 */
export function blake3ShortScript(m: NibbleMachine, input: readonly Item[], length: number): Item[] {
  checkShortInput(length);
  if (input.length !== 2 * length)
    throw new LimbRangeError('Input nibble count does not match the length', {
      details: `${input.length} vs ${2 * length}`,
    });
  const nibbles = [...input];
  while (nibbles.length < 128) nibbles.push(m.t.pushNum(0));
  const flags = BLAKE3_FLAGS.CHUNK_START | BLAKE3_FLAGS.CHUNK_END | BLAKE3_FLAGS.ROOT;
  const words = blake3CompressScript(m, {
    cv: BLAKE3_IV,
    block: wordsFromByteNibbles(nibbles),
    counter: 0,
    blockLen: length,
    flags,
  });
  return byteNibblesFromWords(words);
}

/** A standalone fragment: consumes 2·length input nibbles, leaves the 64 hash nibbles. */
export function blake3ShortFragment(length: number): { fragment: Fragment; peakStack: number } {
  const t = new StackTracker();
  const m = new NibbleMachine(t, { xorBias: HASH_XOR_BIAS });
  const input = t.inputs(2 * length);
  m.prepareXor();
  const out = blake3ShortScript(m, input, length);
  m.dropTables();
  t.keepOnly(out);
  return { fragment: t.build(), peakStack: t.peak };
}

/**
 * A standalone compression: consumes the chaining value (8 words) then the block (16 words), each word as 8
 * nibbles most significant first, and leaves the 8 words of the output chaining value.
 */
export function blake3CompressFragment(
  counter: number,
  blockLen: number,
  flags: number,
): { fragment: Fragment; peakStack: number } {
  const t = new StackTracker();
  const m = new NibbleMachine(t, { xorBias: HASH_XOR_BIAS });
  const cv = Array.from({ length: 8 }, () => t.inputs(8));
  const block = Array.from({ length: 16 }, () => t.inputs(8));
  const out = blake3CompressScript(m, { cv, block, counter, blockLen, flags });
  m.dropTables();
  t.keepOnly(out.flat());
  return { fragment: t.build(), peakStack: t.peak };
}

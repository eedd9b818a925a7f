import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  blake3ShortRef,
  blake3ShortFragment,
  blake3CompressFragment,
  blake3CompressRef,
  bytesFromWordsLE,
  wordsFromBytesLE,
  u32ToNibbleItems,
  BLAKE3_IV,
  BLAKE3_FLAGS,
  runFragment,
  LimbRangeError,
} from '../../src/bitvm/index.ts';

interface Blake3Vectors {
  cases: { input_len: number; hash: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/bitvm/blake3_official_test_vectors.json', import.meta.url), 'utf8'),
) as Blake3Vectors;

/** The official input: bytes 0, 1, …, 250 repeating. */
const officialInput = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251);
const nibbles = (bytes: Uint8Array) => [...bytes].flatMap((b) => [b >> 4, b & 15]);

describe('BLAKE3 in Script (blake3_official_test_vectors.json, inputs of one block)', () => {
  const oneBlock = vectors.cases.filter((c) => c.input_len <= 64);
  assert.ok(oneBlock.length >= 10, 'vector file has the short cases');
  for (const c of oneBlock) {
    test(`input_len ${c.input_len}`, () => {
      const input = officialInput(c.input_len);
      const expected = c.hash.slice(0, 64);
      assert.equal(bytesToHex(blake3ShortRef(input)), expected, 'JavaScript reference');
      const { fragment, peakStack } = blake3ShortFragment(c.input_len);
      const result = runFragment(fragment, nibbles(input));
      assert.equal(result.ok, true, result.message);
      assert.deepEqual(result.numbers, nibbles(Uint8Array.from(Buffer.from(expected, 'hex'))), 'Script output');
      assert.ok(result.maxStackItems <= 1000 && result.maxStackItems <= peakStack);
    });
  }

  test('longer vectors are out of scope for one compression and rejected with a typed error', () => {
    assert.throws(() => blake3ShortRef(new Uint8Array(65)), LimbRangeError);
    assert.throws(() => blake3ShortFragment(65), LimbRangeError);
  });

  test('the reference matches @noble/hashes on random inputs of 0..64 bytes', () => {
    for (let len = 0; len <= 64; len++) {
      const input = Uint8Array.from({ length: len }, () => Math.floor(Math.random() * 256));
      assert.equal(bytesToHex(blake3ShortRef(input)), bytesToHex(blake3(input)), `length ${len}`);
    }
  });
});

/** One chunk (up to 1024 bytes) hashed with the reference compression, chaining the cv block by block. */
function hashOneChunk(input: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(input.length / 64));
  let cv: number[] = [...BLAKE3_IV];
  for (let i = 0; i < blocks; i++) {
    const block = new Uint8Array(64);
    const part = input.subarray(64 * i, 64 * i + 64);
    block.set(part);
    let flags = 0;
    if (i === 0) flags |= BLAKE3_FLAGS.CHUNK_START;
    if (i === blocks - 1) flags |= BLAKE3_FLAGS.CHUNK_END | BLAKE3_FLAGS.ROOT;
    cv = blake3CompressRef(cv, wordsFromBytesLE(block), 0, part.length, flags).slice(0, 8);
  }
  return bytesFromWordsLE(cv);
}

describe('BLAKE3 compression function with a chaining value on the stack', () => {
  test('the reference compression chains correctly over one-chunk vectors (65..1024 bytes)', () => {
    const chunkCases = vectors.cases.filter((c) => c.input_len > 64 && c.input_len <= 1024);
    assert.ok(chunkCases.length >= 4);
    for (const c of chunkCases)
      assert.equal(
        bytesToHex(hashOneChunk(officialInput(c.input_len))),
        c.hash.slice(0, 64),
        `input_len ${c.input_len}`,
      );
  });

  test('Script compression of a random cv, block, counter and flags matches the reference', () => {
    const cv = Array.from({ length: 8 }, () => Math.floor(Math.random() * 2 ** 32));
    const block = Array.from({ length: 16 }, () => Math.floor(Math.random() * 2 ** 32));
    const counter = 5;
    const flags = BLAKE3_FLAGS.CHUNK_END;
    const { fragment } = blake3CompressFragment(counter, 64, flags);
    const result = runFragment(fragment, [...cv, ...block].flatMap(u32ToNibbleItems));
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(
      result.numbers,
      blake3CompressRef(cv, block, counter, 64, flags).slice(0, 8).flatMap(u32ToNibbleItems),
    );
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import {
  SHA256_IV,
  sha256CompressRef,
  sha256CompressFragment,
  wordsFromBytesBE,
  u32ToNibbleItems,
  runFragment,
} from '../../src/bitvm/index.ts';

/** The one padded block of a message of at most 55 bytes. */
function singleBlock(message: Uint8Array): Uint8Array {
  const block = new Uint8Array(64);
  block.set(message);
  block[message.length] = 0x80;
  const bitLength = message.length * 8;
  block[62] = bitLength >> 8;
  block[63] = bitLength & 255;
  return block;
}

describe('SHA-256 compression', () => {
  test('the reference chains to @noble/hashes on random multi-block messages', () => {
    for (let i = 0; i < 20; i++) {
      const message = randomBytes(Math.floor(Math.random() * 300));
      const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
      padded.set(message);
      padded[message.length] = 0x80;
      const view = new DataView(padded.buffer);
      view.setUint32(padded.length - 4, message.length * 8);
      let state: number[] = [...SHA256_IV];
      for (let off = 0; off < padded.length; off += 64)
        state = sha256CompressRef(state, wordsFromBytesBE(padded.subarray(off, off + 64)));
      assert.deepEqual(state, wordsFromBytesBE(sha256(message)));
    }
  });

  const { fragment, peakStack } = sha256CompressFragment();
  const cases: { name: string; state: number[]; block: Uint8Array; expected: () => number[] }[] = [];
  for (let i = 0; i < 3; i++) {
    const message = randomBytes(Math.floor(Math.random() * 56));
    cases.push({
      name: `single-block message of ${message.length} random bytes vs @noble/hashes`,
      state: [...SHA256_IV],
      block: singleBlock(message),
      expected: () => wordsFromBytesBE(sha256(message)),
    });
  }
  {
    const state = wordsFromBytesBE(randomBytes(32));
    const block = randomBytes(64);
    cases.push({
      name: 'random chaining state and block vs the reference',
      state,
      block,
      expected: () => sha256CompressRef(state, wordsFromBytesBE(block)),
    });
  }
  for (const c of cases) {
    test(`in Script: ${c.name}`, () => {
      const inputs = [...c.state, ...wordsFromBytesBE(c.block)].flatMap(u32ToNibbleItems);
      const result = runFragment(fragment, inputs);
      assert.equal(result.ok, true, result.message);
      assert.deepEqual(result.numbers, c.expected().flatMap(u32ToNibbleItems));
      assert.ok(result.maxStackItems <= 1000 && result.maxStackItems <= peakStack, `stack ${result.maxStackItems}`);
    });
  }
});

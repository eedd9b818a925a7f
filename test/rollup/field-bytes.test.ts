// The big-endian codec that storage uses for digests and account keys: every length, values wider than the field
// (reduced mod 2^(8·length)), and nothing written outside the slot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bigToBytesBE, bytesToBigBE, writeBigBE } from '../../src/rollup/crypto/field.ts';

describe('big-endian bytes of bigints', () => {
  it('writes value mod 2^(8·length) into exactly its slot, and reads it back', () => {
    for (let length = 1; length <= 40; length++)
      for (let i = 0; i < 50; i++) {
        const value = (BigInt(i) * 0x9e3779b97f4a7c15f39cc0605cedc834123n) ** 3n;
        const out = new Uint8Array(length + 6).fill(0xee);
        writeBigBE(out.subarray(1), 2, value, length);
        assert.equal(bytesToBigBE(out.subarray(3, 3 + length)), BigInt.asUintN(8 * length, value));
        assert.deepEqual([...out.subarray(0, 3), ...out.subarray(3 + length)], [0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
      }
  });

  it('matches the hex form byte for byte', () => {
    const value = 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20n;
    assert.equal(Buffer.from(bigToBytesBE(value, 32)).toString('hex'), value.toString(16).padStart(64, '0'));
    assert.equal(Buffer.from(bigToBytesBE(0x1234n, 3)).toString('hex'), '001234');
  });
});

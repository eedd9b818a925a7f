import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  bitsToTarget,
  blockSubsidy,
  classifyOutput,
  countSigOps,
  difficulty,
  dustThreshold,
  heightPush,
  merkleRoot,
  REGTEST,
  targetToBits,
} from '../../../src/bitcoin/index.ts';

const h = (s: string) => hexToBytes(s);

describe('consensus and policy helpers', () => {
  it('encodes BIP34 heights as CScript() << height', () => {
    const cases: [number, string][] = [
      [1, '51'],
      [16, '60'],
      [17, '0111'],
      [127, '017f'],
      [128, '028000'],
      [255, '02ff00'],
      [256, '020001'],
      [32768, '03008000'],
      [500000, '0320a107'],
    ];
    for (const [height, hex] of cases)
      assert.equal(Buffer.from(heightPush(height)).toString('hex'), hex, `height ${height}`);
  });

  it('converts compact targets like Core', () => {
    assert.equal(bitsToTarget(0x207fffff), 0x7fffffn << 232n);
    assert.equal(bitsToTarget(0x1d00ffff), 0xffffn << 208n);
    assert.equal(targetToBits(0x7fffffn << 232n), 0x207fffff);
    assert.equal(targetToBits(0xffffn << 208n), 0x1d00ffff);
    assert.equal(bitsToTarget(0x04923456), undefined, 'negative');
    assert.equal(difficulty(0x1d00ffff), 1);
    assert.equal(difficulty(0x207fffff), 4.6565423739069247e-10);
  });

  it('halves the regtest subsidy every 150 blocks', () => {
    assert.equal(blockSubsidy(149, REGTEST), 5_000_000_000n);
    assert.equal(blockSubsidy(150, REGTEST), 2_500_000_000n);
    assert.equal(blockSubsidy(150 * 64, REGTEST), 0n);
  });

  it('computes merkle roots and flags CVE-2012-2459 duplication', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    const c = new Uint8Array(32).fill(3);
    assert.deepEqual(merkleRoot([a]).root, a);
    const odd = merkleRoot([a, b, c]);
    const padded = merkleRoot([a, b, c, c]);
    assert.deepEqual(odd.root, padded.root, 'the odd leaf pairs with itself');
    assert.equal(odd.mutated, false);
    assert.equal(padded.mutated, true);
  });

  it("uses Core's dust thresholds at 3 sat/vB", () => {
    const cases: [string, bigint][] = [
      ['76a914' + '11'.repeat(20) + '88ac', 546n],
      ['a914' + '11'.repeat(20) + '87', 540n],
      ['0014' + '11'.repeat(20), 294n],
      ['0020' + '11'.repeat(32), 330n],
      ['5120' + '11'.repeat(32), 330n],
      ['6a0401020304', 0n],
    ];
    for (const [script, dust] of cases) assert.equal(dustThreshold({ value: 0n, script: h(script) }), dust, script);
  });

  it('classifies output scripts as Core does', () => {
    const cases: [string, string][] = [
      ['76a914' + '11'.repeat(20) + '88ac', 'pubkeyhash'],
      ['a914' + '11'.repeat(20) + '87', 'scripthash'],
      ['0014' + '11'.repeat(20), 'witness_v0_keyhash'],
      ['0020' + '11'.repeat(32), 'witness_v0_scripthash'],
      ['5120' + '11'.repeat(32), 'witness_v1_taproot'],
      ['5202' + '1111', 'witness_unknown'],
      ['51024e73', 'anchor'],
      ['21' + '02' + '11'.repeat(32) + 'ac', 'pubkey'],
      ['5121' + '02' + '11'.repeat(32) + '51ae', 'multisig'],
      ['6a0401020304', 'nulldata'],
      ['6a76', 'nonstandard'],
      ['0015' + '11'.repeat(21), 'nonstandard'],
      ['ac', 'nonstandard'],
    ];
    for (const [script, type] of cases) assert.equal(classifyOutput(h(script)).type, type, script);
  });

  it('counts sigops like GetSigOpCount', () => {
    const multisig = h('52' + ('21' + '02' + '11'.repeat(32)).repeat(3) + '53ae');
    assert.equal(countSigOps(multisig, true), 3);
    assert.equal(countSigOps(multisig, false), 20);
    assert.equal(countSigOps(h('acadae'), true), 22);
    // A truncated push stops the count where Core's parser stops.
    assert.equal(countSigOps(h('ac4c05ac'), false), 1);
  });
});

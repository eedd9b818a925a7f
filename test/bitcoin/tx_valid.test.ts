// Core's tx_valid.json, checked as transaction_tests.cpp does: valid with every flag but the excluded ones, still
// valid with any flag removed, and invalid if any excluded flag is put back (the exclusions are minimal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  checkTransaction,
  decodeTransaction,
  formatFlags,
  parseFlags,
  FLAG_NAMES,
  SCRIPT_VERIFY,
} from '../../src/bitcoin/index.ts';
import {
  ALL_FLAGS,
  excludeIndividualFlags,
  fillFlags,
  loadVectors,
  prepare,
  scriptsValid,
  trimFlags,
} from './tx-harness.ts';

const vectors = loadVectors('tx_valid.json');
test('tx_valid: vectors loaded', () => assert.ok(vectors.length > 100));

vectors.forEach(({ vector: [prevouts, hex, excludedNames], comment }, i) => {
  test(`tx_valid #${i}: ${comment}`.slice(0, 200), () => {
    const excluded = parseFlags(excludedNames);
    assert.equal(fillFlags(ALL_FLAGS & ~excluded), ALL_FLAGS & ~excluded, 'bad test flags');
    const tx = decodeTransaction(hexToBytes(hex));
    checkTransaction(tx);
    const p = prepare(tx, prevouts);
    assert.ok(scriptsValid(p, ALL_FLAGS & ~excluded), 'tx unexpectedly failed');
    let combined = excluded;
    for (const name of FLAG_NAMES) {
      const flag = SCRIPT_VERIFY[name];
      assert.ok(scriptsValid(p, trimFlags(ALL_FLAGS & ~(excluded | flag))), `failed with ${name} removed`);
      combined = combined | flag;
      assert.ok(scriptsValid(p, trimFlags(ALL_FLAGS & ~combined)), `failed with flags removed up to ${name}`);
    }
    for (const fewer of excludeIndividualFlags(excluded))
      assert.ok(
        !scriptsValid(p, ALL_FLAGS & ~fewer),
        `too many flags excluded: passes with [${formatFlags(ALL_FLAGS & ~fewer)}]`,
      );
  });
});

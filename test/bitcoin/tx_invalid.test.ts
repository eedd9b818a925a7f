// Core's tx_invalid.json, checked as transaction_tests.cpp does: invalid (by CheckTransaction or a script) under the
// given flags and any added flag, and valid again when any one given flag is removed (the flags are minimal).
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
  TxCheckError,
} from '../../src/bitcoin/index.ts';
import { excludeIndividualFlags, fillFlags, loadVectors, prepare, scriptsValid } from './tx-harness.ts';

const vectors = loadVectors('tx_invalid.json');
test('tx_invalid: vectors loaded', () => assert.ok(vectors.length > 80));

vectors.forEach(({ vector: [prevouts, hex, flagNames], comment }, i) => {
  test(`tx_invalid #${i}: ${comment}`.slice(0, 200), () => {
    const tx = decodeTransaction(hexToBytes(hex));
    // "BADTX" marks a transaction that CheckTransaction itself must reject.
    if (flagNames === 'BADTX') {
      assert.throws(() => checkTransaction(tx), TxCheckError);
      return;
    }
    const flags = parseFlags(flagNames);
    assert.equal(fillFlags(flags), flags, 'bad test flags');
    let structurallyValid = true;
    try {
      checkTransaction(tx);
    } catch (err) {
      assert.ok(err instanceof TxCheckError);
      structurallyValid = false;
    }
    const p = prepare(tx, prevouts);
    assert.ok(!structurallyValid || !scriptsValid(p, flags), 'tx unexpectedly passed');
    if (!structurallyValid) return;
    for (const name of FLAG_NAMES)
      assert.ok(!scriptsValid(p, fillFlags(flags | SCRIPT_VERIFY[name])), `passes with ${name} added`);
    for (const fewer of excludeIndividualFlags(flags))
      assert.ok(scriptsValid(p, fewer), `flags not minimal: fails with only [${formatFlags(fewer)}]`);
  });
});

// Core's sighash.json: legacy SignatureHash (with OP_CODESEPARATOR removal) over random transactions, scripts and
// 32-bit hash types. Rows: [raw_transaction, script, input_index, hashType, signature_hash (display order)].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { checkTransaction, decodeTransaction, legacySighash } from '../../src/bitcoin/index.ts';

const rows = JSON.parse(
  readFileSync(new URL('../vectors/bitcoin-core/sighash.json', import.meta.url), 'utf8'),
) as unknown[][];
const vectors = rows.filter((r) => r.length === 5) as [string, string, number, number, string][];
test('sighash.json: vectors loaded', () => assert.equal(vectors.length, rows.length - 1));

vectors.forEach(([rawTx, script, index, hashType, expected], i) => {
  test(`sighash #${i}: input ${index}, hashType ${hashType}`, () => {
    const tx = decodeTransaction(hexToBytes(rawTx));
    checkTransaction(tx);
    const hash = legacySighash(tx, index, hexToBytes(script), hashType);
    assert.equal(bytesToHex(hash.slice().reverse()), expected);
  });
});

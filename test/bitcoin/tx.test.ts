import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import * as btc from '@scure/btc-signer';
import {
  decodeTransaction,
  encodeTransaction,
  txidHex,
  wtxidHex,
  weight,
  vsize,
  TxError,
} from '../../src/bitcoin/index.ts';

const dir = new URL('../vectors/bitcoin-core/', import.meta.url);
const rows = [
  ...JSON.parse(readFileSync(new URL('tx_valid.json', dir), 'utf8')),
  ...JSON.parse(readFileSync(new URL('tx_invalid.json', dir), 'utf8')),
] as unknown[][];
const hexes = rows.filter((r) => Array.isArray(r[0])).map((r) => r[1] as string);

test('codec: every tx_valid/tx_invalid transaction round-trips and agrees with @scure/btc-signer', () => {
  let checked = 0;
  for (const hex of hexes) {
    let tx;
    try {
      tx = decodeTransaction(hexToBytes(hex));
    } catch (err) {
      assert.ok(err instanceof TxError, `non-typed error for ${hex}`);
      continue;
    }
    assert.equal(bytesToHex(encodeTransaction(tx)), hex);
    let ref: btc.Transaction;
    try {
      ref = btc.Transaction.fromRaw(hexToBytes(hex), {
        allowUnknownInputs: true,
        allowUnknownOutputs: true,
        disableScriptCheck: true,
        allowLegacyWitnessUtxo: true,
      });
    } catch {
      continue;
    }
    assert.equal(txidHex(tx), ref.id);
    const base = ref.toBytes(true, false).length;
    const total = ref.toBytes(true, true).length;
    assert.equal(weight(tx), base * 3 + total);
    assert.equal(vsize(tx), Math.ceil((base * 3 + total) / 4));
    checked++;
  }
  assert.ok(checked > 100, `only ${checked} cross-checked`);
});

test('codec: known mainnet txid (tx_valid first vector, 23b397ed…)', () => {
  const tx = decodeTransaction(hexToBytes(hexes[0]));
  assert.equal(txidHex(tx), '23b397edccd3740a74adb603c9756370fafcde9bcc4483eb271ecad09a94dd63');
  assert.equal(wtxidHex(tx), txidHex(tx));
});

test('codec: every truncation and any trailing byte is a typed error', () => {
  const segwit = hexes.find((h) => h.slice(8, 12) === '0001')!;
  for (const hex of [hexes[0], segwit]) {
    const bytes = hexToBytes(hex);
    for (let n = 0; n < bytes.length; n++) assert.throws(() => decodeTransaction(bytes.subarray(0, n)), TxError);
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    assert.throws(
      () => decodeTransaction(extra),
      (e: unknown) => e instanceof TxError && e.code === 'TRAILING_BYTES',
    );
  }
});

test('codec: absurd counts are rejected before allocation', () => {
  // version, then an input count of 0xffffffff
  const bytes = hexToBytes('01000000feffffffff00');
  assert.throws(
    () => decodeTransaction(bytes),
    (e: unknown) => e instanceof TxError && e.code === 'COUNT_TOO_LARGE',
  );
  const nonCanonical = hexToBytes('01000000fd0100');
  assert.throws(
    () => decodeTransaction(nonCanonical),
    (e: unknown) => e instanceof TxError && e.code === 'BAD_COMPACT_SIZE',
  );
});

test('codec: witness flag with all-empty witnesses is superfluous', () => {
  const tx = decodeTransaction(hexToBytes(hexes[0]));
  const bytes = encodeTransaction(tx, { witness: false });
  const forged = new Uint8Array(bytes.length + 3);
  forged.set(bytes.subarray(0, 4));
  forged.set([0, 1], 4);
  forged.set(bytes.subarray(4, bytes.length - 4), 6);
  forged[bytes.length + 2 - 4] = 0; // one empty witness stack
  forged.set(bytes.subarray(bytes.length - 4), bytes.length - 1);
  assert.throws(
    () => decodeTransaction(forged),
    (e: unknown) => e instanceof TxError && e.code === 'SUPERFLUOUS_WITNESS',
  );
});

test('codec: decoding a Node Buffer copies it, so hashing and printing never alter the caller or the fields', () => {
  const hex = hexes[0];
  const buffer = Buffer.from(hex, 'hex');
  const tx = decodeTransaction(buffer);
  const prevTxid = bytesToHex(tx.inputs[0].txid);
  const first = txidHex(tx);
  assert.equal(txidHex(tx), first);
  assert.equal(bytesToHex(tx.inputs[0].txid), prevTxid);
  buffer.fill(0);
  assert.equal(txidHex(tx), first, 'the decoded transaction must not share memory with the input buffer');
});

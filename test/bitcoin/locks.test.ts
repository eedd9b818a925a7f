// nLockTime finality (IsFinalTx) and BIP68 relative locks (CalculateSequenceLocks / EvaluateSequenceLocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transaction } from '../../src/bitcoin/index.ts';
import {
  checkSequenceLocks,
  isFinalTx,
  sequenceLocks,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
} from '../../src/bitcoin/index.ts';

function tx(version: number, locktime: number, sequences: number[]): Transaction {
  return {
    version,
    locktime,
    inputs: sequences.map((sequence, i) => ({
      txid: new Uint8Array(32).fill(i + 1),
      vout: 0,
      scriptSig: new Uint8Array(0),
      sequence,
      witness: [],
    })),
    outputs: [{ value: 1n, script: new Uint8Array(0) }],
  };
}

test('isFinalTx: zero locktime is always final', () => assert.equal(isFinalTx(tx(1, 0, [0]), 0, 0), true));
test('isFinalTx: height locks are final strictly after the height', () => {
  assert.equal(isFinalTx(tx(1, 100, [0]), 100, 0), false);
  assert.equal(isFinalTx(tx(1, 100, [0]), 101, 0), true);
});
test('isFinalTx: time locks compare with the block time', () => {
  assert.equal(isFinalTx(tx(1, 500_000_100, [0]), 1, 500_000_100), false);
  assert.equal(isFinalTx(tx(1, 500_000_100, [0]), 1, 500_000_101), true);
});
test('isFinalTx: all-final sequences disable the lock', () => {
  assert.equal(isFinalTx(tx(1, 1000, [SEQUENCE_FINAL, SEQUENCE_FINAL]), 5, 0), true);
  assert.equal(isFinalTx(tx(1, 1000, [SEQUENCE_FINAL, 0]), 5, 0), false);
});

test('sequenceLocks: version 1 has no relative locks', () => {
  assert.deepEqual(
    sequenceLocks(tx(1, 0, [10]), [100], () => 0),
    { minHeight: -1, minTime: -1 },
  );
});
test('sequenceLocks: height lock is coin height + n - 1', () => {
  const locks = sequenceLocks(tx(2, 0, [10, 3]), [100, 105], () => 0);
  assert.deepEqual(locks, { minHeight: 109, minTime: -1 });
  assert.equal(checkSequenceLocks(locks, 109, 0), false);
  assert.equal(checkSequenceLocks(locks, 110, 0), true);
});
test('sequenceLocks: time lock counts 512-second units from the MTP before the coin', () => {
  const asked: number[] = [];
  const locks = sequenceLocks(tx(2, 0, [SEQUENCE_LOCKTIME_TYPE_FLAG | 2]), [50], (h) => (asked.push(h), 1_000_000));
  assert.deepEqual(asked, [49]);
  assert.deepEqual(locks, { minHeight: -1, minTime: 1_000_000 + 1024 - 1 });
  assert.equal(checkSequenceLocks(locks, 60, 1_001_023), false);
  assert.equal(checkSequenceLocks(locks, 60, 1_001_024), true);
});
test('sequenceLocks: the disable flag skips an input', () => {
  assert.deepEqual(
    sequenceLocks(tx(2, 0, [SEQUENCE_LOCKTIME_DISABLE_FLAG | 500]), [1], () => 0),
    { minHeight: -1, minTime: -1 },
  );
});

// Canonical and compact (DA) encodings of protocol §4 and §7.1, and their failure modes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  RollupError,
  decodeDa,
  decodeL1Item,
  decodeTransaction,
  encodeDa,
  encodeL1Item,
  encodeTransaction,
  signForcedExit,
  signTransfer,
  signWithdraw,
  transactionId,
} from '../../src/rollup/index.ts';
import type { DaOp } from '../../src/rollup/index.ts';
import { CHAIN, deposit, key } from './helpers.ts';

const isCode = (code: string) => (e: unknown) => e instanceof RollupError && e.code === code;
const script = Uint8Array.from([0x51, 0x20, ...new Array<number>(32).fill(7)]);

describe('canonical encoding', () => {
  const transfer = signTransfer(key(1), { from: 1, to: 70000, amount: 123_456n, fee: 250n, nonce: 9 }, CHAIN);
  const withdraw = signWithdraw(key(1), { from: 1, script, amount: 5n, fee: 0n, nonce: 10 }, CHAIN);
  it('round-trips transfers and withdrawals; a transfer is 93 bytes', () => {
    const bytes = encodeTransaction(transfer);
    assert.equal(bytes.length, 93);
    assert.deepEqual(decodeTransaction(bytes), transfer);
    assert.deepEqual(decodeTransaction(encodeTransaction(withdraw)), withdraw);
    assert.equal(transactionId(transfer), transactionId(bytes));
    assert.match(transactionId(bytes), /^[0-9a-f]{64}$/);
  });
  it('round-trips L1 items', () => {
    const d = deposit(4, 99n, 123);
    assert.deepEqual(decodeL1Item(encodeL1Item(d)), d);
    const f = signForcedExit(
      key(2),
      { txid: new Uint8Array(32).fill(3), vout: 1, l1Height: 5, account: 2, nonce: 0, script },
      CHAIN,
    );
    assert.deepEqual(decodeL1Item(encodeL1Item(f)), f);
  });
  it('refuses malformed bytes with typed errors', () => {
    const bytes = encodeTransaction(transfer);
    assert.throws(() => decodeTransaction(bytes.subarray(0, 92)), isCode('MALFORMED_ENCODING'));
    assert.throws(() => decodeTransaction(Uint8Array.of(...bytes, 0)), isCode('MALFORMED_ENCODING'));
    assert.throws(() => decodeTransaction(Uint8Array.of(0x07, ...bytes.subarray(1))), isCode('MALFORMED_ENCODING'));
    const big = bytes.slice();
    big[9] = 0x80; // amount ≥ 2^63
    assert.throws(() => decodeTransaction(big), isCode('AMOUNT_OVERFLOW'));
    const badSig = bytes.slice();
    badSig.fill(0xff, 29, 61); // R8 not a point
    assert.throws(() => decodeTransaction(badSig), isCode('MALFORMED_ENCODING'));
    const w = encodeTransaction(withdraw);
    const badLen = w.slice();
    badLen[25] = 43;
    assert.throws(() => decodeTransaction(badLen), isCode('MALFORMED_ENCODING'));
    assert.throws(() => decodeTransaction(new Uint8Array(400)), isCode('OVERSIZED'));
  });
});

describe('compact DA encoding', () => {
  const ops: DaOp[] = [
    { kind: 'transfer', from: 1, to: 2, amount: 100_000n, fee: 250n },
    { kind: 'transfer', from: 16_000_000, to: 3, amount: 1_234_567n, fee: 1_234n },
    { kind: 'transfer', from: 2, to: 1, amount: 123_456_789n, fee: 1_234n },
    { kind: 'transfer', from: 5, to: 6, amount: (1n << 63n) - 1n, fee: 0n },
    { kind: 'withdraw', from: 9, amount: 77n, fee: 3n, script },
    { kind: 'deposit', index: 12 },
    { kind: 'forcedExit', applied: true },
    { kind: 'forcedExit', applied: false },
  ];
  it('round-trips every operation kind at depth 24', () => {
    assert.deepEqual(decodeDa(encodeDa(ops, 24), 24), ops);
  });
  it('a typical transfer takes at most 12 bytes (9 for round amounts)', () => {
    assert.equal(encodeDa([ops[0]!], 24).length, 9);
    assert.equal(encodeDa([ops[1]!], 24).length, 12);
    assert.equal(encodeDa([ops[2]!], 24).length, 13, 'unround large amounts may take more');
    let total = 0;
    for (let i = 0; i < 1000; i++) {
      const amount = BigInt(1 + ((i * 7919) % 100_000)) * 1000n;
      total += encodeDa([{ kind: 'transfer', from: i, to: i + 1, amount, fee: BigInt(100 + (i % 900)) }], 24).length;
    }
    assert.ok(total / 1000 <= 12, `average ${total / 1000} bytes`);
  });
  it('rejects truncated and unknown data', () => {
    const bytes = encodeDa(ops, 24);
    assert.throws(() => decodeDa(bytes.subarray(0, 5), 24), isCode('MALFORMED_ENCODING'));
    assert.throws(() => decodeDa(Uint8Array.of(0x90), 24), isCode('MALFORMED_ENCODING'));
  });
});

describe('decoding never writes to its input', () => {
  it('a transaction in a Node Buffer (whose slice() is a view) comes out unchanged, sign bit of R8 included', () => {
    // Find a signature whose packed R8 has the x-sign bit set, the byte a decoder must not clear in place.
    for (let nonce = 0; nonce < 64; nonce++) {
      const tx = signTransfer(key(1), { from: 1, to: 2, amount: 5n, fee: 1n, nonce }, CHAIN);
      const bytes = encodeTransaction(tx);
      if ((bytes[60]! & 0x80) === 0) continue;
      const buffer = Buffer.from(bytes);
      const decoded = decodeTransaction(buffer);
      assert.deepEqual(new Uint8Array(buffer), bytes, 'the input is untouched');
      assert.deepEqual(encodeTransaction(decoded), bytes);
      return;
    }
    assert.fail('no signature with the sign bit set in 64 tries');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync, constants } from 'node:zlib';
import { encodeDa } from '../../src/rollup/index.ts';
import type { DaOp } from '../../src/rollup/index.ts';
import {
  AnchorError,
  MAX_DATA_BYTES,
  MAX_PUSH,
  buildCommitment,
  chainScript,
  commitmentId,
  decodeHeader,
  decodePayload,
  encodeHeader,
  encodePayload,
  envelopeScript,
  headerSize,
  leafScriptOf,
  parseEnvelope,
  proofDigest,
  splitPayload,
  xOnlyKey,
} from '../../src/anchor/index.ts';
import type { CommitmentHeader } from '../../src/anchor/index.ts';
import { SEQUENCER_KEY, SEQUENCER_SECRET, deposit } from './helpers.ts';

const header = (over: Partial<CommitmentHeader> = {}): CommitmentHeader => ({
  version: 1,
  chainId: 3,
  batchNumber: 7,
  prevCommitment: new Uint8Array(32).fill(9),
  oldRoots: [1n, 2n],
  newRoots: [3n, 4n],
  dataDigest: 5n,
  withdrawalRoot: 6n,
  queueStart: 10,
  queueEnd: 12,
  queueHashStart: 13n,
  queueHashEnd: 14n,
  snarkProofDigest: 0n,
  starkProofDigest: 0n,
  ...over,
});

function rejects(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AnchorError, `expected an AnchorError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.shortMessage, message);
    return true;
  });
}

describe('commitment header', () => {
  it('round-trips and has the documented size', () => {
    const h = header();
    const bytes = encodeHeader(h);
    assert.equal(bytes.length, headerSize(2));
    assert.deepEqual(decodeHeader(bytes), h);
    assert.equal(commitmentId(h).length, 32);
    assert.notDeepEqual(commitmentId(h), commitmentId(header({ batchNumber: 8 })));
  });

  it('rejects bad magic, an unknown version, truncation and trailing bytes', () => {
    const bytes = encodeHeader(header());
    const magic = bytes.slice();
    magic[0] ^= 1;
    rejects(() => decodeHeader(magic), 'MALFORMED_HEADER', /bad magic/);
    const version = bytes.slice();
    version[4] = 2;
    rejects(() => decodeHeader(version), 'MALFORMED_HEADER', /unknown commitment version 2/);
    rejects(() => decodeHeader(bytes.subarray(0, bytes.length - 1)), 'MALFORMED_HEADER', /truncated/);
    rejects(() => decodeHeader(Uint8Array.of(...bytes, 0)), 'MALFORMED_HEADER', /trailing/);
    const roots = bytes.slice();
    roots[47] = 0;
    rejects(() => decodeHeader(roots), 'MALFORMED_HEADER', /root count 0/);
  });

  it('refuses to encode inconsistent headers', () => {
    rejects(() => encodeHeader(header({ newRoots: [1n] })), 'INVALID_PARAMETER');
    rejects(() => encodeHeader(header({ queueEnd: 1 })), 'INVALID_PARAMETER');
    rejects(() => encodeHeader(header({ prevCommitment: new Uint8Array(31) })), 'INVALID_PARAMETER');
    rejects(() => encodeHeader(header({ batchNumber: -1 })), 'INVALID_PARAMETER');
  });
});

describe('commitment payload', () => {
  const ops: DaOp[] = Array.from({ length: 200 }, (_, i) => ({
    kind: 'transfer',
    from: 1 + (i % 5),
    to: 6 + (i % 7),
    amount: 1000n * BigInt(i + 1),
    fee: 10n,
  }));
  const data = encodeDa(ops, 24);
  const items = [deposit(1, 5n), deposit(2, 6n)];

  it('round-trips data, L1 items and proofs; brotli makes repetitive data smaller', () => {
    const proofs = { snark: new Uint8Array(192).fill(1), stark: new Uint8Array(5000).fill(2) };
    const h = header({ snarkProofDigest: proofDigest(proofs.snark), starkProofDigest: proofDigest(proofs.stark) });
    const { bytes, layout } = encodePayload({ header: h, data, l1Items: items, proofs });
    assert.equal(layout.total, bytes.length);
    assert.equal(layout.header + layout.data + layout.proofs, layout.total);
    assert.ok(layout.data < data.length, `compressed ${layout.data} < raw ${data.length}`);
    const back = decodePayload(bytes);
    assert.deepEqual(back.header, h);
    assert.deepEqual(back.data, data);
    assert.deepEqual(back.l1Items, items);
    assert.deepEqual(back.proofs, proofs);
  });

  it('leaves the STARK proof out when configured (its digest stays in the header)', () => {
    const proofs = { stark: new Uint8Array(100).fill(3) };
    const h = header({ starkProofDigest: proofDigest(proofs.stark) });
    const { bytes } = encodePayload({ header: h, data, l1Items: [], proofs }, { includeStarkProof: false });
    const back = decodePayload(bytes);
    assert.equal(back.proofs.stark, undefined);
    assert.equal(back.header.starkProofDigest, proofDigest(proofs.stark));
  });

  it('refuses proofs that do not match the header digests', () => {
    rejects(
      () => encodePayload({ header: header(), data, l1Items: [], proofs: { snark: Uint8Array.of(1) } }),
      'INVALID_PARAMETER',
    );
  });

  it('rejects garbage, truncation, unknown codecs and decompression bombs with typed errors', () => {
    const { bytes } = encodePayload({ header: header(), data, l1Items: items, proofs: {} });
    rejects(() => decodePayload(bytes.subarray(0, bytes.length - 3)), 'MALFORMED_PAYLOAD');
    rejects(() => decodePayload(Uint8Array.of(...bytes, 1)), 'MALFORMED_PAYLOAD', /trailing/);
    const h = encodeHeader(header());
    const codec = Uint8Array.of(...h, 7, 0, 0, 0, 0, 0);
    rejects(() => decodePayload(codec), 'MALFORMED_PAYLOAD', /unknown data codec 7/);
    const junk = Uint8Array.of(...h, 1, 0, 0, 0, 4, 1, 2, 3, 4, 0);
    rejects(() => decodePayload(junk), 'MALFORMED_PAYLOAD', /does not decompress/);
    const bomb = brotliCompressSync(new Uint8Array(MAX_DATA_BYTES + 1), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 1 },
    });
    const len = [bomb.length >>> 24, (bomb.length >>> 16) & 255, (bomb.length >>> 8) & 255, bomb.length & 255];
    rejects(() => decodePayload(Uint8Array.of(...h, 1, ...len, ...bomb, 0)), 'MALFORMED_PAYLOAD', /decompress/);
  });
});

describe('taproot envelope', () => {
  it('round-trips a part; pushes are ≤ 520 bytes', () => {
    const data = Uint8Array.from({ length: 2000 }, (_, i) => i & 255);
    const script = envelopeScript({ key: SEQUENCER_KEY, index: 1, count: 3, data });
    const part = parseEnvelope(script);
    assert.deepEqual(part, { key: SEQUENCER_KEY, index: 1, count: 3, data });
    assert.equal(MAX_PUSH, 520);
    // 2000 bytes = 3 full pushes (PUSHDATA2) + 440
    assert.equal(script.filter((b, i) => b === 0x4d && i > 40).length >= 3, true);
  });

  it('rejects other scripts and broken envelopes', () => {
    const good = envelopeScript({ key: SEQUENCER_KEY, index: 0, count: 1, data: Uint8Array.of(1, 2, 3) });
    rejects(() => parseEnvelope(good.subarray(0, good.length - 1)), 'MALFORMED_ENVELOPE', /truncated/);
    rejects(() => parseEnvelope(Uint8Array.of(...good, 0x51)), 'MALFORMED_ENVELOPE', /after the envelope/);
    const tag = good.slice();
    tag[38] ^= 1;
    rejects(() => parseEnvelope(tag), 'MALFORMED_ENVELOPE', /not tagged/);
    const notLeaf = good.slice();
    notLeaf[33] = 0xad;
    rejects(() => parseEnvelope(notLeaf), 'MALFORMED_ENVELOPE', /not an envelope leaf/);
    const opcode = Uint8Array.of(...good.subarray(0, 36), 0x76, 0x68);
    rejects(() => parseEnvelope(opcode), 'MALFORMED_ENVELOPE', /unexpected opcode/);
    const nonMinimal = Uint8Array.of(...good.subarray(0, 36), 0x4c, 0x04, 0x6b, 0x65, 0x65, 0x6c, 0x68);
    rejects(() => parseEnvelope(nonMinimal), 'MALFORMED_ENVELOPE', /non-minimal/);
    const part = good.slice();
    part[43] = 5; // index 5 of 1
    rejects(() => parseEnvelope(part), 'MALFORMED_ENVELOPE', /part/);
    rejects(
      () => envelopeScript({ key: SEQUENCER_KEY, index: 1, count: 1, data: Uint8Array.of(1) }),
      'INVALID_PARAMETER',
    );
  });

  it('finds the leaf of a script-path witness (with or without annex), not of a key path', () => {
    const leaf = Uint8Array.of(1, 2);
    const control = new Uint8Array(33).fill(0xc0);
    assert.equal(leafScriptOf([new Uint8Array(64), leaf, control]), leaf);
    assert.equal(leafScriptOf([new Uint8Array(64), leaf, control, Uint8Array.of(0x50, 1)]), leaf);
    assert.equal(leafScriptOf([new Uint8Array(64)]), undefined);
    assert.equal(leafScriptOf([leaf, new Uint8Array(34)]), undefined);
  });

  it('splits payloads into near-equal parts and keeps each reveal ≤ 400,000 WU', () => {
    assert.deepEqual(
      splitPayload(new Uint8Array(1000), 400).map((p) => p.length),
      [334, 334, 332],
    );
    const payload = Uint8Array.from({ length: 800_000 }, (_, i) => (i * 7919) & 255);
    const input = { txid: '11'.repeat(32), vout: 0, amount: 10_000_000n, script: chainScript(SEQUENCER_KEY) };
    const built = buildCommitment({ payload, secretKey: SEQUENCER_SECRET, chainInput: input, feeRate: 1 });
    assert.deepEqual(built.parts, [266_667, 266_667, 266_666]);
    for (const r of built.reveals) assert.ok(r.weight <= 400_000);
    assert.equal(built.chain.amount, input.amount - built.commit.fee - built.reveals.reduce((n, r) => n + r.fee, 0n));
    assert.deepEqual(xOnlyKey(SEQUENCER_SECRET), SEQUENCER_KEY);
    rejects(
      () =>
        buildCommitment({ payload, secretKey: SEQUENCER_SECRET, chainInput: { ...input, amount: 1000n }, feeRate: 1 }),
      'INSUFFICIENT_FUNDS',
    );
  });
});

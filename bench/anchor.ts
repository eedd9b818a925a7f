// Anchoring benchmark (issue 8): vbytes on Bitcoin per L2 transfer. Random transfers among 10,000 accounts
// (depth 24, the default tree) are put in the compact DA encoding, wrapped in a commitment (header + brotli data),
// and turned into the real commit and reveal transactions; their vsize is what Bitcoin charges
// (witness bytes count a quarter). The DA and payload round-trips are checked before anything is measured.
//
//   npm run bench:anchor
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { printTable } from '../src/shared/index.ts';
import { dataDigest, decodeDa, encodeDa } from '../src/rollup/index.ts';
import type { DaOp } from '../src/rollup/index.ts';
import {
  Codec,
  buildCommitment,
  chainScript,
  decodePayload,
  encodePayload,
  headerSize,
  proofDigest,
  xOnlyKey,
} from '../src/anchor/index.ts';
import type { CommitmentHeader } from '../src/anchor/index.ts';

const DEPTH = 24;
const ACCOUNTS = 10_000;
const SIZES = [100, 1_000, 10_000];
/** A Groth16 proof on BN254 as three uncompressed points (A: 64, B: 128, C: 64 bytes). */
const GROTH16_BYTES = 256;
const secretKey = sha256(new TextEncoder().encode('keel bench anchor sequencer'));

// Deterministic PRNG (xorshift32) so runs are comparable.
let seed = 0x9e3779b9;
const rand = (n: number): number => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
};

/** Uniformly random sender and receiver, amount 1,000..1,000,000 sat to the satoshi, fee 1..500 sat. */
function randomTransfers(n: number): DaOp[] {
  return Array.from({ length: n }, () => {
    const from = 1 + rand(ACCOUNTS);
    let to = 1 + rand(ACCOUNTS);
    if (to === from) to = (to % ACCOUNTS) + 1;
    return { kind: 'transfer', from, to, amount: BigInt(1_000 + rand(999_001)), fee: BigInt(1 + rand(500)) };
  });
}

function header(n: number, ops: DaOp[], snark?: Uint8Array): CommitmentHeader {
  // Roots are arbitrary 254-bit values: their size, not their value, is what is measured.
  const word = (i: number) => BigInt('0x' + Buffer.from(sha256(Uint8Array.of(i, n & 255))).toString('hex')) >> 2n;
  return {
    version: 1,
    chainId: 1,
    batchNumber: n,
    prevCommitment: sha256(Uint8Array.of(n & 255)),
    oldRoots: [word(1), word(2)],
    newRoots: [word(3), word(4)],
    dataDigest: dataDigest(ops),
    withdrawalRoot: 0n,
    queueStart: 0,
    queueEnd: 0,
    queueHashStart: 0n,
    queueHashEnd: 0n,
    snarkProofDigest: proofDigest(snark),
    starkProofDigest: 0n,
  };
}

const chainInput = {
  txid: 'ab'.repeat(32),
  vout: 0,
  amount: 100_000_000n,
  script: chainScript(xOnlyKey(secretKey)),
};

function measure(n: number) {
  const ops = randomTransfers(n);
  const da = encodeDa(ops, DEPTH);
  // Round-trip before measuring: the bytes must give back exactly these transfers.
  assert.deepEqual(decodeDa(da, DEPTH), ops, 'DA round-trip');
  const h = header(n, ops);
  const { bytes, layout } = encodePayload({ header: h, data: da, l1Items: [], proofs: {} });
  const back = decodePayload(bytes);
  assert.deepEqual(back.data, da, 'payload round-trip');
  assert.deepEqual(decodeDa(back.data, DEPTH), ops);
  const raw = encodePayload({ header: h, data: da, l1Items: [], proofs: {} }, { codec: Codec.none }).layout;
  const built = buildCommitment({ payload: bytes, secretKey, chainInput, feeRate: 1 });
  for (const r of built.reveals) assert.ok(r.weight <= 400_000, 'standard reveal');
  const vsize = built.commit.vsize + built.reveals.reduce((s, r) => s + r.vsize, 0);
  // With a SNARK proof carried: the same commitment again, so the difference is the proof's cost alone.
  const snark = Uint8Array.from({ length: GROTH16_BYTES }, (_, i) => i);
  const withProof = encodePayload({ header: header(n, ops, snark), data: da, l1Items: [], proofs: { snark } });
  const builtProof = buildCommitment({ payload: withProof.bytes, secretKey, chainInput, feeRate: 1 });
  const vsizeProof = builtProof.commit.vsize + builtProof.reveals.reduce((s, r) => s + r.vsize, 0);
  // Data bytes are witness bytes (a quarter vbyte each, plus ~3 push bytes per 520); the rest is header + txs.
  const dataVb = (layout.data * (1 + 3 / 520)) / 4;
  const headerVb = layout.header / 4;
  const txVb = vsize - dataVb - headerVb;
  return {
    n,
    daBytes: da.length,
    compressed: layout.data,
    uncompressed: raw.data,
    reveals: built.reveals.length,
    vsize,
    dataVb,
    headerVb,
    txVb,
    proofVb: vsizeProof - vsize,
  };
}

const results = SIZES.map(measure);
const f = (x: number, d = 3) => x.toFixed(d);
printTable(
  [
    'transfers',
    'DA bytes',
    'brotli bytes',
    'reveals',
    'total vB',
    'vB/tx',
    'data vB/tx',
    'header vB/tx',
    'tx overhead vB/tx',
    'SNARK proof vB/tx',
  ],
  results.map((r) => [
    String(r.n),
    String(r.daBytes),
    String(r.compressed),
    String(r.reveals),
    String(r.vsize),
    f(r.vsize / r.n),
    f(r.dataVb / r.n),
    f(r.headerVb / r.n),
    f(r.txVb / r.n),
    f(r.proofVb / r.n),
  ]),
);
console.log(
  `header ${headerSize(2)} bytes (two roots per side); SNARK proof measured as ${GROTH16_BYTES} bytes (Groth16, ` +
    'uncompressed points); the STARK proof is not included (config option, its digest is in the header).',
);
console.log(
  'compression: brotli q11 (Node 20 zlib has no zstd); DA bytes per transfer ' +
    results.map((r) => `${r.n}: ${f(r.daBytes / r.n, 2)} raw → ${f(r.compressed / r.n, 2)}`).join(', '),
);
const per = (n: number) => Number(f(results.find((r) => r.n === n)!.vsize / n));
console.log(JSON.stringify({ bench: 'anchor', vb_per_tx_1000: per(1_000), vb_per_tx_10000: per(10_000) }));

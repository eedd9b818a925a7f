import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { decodeL1Item, encodeL1Item } from '../rollup/index.ts';
import type { BatchOutput, L1Item } from '../rollup/index.ts';
import { Reader, Writer } from './bytes.ts';
import { AnchorError, fail } from './errors.ts';
import { encodeHeader, proofDigest, readHeader } from './header.ts';
import type { CommitmentHeader } from './header.ts';

/**
 * Data codecs. Brotli (node:zlib) is the one used: Node 20's zlib has no zstd, and on Keel's compact data brotli at
 * quality 11 with a large window compresses at least as well as zstd -19 (both only find the same repeated account
 * indices); `none` exists so tiny batches are not made bigger.
 */
export const Codec = { none: 0, brotli: 1 } as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

/** A decompressed data section may not exceed this (a hostile envelope must not exhaust memory). */
export const MAX_DATA_BYTES = 16 * 1024 * 1024;
export const MAX_PROOF_BYTES = 4 * 1024 * 1024;
const MAX_L1_ITEMS = 1 << 20;

export const ProofSystem = { snark: 1, stark: 2 } as const;

export type Proofs = { snark?: Uint8Array; stark?: Uint8Array };

/** A batch as posted on Bitcoin: header, the compact data and the L1 items it consumed, and the proofs carried. */
export type Commitment = {
  header: CommitmentHeader;
  /** Compact DA bytes (protocol §7.1). */
  data: Uint8Array;
  /**
   * The deposits and forced exits the batch consumed (queue positions `queueStart..queueEnd`). They are on Bitcoin
   * already as peg-in / exit transactions; carrying them here lets a verifier replay without the bridge, and it
   * checks them against the header's queue hashes.
   */
  l1Items: L1Item[];
  proofs: Proofs;
};

export type PayloadOptions = {
  codec?: CodecId;
  /** Carry the STARK proof in the payload (it is large); its digest is in the header either way. */
  includeStarkProof?: boolean;
};

export function headerFromBatch(batch: BatchOutput, prevCommitment: Uint8Array, proofs: Proofs = {}): CommitmentHeader {
  return {
    version: 1,
    chainId: batch.chainId,
    batchNumber: batch.batchNumber,
    prevCommitment,
    oldRoots: batch.oldRoots,
    newRoots: batch.newRoots,
    dataDigest: batch.dataDigest,
    withdrawalRoot: batch.withdrawalRoot,
    queueStart: batch.queueStart,
    queueEnd: batch.queueEnd,
    queueHashStart: batch.queueHashStart,
    queueHashEnd: batch.queueHashEnd,
    snarkProofDigest: proofDigest(proofs.snark),
    starkProofDigest: proofDigest(proofs.stark),
  };
}

function compress(codec: CodecId, bytes: Uint8Array): Uint8Array {
  if (codec === Codec.none) return bytes;
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

function decompress(codec: number, bytes: Uint8Array): Uint8Array {
  if (codec === Codec.none) return bytes;
  if (codec !== Codec.brotli) fail('MALFORMED_PAYLOAD', `unknown data codec ${codec}`);
  try {
    return brotliDecompressSync(bytes, { maxOutputLength: MAX_DATA_BYTES });
  } catch (cause) {
    throw new AnchorError('MALFORMED_PAYLOAD', 'batch data does not decompress', { cause });
  }
}

/** Sizes of each part of an encoded payload, for the benchmark and logs. */
export type PayloadLayout = { header: number; data: number; proofs: number; total: number };

export function encodePayload(c: Commitment, opts: PayloadOptions = {}): { bytes: Uint8Array; layout: PayloadLayout } {
  const header = encodeHeader(c.header);
  if (
    c.header.snarkProofDigest !== proofDigest(c.proofs.snark) ||
    c.header.starkProofDigest !== proofDigest(c.proofs.stark)
  )
    fail('INVALID_PARAMETER', 'the proofs do not match the digests in the header');
  const inner = new Writer().blob(c.data).u32(c.l1Items.length);
  for (const item of c.l1Items) inner.blob(encodeL1Item(item));
  const raw = inner.finish();
  const codec = opts.codec ?? Codec.brotli;
  const packed = compress(codec, raw);
  // Never pay for compression that did not help.
  const [usedCodec, body] = codec !== Codec.none && packed.length >= raw.length ? [Codec.none, raw] : [codec, packed];
  const data = new Writer().u8(usedCodec).blob(body).finish();
  const proofs = new Writer();
  const carried: [number, Uint8Array][] = [];
  if (c.proofs.snark?.length) carried.push([ProofSystem.snark, c.proofs.snark]);
  if (c.proofs.stark?.length && (opts.includeStarkProof ?? true)) carried.push([ProofSystem.stark, c.proofs.stark]);
  proofs.u8(carried.length);
  for (const [system, proof] of carried) proofs.u8(system).blob(proof);
  const proofBytes = proofs.finish();
  const bytes = new Writer().bytes(header).bytes(data).bytes(proofBytes).finish();
  return {
    bytes,
    layout: { header: header.length, data: data.length, proofs: proofBytes.length, total: bytes.length },
  };
}

/** Parses a whole payload; any defect is a typed MALFORMED_* error (the verifier logs and ignores it). */
export function decodePayload(input: Uint8Array): Commitment {
  // A plain copy: the caller's bytes may be a Buffer view, and what is returned must not alias it.
  const bytes = new Uint8Array(input);
  const r = new Reader(bytes, 'commitment payload', 'MALFORMED_PAYLOAD');
  const header = readHeader(r);
  const codec = r.u8();
  const raw = new Uint8Array(decompress(codec, r.blob(MAX_DATA_BYTES)));
  const inner = new Reader(raw, 'batch data section', 'MALFORMED_PAYLOAD');
  const data = new Uint8Array(inner.blob(MAX_DATA_BYTES));
  const count = inner.u32();
  if (count > MAX_L1_ITEMS) fail('MALFORMED_PAYLOAD', `${count} L1 items is more than a batch can hold`);
  const l1Items: L1Item[] = [];
  for (let i = 0; i < count; i++) {
    const itemBytes = inner.blob(4096);
    try {
      l1Items.push(decodeL1Item(itemBytes));
    } catch (cause) {
      throw new AnchorError('MALFORMED_PAYLOAD', `L1 item ${i} does not decode`, { cause });
    }
  }
  inner.end();
  const proofs: Proofs = {};
  const proofCount = r.u8();
  for (let i = 0; i < proofCount; i++) {
    const system = r.u8();
    const proof = new Uint8Array(r.blob(MAX_PROOF_BYTES));
    if (system === ProofSystem.snark && !proofs.snark) proofs.snark = proof;
    else if (system === ProofSystem.stark && !proofs.stark) proofs.stark = proof;
    else fail('MALFORMED_PAYLOAD', `unknown or repeated proof section ${system}`);
  }
  r.end();
  return { header, data, l1Items, proofs };
}

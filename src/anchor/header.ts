import { sha256 } from '@noble/hashes/sha2.js';
import { Reader, Writer } from './bytes.ts';
import { fail } from './errors.ts';

/** Magic of every Keel commitment ("KEEL"), so a stray envelope is recognised as foreign at the first bytes. */
export const COMMITMENT_MAGIC = Uint8Array.of(0x4b, 0x45, 0x45, 0x4c);
export const HEADER_VERSION = 1;
/** One root per state-tree hasher (BN254 Poseidon, then the STARK field tree); more would be a new version. */
export const MAX_ROOTS = 4;
export const ZERO_COMMITMENT = new Uint8Array(32);

/**
 * The versioned batch commitment header (docs/anchoring.md §1): everything a verifier needs to check one batch
 * against the previous one, and what both proofs' public inputs are derived from.
 */
export type CommitmentHeader = {
  version: number;
  chainId: number;
  batchNumber: number;
  /** Id of the previous batch's header (`commitmentId`), zeros for batch 1. */
  prevCommitment: Uint8Array;
  oldRoots: bigint[];
  newRoots: bigint[];
  dataDigest: bigint;
  withdrawalRoot: bigint;
  queueStart: number;
  queueEnd: number;
  queueHashStart: bigint;
  queueHashEnd: bigint;
  /** SHA-256 of the proof bytes as an integer, 0 while no proof exists. */
  snarkProofDigest: bigint;
  starkProofDigest: bigint;
};

export function headerSize(rootCount: number): number {
  return 4 + 1 + 2 + 8 + 32 + 1 + 64 * rootCount + 32 * 2 + 8 * 2 + 32 * 4;
}

export function encodeHeader(h: CommitmentHeader): Uint8Array {
  if (h.version !== HEADER_VERSION) fail('INVALID_PARAMETER', `header version ${h.version} is not supported`);
  if (h.prevCommitment.length !== 32) fail('INVALID_PARAMETER', 'previous commitment must be 32 bytes');
  if (h.oldRoots.length !== h.newRoots.length || h.oldRoots.length < 1 || h.oldRoots.length > MAX_ROOTS)
    fail('INVALID_PARAMETER', `need 1..${MAX_ROOTS} old and new roots, as many of each`);
  if (h.queueEnd < h.queueStart) fail('INVALID_PARAMETER', 'queue range ends before it starts');
  const w = new Writer()
    .bytes(COMMITMENT_MAGIC)
    .u8(h.version)
    .u16(h.chainId)
    .u64(h.batchNumber)
    .bytes(h.prevCommitment)
    .u8(h.oldRoots.length);
  for (const r of h.oldRoots) w.word(r);
  for (const r of h.newRoots) w.word(r);
  return w
    .word(h.dataDigest)
    .word(h.withdrawalRoot)
    .u64(h.queueStart)
    .u64(h.queueEnd)
    .word(h.queueHashStart)
    .word(h.queueHashEnd)
    .word(h.snarkProofDigest)
    .word(h.starkProofDigest)
    .finish();
}

/** Reads a header from the front of `r` (the payload continues after it). */
export function readHeader(r: Reader): CommitmentHeader {
  const magic = r.bytes(4);
  if (!magic.every((b, i) => b === COMMITMENT_MAGIC[i])) fail('MALFORMED_HEADER', 'not a Keel commitment (bad magic)');
  const version = r.u8();
  if (version !== HEADER_VERSION) fail('MALFORMED_HEADER', `unknown commitment version ${version}`);
  const chainId = r.u16();
  const batchNumber = r.u64();
  const prevCommitment = new Uint8Array(r.bytes(32));
  const count = r.u8();
  if (count < 1 || count > MAX_ROOTS) fail('MALFORMED_HEADER', `root count ${count} is out of range`);
  const oldRoots = Array.from({ length: count }, () => r.word());
  const newRoots = Array.from({ length: count }, () => r.word());
  const h: CommitmentHeader = {
    version,
    chainId,
    batchNumber,
    prevCommitment,
    oldRoots,
    newRoots,
    dataDigest: r.word(),
    withdrawalRoot: r.word(),
    queueStart: r.u64(),
    queueEnd: r.u64(),
    queueHashStart: r.word(),
    queueHashEnd: r.word(),
    snarkProofDigest: r.word(),
    starkProofDigest: r.word(),
  };
  if (h.queueEnd < h.queueStart) fail('MALFORMED_HEADER', 'queue range ends before it starts');
  return h;
}

export function decodeHeader(bytes: Uint8Array): CommitmentHeader {
  const r = new Reader(bytes, 'commitment header', 'MALFORMED_HEADER');
  const h = readHeader(r);
  r.end();
  return h;
}

/** The id the next header links to: SHA-256 of the encoded header. */
export function commitmentId(h: CommitmentHeader): Uint8Array {
  return sha256(encodeHeader(h));
}

/** Digest of a proof as committed in the header; an absent proof is 0. */
export function proofDigest(proof: Uint8Array | undefined): bigint {
  if (!proof || proof.length === 0) return 0n;
  let r = 0n;
  for (const b of sha256(proof)) r = (r << 8n) | BigInt(b);
  return r;
}

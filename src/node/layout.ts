/**
 * Keys the node layer adds to the rollup's store (src/rollup/storage/layout.ts owns every other prefix):
 *
 *   'W' 'scan'   → u32 height ‖ block hash (32, RPC display order): the last Bitcoin block the L1 watcher took.
 *
 * The cursor is written in the same atomic batch as the last queue item of its block (or alone for a block without
 * deposits), so after a crash the queue and the cursor always agree.
 */
export const WATCHER_PREFIX = 0x57; // 'W'

export const watcherKeys = {
  scan: (): Uint8Array => Uint8Array.from([WATCHER_PREFIX, ...new TextEncoder().encode('scan')]),
};

export type ScanCursor = { height: number; hash: string };

export function encodeCursor(c: ScanCursor): Uint8Array {
  const out = new Uint8Array(36);
  new DataView(out.buffer).setUint32(0, c.height);
  out.set(Buffer.from(c.hash, 'hex'), 4);
  return out;
}

export function decodeCursor(b: Uint8Array): ScanCursor {
  return {
    height: new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0),
    hash: Buffer.from(b.subarray(4, 36)).toString('hex'),
  };
}

/**
 * Proofs and finality progress (src/node/proofs.ts), in the same store so a restart keeps `proven`:
 *
 *   'P' u64 batch ‖ u8 system   → u64 verified-at ms ‖ u64 the batch's last L2 block ‖
 *                                 u8 public-input length ‖ public input (big-endian) ‖ proof bytes:
 *                                 a proof result that verified against the batch (system 0 = snark, 1 = stark).
 *   'F' u64 batch               → u8 anchor stage (1 posted, 2 anchored, 3 final) ‖ optional L1 txid (32, RPC
 *                                 display order): the last anchor update the node took for the batch.
 *
 * A proof is written before it counts towards finality, so a proof the node reported as verified is never lost.
 */
export const PROOF_PREFIX = 0x50; // 'P'
export const FINALITY_PREFIX = 0x46; // 'F'

export const PROOF_SYSTEMS = ['snark', 'stark'] as const;
export type ProofSystem = (typeof PROOF_SYSTEMS)[number];

function u64(v: number): number[] {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v >>> 0;
  return [
    hi >>> 24,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    lo >>> 24,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  ];
}

function readU64(b: Uint8Array, at: number): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4);
}

export const proofKeys = {
  proof: (batch: number, system: ProofSystem): Uint8Array =>
    Uint8Array.from([PROOF_PREFIX, ...u64(batch), PROOF_SYSTEMS.indexOf(system)]),
  finality: (batch: number): Uint8Array => Uint8Array.from([FINALITY_PREFIX, ...u64(batch)]),
  batchOfKey: (key: Uint8Array): number => readU64(key, 1),
  systemOfKey: (key: Uint8Array): ProofSystem | undefined => PROOF_SYSTEMS[key[9] ?? 255],
};

/** A proof the node verified and keeps. */
export type StoredProofRecord = { verifiedAt: number; lastBlock: number; publicInput: bigint; proof: Uint8Array };

export function encodeProofRecord(r: StoredProofRecord): Uint8Array {
  let hex = r.publicInput.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const pi = r.publicInput === 0n ? new Uint8Array(0) : Uint8Array.from(Buffer.from(hex, 'hex'));
  const out = new Uint8Array(17 + pi.length + r.proof.length);
  out.set(u64(r.verifiedAt), 0);
  out.set(u64(r.lastBlock), 8);
  out[16] = pi.length;
  out.set(pi, 17);
  out.set(r.proof, 17 + pi.length);
  return out;
}

export function decodeProofRecord(b: Uint8Array): StoredProofRecord {
  if (b.length < 17 || b.length < 17 + b[16]!) throw new RangeError('truncated proof record');
  const piLength = b[16]!;
  const pi = b.subarray(17, 17 + piLength);
  return {
    verifiedAt: readU64(b, 0),
    lastBlock: readU64(b, 8),
    publicInput: piLength === 0 ? 0n : BigInt('0x' + Buffer.from(pi).toString('hex')),
    proof: Uint8Array.from(b.subarray(17 + piLength)),
  };
}

const STAGES = ['posted', 'anchored', 'final'] as const;
export type AnchorStage = (typeof STAGES)[number];

export function encodeAnchorStage(stage: AnchorStage, l1Txid?: string): Uint8Array {
  const out = new Uint8Array(l1Txid ? 33 : 1);
  out[0] = STAGES.indexOf(stage) + 1;
  if (l1Txid) out.set(Buffer.from(l1Txid, 'hex'), 1);
  return out;
}

export function decodeAnchorStage(b: Uint8Array): { stage: AnchorStage; l1Txid?: string } | undefined {
  const stage = STAGES[(b[0] ?? 0) - 1];
  if (!stage) return undefined;
  return b.length >= 33 ? { stage, l1Txid: Buffer.from(b.subarray(1, 33)).toString('hex') } : { stage };
}

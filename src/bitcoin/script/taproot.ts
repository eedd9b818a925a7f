import { sha256 } from '@noble/hashes/sha2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { ByteWriter } from '../tx/bytes.ts';

const N = secp256k1.Point.CURVE().n;
export const TAPROOT_LEAF_MASK = 0xfe;
export const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
export const TAPROOT_CONTROL_BASE_SIZE = 33;
export const TAPROOT_CONTROL_NODE_SIZE = 32;
export const TAPROOT_CONTROL_MAX_NODE_COUNT = 128;
export const ANNEX_TAG = 0x50;

/** BIP340 tagged hash with the tag prefix hashed once and cloned per use. */
export function taggedHasher(tag: string): (...parts: Uint8Array[]) => Uint8Array {
  const tagHash = sha256(new TextEncoder().encode(tag));
  const prefix = sha256.create().update(tagHash).update(tagHash);
  return (...parts) => {
    const h = prefix.clone();
    for (const p of parts) h.update(p);
    return h.digest();
  };
}

export const tapLeafHasher = taggedHasher('TapLeaf');
export const tapBranchHasher = taggedHasher('TapBranch');
export const tapTweakHasher = taggedHasher('TapTweak');

/** BIP341 leaf hash: TapLeaf(leafVersion || compactSize(script) || script). */
export function tapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  const w = new ByteWriter(script.length + 6);
  w.u8(leafVersion);
  w.varBytes(script);
  return tapLeafHasher(w.finish());
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? tapBranchHasher(a, b) : tapBranchHasher(b, a);
}

/** The Merkle root a control block's path yields for `leafHash`. */
export function controlBlockRoot(control: Uint8Array, leafHash: Uint8Array): Uint8Array {
  let k = leafHash;
  for (let off = TAPROOT_CONTROL_BASE_SIZE; off < control.length; off += TAPROOT_CONTROL_NODE_SIZE)
    k = tapBranchHash(k, control.subarray(off, off + TAPROOT_CONTROL_NODE_SIZE));
  return k;
}

/**
 * BIP341 output-key check: Q = P + H_TapTweak(P || root)·G must have x = `program` and the parity in the control
 * block's low bit. Any invalid point or tweak makes it false.
 */
export function verifyTaprootCommitment(control: Uint8Array, program: Uint8Array, leafHash: Uint8Array): boolean {
  const root = controlBlockRoot(control, leafHash);
  const internal = control.subarray(1, 33);
  try {
    const t = bytesToBigInt(tapTweakHasher(internal, root));
    if (t >= N) return false;
    const P = schnorr.utils.lift_x(bytesToBigInt(internal));
    // The tweak is public, so the faster variable-time multiplication is safe here.
    const Q = t === 0n ? P : P.add(secp256k1.Point.BASE.multiplyUnsafe(t));
    if (Q.is0()) return false;
    const { x, y } = Q.toAffine();
    if (Number(y & 1n) !== (control[0] & 1)) return false;
    return x === bytesToBigInt(program);
  } catch {
    return false;
  }
}

function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

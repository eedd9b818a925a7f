/**
 * Binary SHA-256 Merkle trees over fixed-size leaves. Nodes live in one flat byte array (node i at
 * 32·i, root at 1, leaves at n…2n−1), so two siblings are adjacent and a parent is the hash of one
 * 64-byte slice with no copying. Leaf payloads all have the same length for a given tree, so leaves
 * and inner nodes cannot be confused.
 */
import { StarkError } from './errors.ts';
import { DIGEST_BYTES, bytesEqual, sha256 } from './hash.ts';
import * as nttModule from './ntt.ts';
// Local bindings: the loader compiles imported bindings to getters, which cost a call per use in hot loops.
const { log2Exact } = nttModule;

export class MerkleTree {
  readonly leafCount: number;
  readonly depth: number;
  private readonly nodes: Uint8Array;

  /** `leafDigests` holds leafCount·32 bytes, the hashes of the leaf payloads in order. */
  constructor(leafDigests: Uint8Array) {
    const n = leafDigests.length / DIGEST_BYTES;
    this.depth = log2Exact(n);
    this.leafCount = n;
    this.nodes = new Uint8Array(2 * n * DIGEST_BYTES);
    this.nodes.set(leafDigests, n * DIGEST_BYTES);
    for (let i = n - 1; i >= 1; i--) {
      const children = this.nodes.subarray(2 * i * DIGEST_BYTES, (2 * i + 2) * DIGEST_BYTES);
      this.nodes.set(sha256(children), i * DIGEST_BYTES);
    }
  }

  root(): Uint8Array {
    if (this.leafCount === 1) return this.nodes.slice(DIGEST_BYTES, 2 * DIGEST_BYTES);
    return this.nodes.slice(DIGEST_BYTES, 2 * DIGEST_BYTES);
  }

  /** Sibling hashes from the leaf up to (not including) the root, concatenated: depth·32 bytes. */
  open(index: number): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.leafCount) {
      throw new StarkError('INVALID_ARGUMENT', `Merkle leaf index ${index} out of range`);
    }
    const path = new Uint8Array(this.depth * DIGEST_BYTES);
    let node = this.leafCount + index;
    for (let level = 0; level < this.depth; level++) {
      const sibling = node ^ 1;
      path.set(this.nodes.subarray(sibling * DIGEST_BYTES, (sibling + 1) * DIGEST_BYTES), level * DIGEST_BYTES);
      node >>>= 1;
    }
    return path;
  }
}

/** Hashes each `leafBytes`-sized chunk of a contiguous buffer. */
export function hashLeaves(data: Uint8Array, leafBytes: number): Uint8Array {
  const n = data.length / leafBytes;
  const out = new Uint8Array(n * DIGEST_BYTES);
  for (let i = 0; i < n; i++) out.set(sha256(data.subarray(i * leafBytes, (i + 1) * leafBytes)), i * DIGEST_BYTES);
  return out;
}

/** Checks that `leafDigest` sits at `index` in a tree of 2^depth leaves with the given root. */
export function verifyMerklePath(
  root: Uint8Array,
  depth: number,
  index: number,
  leafDigest: Uint8Array,
  path: Uint8Array,
): boolean {
  if (path.length !== depth * DIGEST_BYTES || index < 0 || index >= 2 ** depth) return false;
  const buf = new Uint8Array(2 * DIGEST_BYTES);
  let current = leafDigest;
  let node = index;
  for (let level = 0; level < depth; level++) {
    const sibling = path.subarray(level * DIGEST_BYTES, (level + 1) * DIGEST_BYTES);
    if (node & 1) {
      buf.set(sibling, 0);
      buf.set(current, DIGEST_BYTES);
    } else {
      buf.set(current, 0);
      buf.set(sibling, DIGEST_BYTES);
    }
    current = sha256(buf);
    node >>>= 1;
  }
  return bytesEqual(current, root);
}

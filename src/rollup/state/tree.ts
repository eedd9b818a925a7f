import { fail } from '../errors.ts';
import { EMPTY_ACCOUNT } from './account.ts';
import type { TreeHasher } from './hasher.ts';

/** Key of node (level, index) in the node map: level 0 is the leaves, level `depth` the root. */
export function nodeKey(level: number, index: number): number {
  return level * 2 ** 32 + index;
}

export type NodeChange = { level: number; index: number; value: bigint };

/**
 * A sparse binary Merkle tree of fixed depth. Only non-default nodes are stored. Leaves are updated in bulk
 * (`update`), so every dirty inner node is hashed once per block however many leaves below it changed.
 */
export class SparseMerkleTree {
  readonly depth: number;
  readonly hasher: TreeHasher;
  /** zeros[k] = root of an empty subtree of height k. */
  readonly zeros: bigint[];
  private readonly nodes = new Map<number, bigint>();

  constructor(depth: number, hasher: TreeHasher) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) fail('INVALID_PARAMETER', 'tree depth must be 1..32');
    this.depth = depth;
    this.hasher = hasher;
    this.zeros = [hasher.leaf(EMPTY_ACCOUNT)];
    for (let k = 0; k < depth; k++) this.zeros.push(hasher.node(this.zeros[k]!, this.zeros[k]!));
  }

  get root(): bigint {
    return this.get(this.depth, 0);
  }

  get(level: number, index: number): bigint {
    return this.nodes.get(nodeKey(level, index)) ?? this.zeros[level]!;
  }

  /** Loads a stored node without rehashing (restart). */
  load(level: number, index: number, value: bigint): void {
    this.nodes.set(nodeKey(level, index), value);
  }

  /** Sets leaf digests and rehashes every affected inner node once. Returns all changed nodes (for storage). */
  update(leaves: ReadonlyMap<number, bigint>): NodeChange[] {
    const changes: NodeChange[] = [];
    let dirty = new Set<number>();
    for (const [index, value] of leaves) {
      if (index < 0 || index >= 2 ** this.depth) fail('INVALID_PARAMETER', `leaf index ${index} outside the tree`);
      this.set(0, index, value);
      changes.push({ level: 0, index, value });
      dirty.add(index >>> 1);
    }
    for (let level = 1; level <= this.depth; level++) {
      const next = new Set<number>();
      for (const index of dirty) {
        const value = this.hasher.node(this.get(level - 1, 2 * index), this.get(level - 1, 2 * index + 1));
        this.set(level, index, value);
        changes.push({ level, index, value });
        next.add(index >>> 1);
      }
      dirty = next;
    }
    return changes;
  }

  /** Sibling digests from the leaf up, for witnesses and proofs. */
  proof(index: number): bigint[] {
    const siblings: bigint[] = [];
    let i = index;
    for (let level = 0; level < this.depth; level++) {
      siblings.push(this.get(level, i ^ 1));
      i = Math.floor(i / 2);
    }
    return siblings;
  }

  /** Root implied by a leaf and its siblings (verification of `proof`). */
  static rootFrom(hasher: TreeHasher, index: number, leaf: bigint, siblings: readonly bigint[]): bigint {
    let h = leaf;
    let i = index;
    for (const s of siblings) {
      h = i % 2 === 0 ? hasher.node(h, s) : hasher.node(s, h);
      i = Math.floor(i / 2);
    }
    return h;
  }

  private set(level: number, index: number, value: bigint): void {
    if (value === this.zeros[level]) this.nodes.delete(nodeKey(level, index));
    else this.nodes.set(nodeKey(level, index), value);
  }
}

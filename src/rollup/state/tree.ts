import { fail } from '../errors.ts';
import { EMPTY_ACCOUNT } from './account.ts';
import type { TreeHasher } from './hasher.ts';

/** Key of node (level, index) in the node map: level 0 is the leaves, level `levels` the root. */
export function nodeKey(level: number, index: number): number {
  return level * 2 ** 32 + index;
}

export type NodeChange = { level: number; index: number; value: bigint };

/**
 * A sparse Merkle tree of fixed depth whose inner nodes have `hasher.arity` children (2 or 4). `depth` is in bits
 * (capacity 2^depth leaves), so a 4-ary tree of depth 24 has 12 levels. Only non-default nodes are stored. Leaves are
 * updated in bulk (`update`), so every dirty inner node is hashed once per block however many leaves below it changed.
 */
export class SparseMerkleTree {
  readonly depth: number;
  /** Levels of inner nodes: depth / log2(arity). */
  readonly levels: number;
  readonly arity: number;
  readonly hasher: TreeHasher;
  /** zeros[k] = root of an empty subtree of height k (in levels). */
  readonly zeros: bigint[];
  private readonly nodes = new Map<number, bigint>();

  constructor(depth: number, hasher: TreeHasher) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) fail('INVALID_PARAMETER', 'tree depth must be 1..32');
    const bitsPerLevel = Math.log2(hasher.arity);
    if (depth % bitsPerLevel !== 0)
      fail('INVALID_PARAMETER', `tree depth ${depth} is not a multiple of ${bitsPerLevel} (arity ${hasher.arity})`);
    this.depth = depth;
    this.levels = depth / bitsPerLevel;
    this.arity = hasher.arity;
    this.hasher = hasher;
    this.zeros = [hasher.leaf(EMPTY_ACCOUNT)];
    for (let k = 0; k < this.levels; k++)
      this.zeros.push(hasher.node(new Array<bigint>(this.arity).fill(this.zeros[k]!)));
  }

  get root(): bigint {
    return this.get(this.levels, 0);
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
    const arity = this.arity;
    let dirty = new Set<number>();
    for (const [index, value] of leaves) {
      if (index < 0 || index >= 2 ** this.depth) fail('INVALID_PARAMETER', `leaf index ${index} outside the tree`);
      this.set(0, index, value);
      changes.push({ level: 0, index, value });
      dirty.add(Math.floor(index / arity));
    }
    for (let level = 1; level <= this.levels; level++) {
      const next = new Set<number>();
      for (const index of dirty) {
        const value = this.hasher.node(this.children(level - 1, index));
        this.set(level, index, value);
        changes.push({ level, index, value });
        next.add(Math.floor(index / arity));
      }
      dirty = next;
    }
    return changes;
  }

  /**
   * Sibling digests from the leaf up, for witnesses and proofs: per level the `arity − 1` other children of the
   * node on the path, left to right.
   */
  proof(index: number): bigint[] {
    const siblings: bigint[] = [];
    let i = index;
    for (let level = 0; level < this.levels; level++) {
      const first = i - (i % this.arity);
      for (let c = first; c < first + this.arity; c++) if (c !== i) siblings.push(this.get(level, c));
      i = Math.floor(i / this.arity);
    }
    return siblings;
  }

  /** Root implied by a leaf and its siblings (verification of `proof`). */
  static rootFrom(hasher: TreeHasher, index: number, leaf: bigint, siblings: readonly bigint[]): bigint {
    const others = hasher.arity - 1;
    if (siblings.length % others !== 0) fail('INVALID_PARAMETER', 'sibling count does not match the arity');
    let h = leaf;
    let i = index;
    for (let at = 0; at < siblings.length; at += others) {
      const position = i % hasher.arity;
      const children = siblings.slice(at, at + others);
      children.splice(position, 0, h);
      h = hasher.node(children);
      i = Math.floor(i / hasher.arity);
    }
    return h;
  }

  private children(level: number, parent: number): bigint[] {
    const out: bigint[] = [];
    for (let c = parent * this.arity; c < (parent + 1) * this.arity; c++) out.push(this.get(level, c));
    return out;
  }

  private set(level: number, index: number, value: bigint): void {
    if (value === this.zeros[level]) this.nodes.delete(nodeKey(level, index));
    else this.nodes.set(nodeKey(level, index), value);
  }
}

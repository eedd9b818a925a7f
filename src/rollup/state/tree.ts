import { fail } from '../errors.ts';
import { EMPTY_ACCOUNT } from './account.ts';
import { hashNodes } from './hasher.ts';
import type { TreeHasher } from './hasher.ts';

export type NodeChange = { level: number; index: number; value: bigint };

/**
 * A sparse Merkle tree of fixed depth whose inner nodes have `hasher.arity` children (2 or 4). `depth` is in bits
 * (capacity 2^depth leaves), so a 4-ary tree of depth 24 has 12 levels. Only non-default nodes are stored. Leaves are
 * updated in bulk (`update`), so every dirty inner node is hashed once per block however many leaves below it changed,
 * and each level's digests are asked for in one batch (which a batch hasher or a worker can serve).
 */
export class SparseMerkleTree {
  readonly depth: number;
  /** Levels of inner nodes: depth / log2(arity). */
  readonly levels: number;
  readonly arity: number;
  readonly hasher: TreeHasher;
  /** zeros[k] = root of an empty subtree of height k (in levels). */
  readonly zeros: bigint[];
  /** Non-default nodes, one map per level (level 0 = leaves), keyed by index within the level. */
  private readonly nodes: Map<number, bigint>[];
  /** Counts changes, so a copy of the tree kept elsewhere (a hashing worker's) can tell whether it is current. */
  private changeCount = 0;

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
    this.nodes = Array.from({ length: this.levels + 1 }, () => new Map<number, bigint>());
  }

  get root(): bigint {
    return this.get(this.levels, 0);
  }

  get(level: number, index: number): bigint {
    return this.nodes[level]!.get(index) ?? this.zeros[level]!;
  }

  get version(): number {
    return this.changeCount;
  }

  /** The non-default nodes of one level. */
  entries(level: number): IterableIterator<[number, bigint]> {
    return this.nodes[level]!.entries();
  }

  /** Loads a stored node without rehashing (restart). */
  load(level: number, index: number, value: bigint): void {
    if (!Number.isInteger(level) || level < 0 || level > this.levels)
      fail('STORAGE', `stored tree node at level ${level}, the tree has ${this.levels}`);
    this.set(level, index, value);
  }

  /**
   * Sets leaf digests and rehashes every affected inner node once, up to level `top` (the root by default; a
   * hashing worker's copy of a subtree stops below the root). Returns all changed nodes (for storage).
   */
  update(leaves: ReadonlyMap<number, bigint>, top = this.levels): NodeChange[] {
    this.checkIndices(leaves.keys());
    const changes: NodeChange[] = [];
    for (const [index, value] of leaves) changes.push({ level: 0, index, value });
    return this.rehashFrom(0, leaves, changes, top);
  }

  /**
   * Completes an update whose nodes up to `level` were computed elsewhere (`changes`, with `atLevel` holding those
   * of `level` itself): hashes the levels above and stores everything.
   */
  completeUpdate(level: number, changes: NodeChange[], atLevel: ReadonlyMap<number, bigint>): NodeChange[] {
    return this.rehashFrom(level, atLevel, changes, this.levels);
  }

  /** Fails (changing nothing) if an index is outside the tree. */
  checkIndices(indices: Iterable<number>): void {
    const capacity = 2 ** this.depth;
    for (const index of indices)
      if (!Number.isInteger(index) || index < 0 || index >= capacity)
        fail('INVALID_PARAMETER', `leaf index ${index} outside the tree`);
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

  /**
   * The update, level by level from `from` (whose changed nodes are `below`) up to `top`: every dirty node's
   * children are hashed in one batch per level. Nothing is stored until the last level is known, so the tree
   * reads as before until the update completes.
   */
  private rehashFrom(
    from: number,
    below: ReadonlyMap<number, bigint>,
    changes: NodeChange[],
    top: number,
  ): NodeChange[] {
    for (let level = from + 1; level <= top; level++) {
      const parents = new Set<number>();
      for (const index of below.keys()) parents.add(Math.floor(index / this.arity));
      const inputs: bigint[][] = [];
      for (const parent of parents) {
        const children: bigint[] = [];
        for (let c = parent * this.arity; c < (parent + 1) * this.arity; c++)
          children.push(below.get(c) ?? this.get(level - 1, c));
        inputs.push(children);
      }
      const digests = hashNodes(this.hasher, inputs);
      const next = new Map<number, bigint>();
      let k = 0;
      for (const parent of parents) {
        const value = digests[k++]!;
        next.set(parent, value);
        changes.push({ level, index: parent, value });
      }
      below = next;
    }
    for (const c of changes) this.set(c.level, c.index, c.value);
    return changes;
  }

  private set(level: number, index: number, value: bigint): void {
    this.changeCount++;
    if (value === this.zeros[level]) this.nodes[level]!.delete(index);
    else this.nodes[level]!.set(index, value);
  }
}

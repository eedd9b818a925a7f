// The state tree as the circuit sees it (docs/protocol.md §3), kept by the prover: leaves, siblings and roots. It is
// the circuit's twin, written independently of the rollup's tree so the two can be checked against each other.
import { poseidon } from './protocol.ts';
import type { Account } from './protocol.ts';
import { WitnessError } from './errors.ts';

const TWO64 = 1n << 64n;

export interface TreeAccount {
  ax: bigint;
  ay: bigint;
  balance: bigint;
  nonce: bigint;
}

export const EMPTY: Readonly<TreeAccount> = Object.freeze({ ax: 0n, ay: 0n, balance: 0n, nonce: 0n });

export function accountLeaf(a: TreeAccount): bigint {
  return poseidon([a.ax, a.ay, a.balance + TWO64 * a.nonce]);
}

export function fromRollupAccount(a: Readonly<Account>): TreeAccount {
  return { ax: a.ax, ay: a.ay, balance: a.balance, nonce: BigInt(a.nonce) };
}

export function isEmpty(a: TreeAccount): boolean {
  return a.ax === 0n && a.ay === 0n;
}

/** Children per inner node of the BN254 state tree (docs/protocol.md §3); each level consumes two index bits. */
export const ARITY = 4;
/** Siblings per level: the other three children, left to right. */
export const SIBLINGS_PER_LEVEL = ARITY - 1;

/** Levels of a tree of `depth` index bits. */
export function treeLevels(depth: number): number {
  return depth / 2;
}

/** The node's children with `node` placed at `position` (0..3) among the three `others`, left to right. */
export function placeAmong(node: bigint, position: number, others: readonly bigint[]): bigint[] {
  const children = others.slice(0, position);
  children.push(node);
  for (let c = position; c < SIBLINGS_PER_LEVEL; c++) children.push(others[c]!);
  return children;
}

/**
 * Root from a leaf and its siblings (three per level, leaf level first), index bits 2k and 2k+1 giving the position
 * among the four children at level k.
 */
export function merkleRoot(leaf: bigint, index: number, siblings: readonly bigint[]): bigint {
  if (siblings.length % SIBLINGS_PER_LEVEL !== 0)
    throw new WitnessError(`${siblings.length} siblings is not ${SIBLINGS_PER_LEVEL} per level`);
  let node = leaf;
  let i = index;
  for (let at = 0; at < siblings.length; at += SIBLINGS_PER_LEVEL) {
    node = poseidon(placeAmong(node, i % ARITY, siblings.slice(at, at + SIBLINGS_PER_LEVEL)));
    i = Math.floor(i / ARITY);
  }
  return node;
}

export class StateTree {
  /** Index bits (the tree holds 2^depth accounts); even, as every level takes two. */
  readonly depth: number;
  readonly levels: number;
  /** zeros[k]: root of an empty subtree of height k levels. */
  readonly zeros: bigint[];
  private readonly accounts = new Map<number, TreeAccount>();
  private readonly nodes = new Map<string, bigint>();

  constructor(depth: number, accounts: Iterable<readonly [number, TreeAccount]> = []) {
    if (!Number.isInteger(depth) || depth < 2 || depth > 32 || depth % 2 !== 0)
      throw new WitnessError(`Tree depth ${depth} is not an even number in 2..32 (the tree is 4-ary)`);
    this.depth = depth;
    this.levels = treeLevels(depth);
    this.zeros = [accountLeaf(EMPTY)];
    for (let k = 0; k < this.levels; k++) this.zeros.push(poseidon(new Array<bigint>(ARITY).fill(this.zeros[k]!)));
    for (const [index, account] of accounts) this.set(index, account);
  }

  get root(): bigint {
    return this.node(this.levels, 0);
  }

  get(index: number): TreeAccount {
    this.checkIndex(index);
    return { ...(this.accounts.get(index) ?? EMPTY) };
  }

  /** The circuit's sibling input for `index`: per level the three other children, left to right, flattened. */
  siblings(index: number): bigint[] {
    this.checkIndex(index);
    const out: bigint[] = [];
    let i = index;
    for (let level = 0; level < this.levels; level++) {
      out.push(...this.others(level, i));
      i = Math.floor(i / ARITY);
    }
    return out;
  }

  set(index: number, account: TreeAccount): void {
    this.checkIndex(index);
    this.accounts.set(index, { ...account });
    let node = accountLeaf(account);
    let i = index;
    this.store(0, i, node);
    for (let level = 0; level < this.levels; level++) {
      node = poseidon(placeAmong(node, i % ARITY, this.others(level, i)));
      i = Math.floor(i / ARITY);
      this.store(level + 1, i, node);
    }
  }

  entries(): Array<[number, TreeAccount]> {
    return [...this.accounts].map(([i, a]) => [i, { ...a }]);
  }

  clone(): StateTree {
    const copy = new StateTree(this.depth);
    for (const [k, v] of this.nodes) copy.nodes.set(k, v);
    for (const [i, a] of this.accounts) copy.accounts.set(i, { ...a });
    return copy;
  }

  /** The three other children of the node holding (level, index). */
  private others(level: number, index: number): bigint[] {
    const first = index - (index % ARITY);
    const out: bigint[] = [];
    for (let c = first; c < first + ARITY; c++) if (c !== index) out.push(this.node(level, c));
    return out;
  }

  private node(level: number, index: number): bigint {
    return this.nodes.get(`${level}:${index}`) ?? this.zeros[level]!;
  }

  private store(level: number, index: number, value: bigint): void {
    if (value === this.zeros[level]) this.nodes.delete(`${level}:${index}`);
    else this.nodes.set(`${level}:${index}`, value);
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) {
      throw new WitnessError(`Account index ${index} is outside the tree of depth ${this.depth}`);
    }
  }
}

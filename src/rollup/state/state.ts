import { fail } from '../errors.ts';
import { EMPTY_ACCOUNT, isEmptyAccount } from './account.ts';
import type { Account } from './account.ts';
import { poseidonBn254Hasher } from './hasher.ts';
import type { TreeHasher } from './hasher.ts';
import { SparseMerkleTree } from './tree.ts';
import type { NodeChange } from './tree.ts';

export type AccountReader = { getAccount(index: number): Readonly<Account> };

export type StateCommit = {
  /** One root per hasher, in hasher order. */
  roots: bigint[];
  accounts: Map<number, Account>;
  nodes: NodeChange[][];
};

/**
 * The account table and its trees. Writes go through an `Overlay` (one per block under construction), so a
 * rejected transaction leaves nothing behind and the trees are rehashed once per block in `commit`.
 */
export class State implements AccountReader {
  readonly depth: number;
  readonly trees: SparseMerkleTree[];
  private readonly accounts = new Map<number, Account>();
  /** Lowest index per key, so deposits reuse an account (protocol §3). */
  private readonly byKey = new Map<string, number>();
  private nextFree = 0;

  constructor(depth: number, hashers: readonly TreeHasher[] = [poseidonBn254Hasher]) {
    if (hashers.length === 0) fail('INVALID_PARAMETER', 'the state needs at least one tree hasher');
    this.depth = depth;
    this.trees = hashers.map((h) => new SparseMerkleTree(depth, h));
  }

  get capacity(): number {
    return 2 ** this.depth;
  }

  get roots(): bigint[] {
    return this.trees.map((t) => t.root);
  }

  get accountCount(): number {
    return this.accounts.size;
  }

  getAccount(index: number): Readonly<Account> {
    return this.accounts.get(index) ?? EMPTY_ACCOUNT;
  }

  indexOfKey(ax: bigint, ay: bigint): number | undefined {
    return this.byKey.get(keyId(ax, ay));
  }

  /** Lowest never-used index (deposits to a new key go there). */
  get nextFreeIndex(): number {
    return this.nextFree;
  }

  /** Restores accounts without rehashing (the stored tree nodes are loaded separately). */
  loadAccount(index: number, account: Account): void {
    this.setAccount(index, account);
  }

  /** Applies account changes, rehashes all trees once, returns what storage must persist. */
  commit(changes: ReadonlyMap<number, Account>): StateCommit {
    const nodes: NodeChange[][] = [];
    for (const tree of this.trees) {
      const leaves = new Map<number, bigint>();
      for (const [index, account] of changes) leaves.set(index, tree.hasher.leaf(account));
      nodes.push(tree.update(leaves));
    }
    for (const [index, account] of changes) this.setAccount(index, account);
    return { roots: this.roots, accounts: new Map(changes), nodes };
  }

  *entries(): IterableIterator<[number, Readonly<Account>]> {
    yield* this.accounts;
  }

  private setAccount(index: number, account: Account): void {
    this.accounts.set(index, { ...account });
    if (!isEmptyAccount(account)) {
      const id = keyId(account.ax, account.ay);
      const known = this.byKey.get(id);
      if (known === undefined || index < known) this.byKey.set(id, index);
    }
    if (index >= this.nextFree) this.nextFree = index + 1;
  }
}

function keyId(ax: bigint, ay: bigint): string {
  return ax.toString(16) + ':' + ay.toString(16);
}

/** Copy-on-write view of the state for one block. */
export class Overlay implements AccountReader {
  readonly changes = new Map<number, Account>();
  private readonly newKeys = new Map<string, number>();
  private nextFree: number;

  constructor(readonly base: State) {
    this.nextFree = base.nextFreeIndex;
  }

  getAccount(index: number): Readonly<Account> {
    return this.changes.get(index) ?? this.base.getAccount(index);
  }

  setAccount(index: number, account: Account): void {
    if (!isEmptyAccount(account) && isEmptyAccount(this.getAccount(index))) {
      const id = keyId(account.ax, account.ay);
      if (!this.newKeys.has(id)) this.newKeys.set(id, index);
      if (index >= this.nextFree) this.nextFree = index + 1;
    }
    this.changes.set(index, account);
  }

  depositIndex(ax: bigint, ay: bigint): number {
    const existing = this.base.indexOfKey(ax, ay) ?? this.newKeys.get(keyId(ax, ay));
    if (existing !== undefined) return existing;
    if (this.nextFree >= this.base.capacity) fail('TREE_FULL', 'the account tree is full');
    return this.nextFree;
  }
}

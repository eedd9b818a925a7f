import { fail } from '../errors.ts';
import { EMPTY_ACCOUNT, isEmptyAccount } from './account.ts';
import type { Account } from './account.ts';
import { hashLeaves, poseidonBn254Hasher } from './hasher.ts';
import type { TreeHasher } from './hasher.ts';
import { SparseMerkleTree } from './tree.ts';
import type { NodeChange } from './tree.ts';

/** Hashing of one tree (the one whose hasher has this id) done elsewhere, e.g. on worker threads. */
export type OffloadedHashing = {
  readonly id: string;
  /**
   * Hashes the tree's update for these changed accounts, stores it in the tree and returns the changed nodes;
   * undefined if it could not (the caller then hashes the update itself).
   */
  update(
    tree: SparseMerkleTree,
    indices: readonly number[],
    accounts: readonly Account[],
  ): Promise<NodeChange[] | undefined>;
};

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
    this.applyAccounts(changes);
    const indices = [...changes.keys()];
    const accounts = [...changes.values()];
    const nodes = this.trees.map((tree) => tree.update(leafMap(indices, hashLeaves(tree.hasher, accounts))));
    return { roots: this.roots, accounts: new Map(changes), nodes };
  }

  /**
   * `commit` with the tree of `offload.id` hashed by `offload`. The accounts change at once (before this returns
   * its promise), so reads and checks made while the trees are hashed already see the new balances and nonces; the
   * trees and roots change when the promise resolves. Callers must not commit again before it has.
   */
  commitAsync(changes: ReadonlyMap<number, Account>, offload: OffloadedHashing): Promise<StateCommit> {
    this.applyAccounts(changes);
    return this.rehash(changes, offload);
  }

  private async rehash(changes: ReadonlyMap<number, Account>, offload: OffloadedHashing): Promise<StateCommit> {
    const indices = [...changes.keys()];
    const accounts = [...changes.values()];
    // The offloaded tree is sent first; the others are hashed here while the workers answer (a message, which comes
    // after these microtasks). If the offload cannot, its tree is hashed here too.
    const offloaded = this.trees.map((tree) =>
      tree.hasher.id === offload.id ? offload.update(tree, indices, accounts) : undefined,
    );
    const nodes = await Promise.all(
      this.trees.map(
        async (tree, t) => (await offloaded[t]) ?? tree.update(leafMap(indices, hashLeaves(tree.hasher, accounts))),
      ),
    );
    return { roots: this.roots, accounts: new Map(changes), nodes };
  }

  /** Index checks for every tree first, so a bad index changes nothing. */
  private applyAccounts(changes: ReadonlyMap<number, Account>): void {
    for (const tree of this.trees) tree.checkIndices(changes.keys());
    for (const [index, account] of changes) this.setAccount(index, account);
  }

  *entries(): IterableIterator<[number, Readonly<Account>]> {
    yield* this.accounts;
  }

  private setAccount(index: number, account: Account): void {
    const before = this.accounts.get(index);
    this.accounts.set(index, { ...account });
    // Most changes are balances and nonces: the key index only needs a look when the key is new here.
    if (!isEmptyAccount(account) && (before === undefined || before.ax !== account.ax || before.ay !== account.ay)) {
      const id = keyId(account.ax, account.ay);
      const known = this.byKey.get(id);
      if (known === undefined || index < known) this.byKey.set(id, index);
    }
    if (index >= this.nextFree) this.nextFree = index + 1;
  }
}

function leafMap(indices: readonly number[], digests: readonly bigint[]): Map<number, bigint> {
  if (digests.length !== indices.length)
    fail('INVALID_PARAMETER', `${digests.length} leaf digests for ${indices.length}`);
  return new Map(indices.map((index, k) => [index, digests[k]!]));
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

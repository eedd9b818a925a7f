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

/** Root from a leaf and its siblings, bit k of the index choosing the side at level k. */
export function merkleRoot(leaf: bigint, index: number, siblings: readonly bigint[]): bigint {
  let node = leaf;
  let i = index;
  for (const sibling of siblings) {
    node = i % 2 === 0 ? poseidon([node, sibling]) : poseidon([sibling, node]);
    i = Math.floor(i / 2);
  }
  return node;
}

export class StateTree {
  readonly depth: number;
  /** zeros[k]: root of an empty subtree of height k. */
  readonly zeros: bigint[];
  private readonly accounts = new Map<number, TreeAccount>();
  private readonly nodes = new Map<string, bigint>();

  constructor(depth: number, accounts: Iterable<readonly [number, TreeAccount]> = []) {
    if (!Number.isInteger(depth) || depth < 2 || depth > 32)
      throw new WitnessError(`Tree depth ${depth} is not in 2..32`);
    this.depth = depth;
    this.zeros = [accountLeaf(EMPTY)];
    for (let k = 0; k < depth; k++) this.zeros.push(poseidon([this.zeros[k]!, this.zeros[k]!]));
    for (const [index, account] of accounts) this.set(index, account);
  }

  get root(): bigint {
    return this.node(this.depth, 0);
  }

  get(index: number): TreeAccount {
    this.checkIndex(index);
    return { ...(this.accounts.get(index) ?? EMPTY) };
  }

  siblings(index: number): bigint[] {
    this.checkIndex(index);
    const out: bigint[] = [];
    let i = index;
    for (let level = 0; level < this.depth; level++) {
      out.push(this.node(level, i ^ 1));
      i = Math.floor(i / 2);
    }
    return out;
  }

  set(index: number, account: TreeAccount): void {
    this.checkIndex(index);
    this.accounts.set(index, { ...account });
    let node = accountLeaf(account);
    let i = index;
    this.store(0, i, node);
    for (let level = 0; level < this.depth; level++) {
      const sibling = this.node(level, i ^ 1);
      node = i % 2 === 0 ? poseidon([node, sibling]) : poseidon([sibling, node]);
      i = Math.floor(i / 2);
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

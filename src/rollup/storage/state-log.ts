import { bigToBytesBE, bytesToBigBE, writeBigBE } from '../crypto/field.ts';
import { fail } from '../errors.ts';
import { decodeAccount, encodeAccount } from '../state/account.ts';
import type { Account } from '../state/account.ts';
import type { State, StateCommit } from '../state/state.ts';
import type { NodeChange } from '../state/tree.ts';
import type { KvOp } from './kv.ts';
import { keys } from './layout.ts';

export type CheckpointPolicy = {
  /** A checkpoint after at most this many blocks with state changes… */
  blocks: number;
  /** …or once the logged records hold this many account and node entries (bounds the replay on restart). */
  entries: number;
};

export const DEFAULT_CHECKPOINT: CheckpointPolicy = { blocks: 256, entries: 1_000_000 };

const ACCOUNT_BYTES = 76;

/**
 * The state's storage: one record per block with every account and tree node it changed ('L'), folded every so
 * often into one record per account ('a') and tree node ('n'), the checkpoint. A block of n transfers changes
 * about 2n accounts and 10n tree nodes; writing them as a single record instead of as thousands of keys is what
 * keeps storage off the sequencer's critical path. On restart the checkpoint is loaded and the logged records are
 * replayed over it in block order, which gives the state of the tip whatever point a crash interrupted.
 */
export class StateLog {
  private readonly dirtyAccounts = new Set<number>();
  /** Per tree, per level: indices of nodes changed since the checkpoint. */
  private readonly dirtyNodes: Set<number>[][];
  private readonly logged: number[] = [];
  private loggedEntries = 0;

  constructor(
    private readonly state: State,
    private readonly policy: CheckpointPolicy = DEFAULT_CHECKPOINT,
  ) {
    if (!(policy.blocks >= 1 && policy.entries >= 1))
      fail('INVALID_PARAMETER', 'a checkpoint policy needs at least one block and one entry');
    this.dirtyNodes = state.trees.map((t) => Array.from({ length: t.levels + 1 }, () => new Set<number>()));
  }

  /**
   * The writes that store block `number`'s state changes, to go in the block's atomic batch: a log record, or,
   * when one is due, the checkpoint (which then includes this block). Call once the commit's trees are hashed.
   */
  writesFor(number: number, commit: StateCommit, opts: { checkpoint?: boolean } = {}): KvOp[] {
    this.markDirty(commit);
    const entries = commit.accounts.size + commit.nodes.reduce((n, c) => n + c.length, 0);
    if (
      opts.checkpoint ||
      this.logged.length + 1 >= this.policy.blocks ||
      this.loggedEntries + entries >= this.policy.entries
    )
      return this.checkpoint();
    this.logged.push(number);
    this.loggedEntries += entries;
    return [{ type: 'put', key: keys.stateLog(number), value: this.encode(commit) }];
  }

  /**
   * Folds everything changed since the last checkpoint into per-key records at the state's current values and
   * deletes the log records; atomic with whatever batch it is written in.
   */
  private checkpoint(): KvOp[] {
    const ops: KvOp[] = [];
    for (const index of this.dirtyAccounts)
      ops.push({ type: 'put', key: keys.account(index), value: encodeAccount(this.state.getAccount(index)) });
    this.state.trees.forEach((tree, t) => {
      const size = tree.hasher.digestBytes;
      this.dirtyNodes[t]!.forEach((indices, level) => {
        for (const index of indices) {
          const key = keys.node(t, level, index);
          const value = tree.get(level, index);
          if (value === tree.zeros[level]) ops.push({ type: 'del', key });
          else ops.push({ type: 'put', key, value: bigToBytesBE(value, size) });
        }
        indices.clear();
      });
    });
    for (const number of this.logged) ops.push({ type: 'del', key: keys.stateLog(number) });
    this.dirtyAccounts.clear();
    this.logged.length = 0;
    this.loggedEntries = 0;
    return ops;
  }

  /** Restart: applies a logged record over the loaded checkpoint (records must come in block order). */
  replay(number: number, bytes: Uint8Array): void {
    const { accounts, nodes } = this.decode(number, bytes);
    for (const [index, account] of accounts) this.state.loadAccount(index, account);
    nodes.forEach((changes, t) => {
      for (const c of changes) this.state.trees[t]!.load(c.level, c.index, c.value);
    });
    this.markDirty({ accounts: new Map(accounts), nodes });
    this.logged.push(number);
    this.loggedEntries += accounts.length + nodes.reduce((n, c) => n + c.length, 0);
  }

  private markDirty(commit: Pick<StateCommit, 'accounts' | 'nodes'>): void {
    for (const index of commit.accounts.keys()) this.dirtyAccounts.add(index);
    commit.nodes.forEach((changes, t) => {
      const levels = this.dirtyNodes[t]!;
      for (const c of changes) levels[c.level]!.add(c.index);
    });
  }

  /** u32 account count, (u32 index ‖ account) each; per tree: u32 node count, (u8 level ‖ u32 index ‖ digest) each. */
  private encode(commit: StateCommit): Uint8Array {
    const sizes = this.state.trees.map((t) => t.hasher.digestBytes);
    let length = 4 + commit.accounts.size * (4 + ACCOUNT_BYTES);
    commit.nodes.forEach((c, t) => (length += 4 + c.length * (5 + sizes[t]!)));
    const out = Buffer.alloc(length);
    let at = out.writeUInt32BE(commit.accounts.size, 0);
    for (const [index, account] of commit.accounts) {
      at = out.writeUInt32BE(index, at);
      out.set(encodeAccount(account), at);
      at += ACCOUNT_BYTES;
    }
    commit.nodes.forEach((changes, t) => {
      const size = sizes[t]!;
      at = out.writeUInt32BE(changes.length, at);
      for (const c of changes) {
        at = out.writeUInt8(c.level, at);
        at = out.writeUInt32BE(c.index, at);
        writeBigBE(out, at, c.value, size);
        at += size;
      }
    });
    return out;
  }

  private decode(number: number, bytes: Uint8Array): { accounts: [number, Account][]; nodes: NodeChange[][] } {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    const need = (n: number): void => {
      if (at + n > buf.length) fail('STORAGE', `the stored state changes of block ${number} are truncated`);
    };
    need(4);
    const accountCount = buf.readUInt32BE(at);
    at += 4;
    need(accountCount * (4 + ACCOUNT_BYTES));
    const accounts: [number, Account][] = [];
    for (let k = 0; k < accountCount; k++) {
      accounts.push([buf.readUInt32BE(at), decodeAccount(buf.subarray(at + 4, at + 4 + ACCOUNT_BYTES))]);
      at += 4 + ACCOUNT_BYTES;
    }
    const nodes = this.state.trees.map((tree) => {
      const size = tree.hasher.digestBytes;
      need(4);
      const count = buf.readUInt32BE(at);
      at += 4;
      need(count * (5 + size));
      const changes: NodeChange[] = [];
      for (let k = 0; k < count; k++) {
        const level = buf[at]!;
        if (level > tree.levels) fail('STORAGE', `block ${number} stores a tree node at level ${level}`);
        changes.push({
          level,
          index: buf.readUInt32BE(at + 1),
          value: bytesToBigBE(buf.subarray(at + 5, at + 5 + size)),
        });
        at += 5 + size;
      }
      return changes;
    });
    if (at !== buf.length) fail('STORAGE', `the stored state changes of block ${number} have trailing bytes`);
    return { accounts, nodes };
  }
}

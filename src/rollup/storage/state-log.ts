import { bytesToBigBE, writeBigBE } from '../crypto/field.ts';
import { fail } from '../errors.ts';
import { ACCOUNT_BYTES, decodeAccount, isEmptyAccount, writeAccount } from '../state/account.ts';
import type { Account } from '../state/account.ts';
import type { State, StateCommit } from '../state/state.ts';
import type { NodeChange } from '../state/tree.ts';
import type { KvOp } from './kv.ts';
import { CHECKPOINT_CHUNK, keys, readU32 } from './layout.ts';

export type CheckpointPolicy = {
  /** A checkpoint after at most this many blocks with state changes… */
  blocks: number;
  /** …or once the logged records hold this many account and node entries (bounds the replay on restart). */
  entries: number;
};

export const DEFAULT_CHECKPOINT: CheckpointPolicy = { blocks: 256, entries: 1_000_000 };

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
   * Folds everything changed since the last checkpoint into the checkpoint records at the state's current values
   * and deletes the log records; atomic with whatever batch it is written in. A checkpoint record holds a chunk of
   * `CHECKPOINT_CHUNK` neighbouring accounts (or nodes of one level), so folding in 100,000 accounts writes about a
   * hundred records, not a hundred thousand keys: per-key writes made a checkpoint block take seconds.
   */
  private checkpoint(): KvOp[] {
    const ops: KvOp[] = [];
    for (const chunk of chunksOf(this.dirtyAccounts))
      ops.push(
        chunkRecord(keys.accountChunk(chunk), chunk, ACCOUNT_BYTES, (index) => {
          const account = this.state.getAccount(index);
          return isEmptyAccount(account) ? undefined : (out: Buffer, at: number) => writeAccount(out, at, account);
        }),
      );
    this.state.trees.forEach((tree, t) => {
      const size = tree.hasher.digestBytes;
      this.dirtyNodes[t]!.forEach((indices, level) => {
        for (const chunk of chunksOf(indices))
          ops.push(
            chunkRecord(keys.nodeChunk(t, level, chunk), chunk, size, (index) => {
              const digest = tree.get(level, index);
              return digest === tree.zeros[level]
                ? undefined
                : (out: Buffer, at: number) => writeBigBE(out, at, digest, size);
            }),
          );
        indices.clear();
      });
    });
    for (const number of this.logged) ops.push({ type: 'del', key: keys.stateLog(number) });
    this.dirtyAccounts.clear();
    this.logged.length = 0;
    this.loggedEntries = 0;
    return ops;
  }

  /** Restart: loads one checkpoint record of accounts ('a'), before any `replay`. */
  loadAccounts(key: Uint8Array, bytes: Uint8Array): void {
    const chunk = readU32(key, 1);
    for (const [index, at] of chunkEntries(bytes, chunk, 4 + ACCOUNT_BYTES, 'accounts'))
      this.state.loadAccount(index, decodeAccount(bytes.subarray(at + 4, at + 4 + ACCOUNT_BYTES)));
  }

  /** Restart: loads one checkpoint record of tree nodes ('n'), before any `replay`. */
  loadNodes(key: Uint8Array, bytes: Uint8Array): void {
    const tree = this.state.trees[key[1]!];
    if (!tree) fail('STORAGE', `stored nodes of unknown tree ${key[1]}`);
    const size = tree.hasher.digestBytes;
    for (const [index, at] of chunkEntries(bytes, readU32(key, 3), 4 + size, 'tree nodes'))
      tree.load(key[2]!, index, bytesToBigBE(bytes.subarray(at + 4, at + 4 + size)));
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
      writeAccount(out, at, account);
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

/**
 * One checkpoint record: (u32 index ‖ entry) for each index of the chunk that `entry` has a writer for (the others
 * are empty), or its deletion when none has.
 */
function chunkRecord(
  key: Uint8Array,
  chunk: number,
  entryBytes: number,
  entry: (index: number) => ((out: Buffer, at: number) => void) | undefined,
): KvOp {
  const present: [number, (out: Buffer, at: number) => void][] = [];
  for (let index = chunk * CHECKPOINT_CHUNK; index < (chunk + 1) * CHECKPOINT_CHUNK; index++) {
    const write = entry(index);
    if (write) present.push([index, write]);
  }
  if (present.length === 0) return { type: 'del', key };
  const value = Buffer.alloc(present.length * (4 + entryBytes));
  present.forEach(([index, write], k) => write(value, value.writeUInt32BE(index, k * (4 + entryBytes))));
  return { type: 'put', key, value };
}

function chunksOf(indices: Iterable<number>): Set<number> {
  const chunks = new Set<number>();
  for (const index of indices) chunks.add(Math.floor(index / CHECKPOINT_CHUNK));
  return chunks;
}

/** (index, offset) of each entry of a checkpoint record, checked: whole entries, indices inside the chunk. */
function* chunkEntries(
  bytes: Uint8Array,
  chunk: number,
  entryBytes: number,
  what: string,
): Generator<[number, number]> {
  if (bytes.length % entryBytes !== 0) fail('STORAGE', `a stored checkpoint record of ${what} is truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length; at += entryBytes) {
    const index = view.getUint32(at);
    if (Math.floor(index / CHECKPOINT_CHUNK) !== chunk)
      fail('STORAGE', `a stored checkpoint record of ${what} holds index ${index}, outside its chunk ${chunk}`);
    yield [index, at];
  }
}

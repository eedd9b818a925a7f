import { OP } from './opcodes.ts';
import { script, ScriptBuilder } from './script.ts';
import { type Item, type StackTracker, type Table } from './tracker.ts';
import { LimbRangeError } from './errors.ts';

/** A u32 held as 8 nibble items on the stack, most significant nibble first. */
export type U32 = Item[];

const TIMES16 = script(OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD);
/** [s] -> [carry, s mod 16] for s in 0..31. */
const NORMALIZE_ADD = script(
  OP.OP_DUP,
  OP.OP_16,
  OP.OP_GREATERTHANOREQUAL,
  OP.OP_TUCK,
  OP.OP_IF,
  OP.OP_16,
  OP.OP_SUB,
  OP.OP_ENDIF,
);
/** [s] -> [s mod 16] for s in 0..31. */
const WRAP_ADD = script(OP.OP_DUP, OP.OP_16, OP.OP_GREATERTHANOREQUAL, OP.OP_IF, OP.OP_16, OP.OP_SUB, OP.OP_ENDIF);
/** [s] -> [borrow, s mod 16] for s in -16..15. */
const NORMALIZE_SUB = script(
  OP.OP_DUP,
  OP.OP_0,
  OP.OP_LESSTHAN,
  OP.OP_TUCK,
  OP.OP_IF,
  OP.OP_16,
  OP.OP_ADD,
  OP.OP_ENDIF,
);
/** [s] -> [s mod 16] for s in -16..15. */
const WRAP_SUB = script(OP.OP_DUP, OP.OP_0, OP.OP_LESSTHAN, OP.OP_IF, OP.OP_16, OP.OP_ADD, OP.OP_ENDIF);
/** [b] -> [b >> 4, b & 15]: each step tests one bit of the high nibble and moves it from b into the result. */
const UNPACK_BYTE = (() => {
  const b = new ScriptBuilder().op(OP.OP_0, OP.OP_SWAP);
  for (const bit of [128, 64, 32, 16]) {
    b.op(OP.OP_DUP).pushNum(bit).op(OP.OP_GREATERTHANOREQUAL, OP.OP_IF).pushNum(bit).op(OP.OP_SUB, OP.OP_SWAP);
    b.pushNum(bit >> 4).op(OP.OP_ADD, OP.OP_SWAP, OP.OP_ENDIF);
  }
  return b.build();
})();
/** [n] -> [15 - n] */
const NOT4 = script(OP.OP_NEGATE, OP.OP_15, OP.OP_ADD);

/** A hash state keeps 16 words (128 nibbles) above its tables, so biasing xor indexes by 128 shortens lookups. */
export const HASH_XOR_BIAS = 128;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export type ShiftBits = 1 | 2 | 3;

/**
 * Nibble arithmetic on a StackTracker, without OP_CAT or OP_MUL. Bitwise operations use lookup tables pushed on
 * the stack once (xor: 256 entries indexed 16a+b; shifts: 16 entries), created on first use; `dropTables` removes them.
 */
export class NibbleMachine {
  readonly t: StackTracker;
  private xorTable?: Table;
  private times16Table?: Table;
  private halfTable?: Table;
  private readonly shrTables = new Map<ShiftBits, Table>();
  private readonly shlTables = new Map<ShiftBits, Table>();

  /**
   * `xorBias` is added to every ×16 table entry so the xor lookup's own depth offset stays short; scripts that keep
   * about that many items above the tables (e.g. a hash state) should set it (BLAKE3/SHA-256 use 128).
   */
  private readonly xorBias: number;

  constructor(tracker: StackTracker, options: { xorBias?: number } = {}) {
    this.t = tracker;
    this.xorBias = options.xorBias ?? 0;
  }

  /** Pushes the xor table (and the ×16 table that builds its index) now, so they sit below values pushed later. */
  prepareXor(): Table {
    this.xorTable ??= this.t.pushTable(range(256).map((i) => (i >> 4) ^ (i & 15)));
    // One lookup (3-5 bytes) is cheaper than four OP_DUP OP_ADD (8 bytes).
    this.times16Table ??= this.t.pushTable(range(16).map((i) => 16 * i + this.xorBias));
    return this.xorTable;
  }
  private half(): Table {
    this.halfTable ??= this.t.pushTable(range(31).map((i) => i >> 1));
    return this.halfTable;
  }
  /** Table of n >> k. */
  prepareShr(k: ShiftBits): Table {
    let table = this.shrTables.get(k);
    if (!table) this.shrTables.set(k, (table = this.t.pushTable(range(16).map((n) => n >> k))));
    return table;
  }
  /** Table of (n << (4 - k)) & 15: the low k bits moved to the top of a nibble. */
  prepareShl(k: ShiftBits): Table {
    let table = this.shlTables.get(k);
    if (!table) this.shlTables.set(k, (table = this.t.pushTable(range(16).map((n) => (n << (4 - k)) & 15))));
    return table;
  }

  /** Removes every table this machine pushed. */
  dropTables(): void {
    const tables = [
      this.xorTable,
      this.times16Table,
      this.halfTable,
      ...this.shrTables.values(),
      ...this.shlTables.values(),
    ];
    const live = tables.filter((t): t is Table => t !== undefined);
    // Drop the shallowest table first so each one is directly under the values parked on the alt stack.
    live.sort((a, b) => this.t.depthOf(a.base) - this.t.depthOf(b.base));
    for (const table of live) this.t.dropTable(table);
    this.xorTable = this.times16Table = this.halfTable = undefined;
    this.shrTables.clear();
    this.shlTables.clear();
  }

  // ---- u4 -------------------------------------------------------------------------------------------------

  /** a + b (+ carry item) -> [carry, sum mod 16]. */
  u4Add(a: Item, b: Item, keepA = false, keepB = false, carryIn?: Item): { carry: Item; sum: Item } {
    this.t.fetch(a, keepA);
    this.t.fetch(b, keepB);
    this.t.apply(OP.OP_ADD, 2, 1);
    if (carryIn !== undefined) {
      this.t.take(carryIn);
      this.t.apply(OP.OP_ADD, 2, 1);
    }
    const [carry, sum] = this.t.apply(NORMALIZE_ADD, 1, 2) as [Item, Item];
    return { carry, sum };
  }

  /** a - b (- borrow item) -> [borrow, difference mod 16]. */
  u4Sub(a: Item, b: Item, keepA = false, keepB = false, borrowIn?: Item): { borrow: Item; diff: Item } {
    this.t.fetch(a, keepA);
    this.t.fetch(b, keepB);
    this.t.apply(OP.OP_SUB, 2, 1);
    if (borrowIn !== undefined) {
      this.t.take(borrowIn);
      this.t.apply(OP.OP_SUB, 2, 1);
    }
    const [borrow, diff] = this.t.apply(NORMALIZE_SUB, 1, 2) as [Item, Item];
    return { borrow, diff };
  }

  u4Xor(a: Item, b: Item, keepA = false, keepB = false): Item {
    const table = this.prepareXor();
    this.t.fetch(a, keepA);
    this.t.lookup(this.times16Table as Table);
    this.t.fetch(b, keepB);
    this.t.apply(OP.OP_ADD, 2, 1);
    return this.t.lookup(table, this.xorBias);
  }

  /** a & b = (a + b - (a ^ b)) / 2, and a | b = (a + b + (a ^ b)) / 2: one xor table serves all three. */
  u4And(a: Item, b: Item, keepA = false, keepB = false): Item {
    return this.andOr(a, b, keepA, keepB, OP.OP_SUB);
  }
  u4Or(a: Item, b: Item, keepA = false, keepB = false): Item {
    return this.andOr(a, b, keepA, keepB, OP.OP_ADD);
  }
  private andOr(a: Item, b: Item, keepA: boolean, keepB: boolean, combine: number): Item {
    // Tables go on the stack before any operand is staged, or they would land between operands.
    const half = this.half();
    this.prepareXor();
    this.t.copy(a);
    this.t.copy(b);
    this.t.apply(OP.OP_ADD, 2, 1);
    // The sum stays directly under the xor result, in the order OP_SUB needs.
    this.u4Xor(a, b, keepA, keepB);
    this.t.apply(combine, 2, 1);
    return this.t.lookup(half);
  }

  u4Not(a: Item, keep = false): Item {
    this.t.fetch(a, keep);
    return this.t.apply1(NOT4, 1);
  }
  u4Shr(a: Item, k: ShiftBits, keep = false): Item {
    if (k === 3) {
      // The top bit is a comparison: 2 bytes instead of a lookup.
      this.t.fetch(a, keep);
      this.t.pushNum(8);
      return this.t.apply1(OP.OP_GREATERTHANOREQUAL, 2);
    }
    const table = this.prepareShr(k);
    this.t.fetch(a, keep);
    return this.t.lookup(table);
  }
  /** (a << k) & 15 */
  u4Shl(a: Item, k: ShiftBits, keep = false): Item {
    const table = this.prepareShl((4 - k) as ShiftBits);
    this.t.fetch(a, keep);
    return this.t.lookup(table);
  }
  /** Rotate a nibble right by k bits. */
  u4Rotr(a: Item, k: ShiftBits, keep = false): Item {
    const low = this.prepareShl(k);
    this.u4Shr(a, k, true);
    this.t.fetch(a, keep);
    this.t.lookup(low);
    return this.t.apply1(OP.OP_ADD, 2);
  }
  /** Pushes 1 if a < b (also <=, >, >=, ==, != through `op`), for nibbles or any small numbers. */
  u4Compare(a: Item, b: Item, op: number, keepA = false, keepB = false): Item {
    this.t.fetch(a, keepA);
    this.t.fetch(b, keepB);
    return this.t.apply1(op, 2);
  }

  // ---- u32 ------------------------------------------------------------------------------------------------

  pushU32(value: number): U32 {
    checkU32(value);
    return range(8).map((i) => this.t.pushNum((value >>> (28 - 4 * i)) & 15));
  }

  add(a: U32, b: U32, keepA = false, keepB = false): U32 {
    const out: Item[] = new Array<Item>(8);
    let carry: Item | undefined;
    for (let i = 7; i >= 1; i--) {
      const r = this.u4Add(a[i] as Item, b[i] as Item, keepA, keepB, carry);
      carry = r.carry;
      out[i] = r.sum;
    }
    this.t.fetch(a[0] as Item, keepA);
    this.t.fetch(b[0] as Item, keepB);
    this.t.apply(OP.OP_ADD, 2, 1);
    if (carry !== undefined) {
      this.t.take(carry);
      this.t.apply(OP.OP_ADD, 2, 1);
    }
    out[0] = this.t.apply1(WRAP_ADD, 1);
    return out;
  }

  /** a - b mod 2^32; with `borrowOut` the final borrow (1 when a < b) is returned too. */
  sub(a: U32, b: U32, keepA = false, keepB = false): U32 {
    return this.subWithBorrow(a, b, keepA, keepB, false).diff;
  }

  private subWithBorrow(
    a: U32,
    b: U32,
    keepA: boolean,
    keepB: boolean,
    wantBorrow: boolean,
  ): { diff: U32; borrow?: Item } {
    const out: Item[] = new Array<Item>(8);
    let borrow: Item | undefined;
    for (let i = 7; i >= 0; i--) {
      if (i === 0 && !wantBorrow) {
        this.t.fetch(a[0] as Item, keepA);
        this.t.fetch(b[0] as Item, keepB);
        this.t.apply(OP.OP_SUB, 2, 1);
        if (borrow !== undefined) {
          this.t.take(borrow);
          this.t.apply(OP.OP_SUB, 2, 1);
        }
        out[0] = this.t.apply1(WRAP_SUB, 1);
        return { diff: out };
      }
      const r = this.u4Sub(a[i] as Item, b[i] as Item, keepA, keepB, borrow);
      borrow = r.borrow;
      out[i] = r.diff;
    }
    return { diff: out, borrow };
  }

  /** 1 if a < b (unsigned), else 0. */
  lessThan(a: U32, b: U32, keepA = false, keepB = false): Item {
    const { diff, borrow } = this.subWithBorrow(a, b, keepA, keepB, true);
    for (const nibble of diff) this.t.drop(nibble);
    return borrow as Item;
  }

  /** 1 if a == b, else 0. */
  equal(a: U32, b: U32, keepA = false, keepB = false): Item {
    let acc = this.u4Compare(a[0] as Item, b[0] as Item, OP.OP_NUMEQUAL, keepA, keepB);
    for (let i = 1; i < 8; i++) {
      this.u4Compare(a[i] as Item, b[i] as Item, OP.OP_NUMEQUAL, keepA, keepB);
      this.t.take(acc);
      acc = this.t.apply1(OP.OP_BOOLAND, 2);
    }
    return acc;
  }

  xor(a: U32, b: U32, keepA = false, keepB = false): U32 {
    return range(8).map((i) => this.u4Xor(a[i] as Item, b[i] as Item, keepA, keepB));
  }
  and(a: U32, b: U32, keepA = false, keepB = false): U32 {
    return range(8).map((i) => this.u4And(a[i] as Item, b[i] as Item, keepA, keepB));
  }
  or(a: U32, b: U32, keepA = false, keepB = false): U32 {
    return range(8).map((i) => this.u4Or(a[i] as Item, b[i] as Item, keepA, keepB));
  }
  not(a: U32, keep = false): U32 {
    return range(8).map((i) => this.u4Not(a[i] as Item, keep));
  }

  /** Rotate right by r bits: whole nibbles are a relabelling, the remaining 1..3 bits take two lookups per nibble. */
  rotr(a: U32, r: number, keep = false): U32 {
    checkShift(r);
    const q = Math.floor(r / 4) % 8;
    const k = r % 4;
    const rotated = range(8).map((i) => a[(i - q + 8) % 8] as Item);
    if (k === 0) return keep ? rotated.map((n) => this.t.copy(n)) : rotated;
    return this.shiftBits(rotated, k as ShiftBits, keep, true);
  }
  rotl(a: U32, r: number, keep = false): U32 {
    checkShift(r);
    return this.rotr(a, (32 - r) % 32, keep);
  }

  /** Logical shift right by r bits. */
  shr(a: U32, r: number, keep = false): U32 {
    checkShift(r);
    const q = Math.floor(r / 4);
    const k = r % 4;
    const zero = -1;
    const moved = range(8).map((i) => (i - q >= 0 ? (a[i - q] as Item) : zero));
    if (!keep) for (let i = 8 - q; i < 8; i++) this.t.drop(a[i] as Item);
    if (k === 0) return moved.map((n) => (n === zero ? this.t.pushNum(0) : keep ? this.t.copy(n) : n));
    return this.shiftBits(moved, k as ShiftBits, keep, false, zero);
  }

  /** Logical shift left by r bits. */
  shl(a: U32, r: number, keep = false): U32 {
    checkShift(r);
    // A left shift by r is a right shift by 32 - r of the value with zeros entering from the bottom.
    const q = Math.floor(r / 4);
    const k = r % 4;
    const zero = -1;
    if (!keep) for (let i = 0; i < q; i++) this.t.drop(a[i] as Item);
    const moved = range(8).map((i) => (i + q < 8 ? (a[i + q] as Item) : zero));
    if (k === 0) return moved.map((n) => (n === zero ? this.t.pushNum(0) : keep ? this.t.copy(n) : n));
    this.prepareShl((4 - k) as ShiftBits);
    if (4 - k !== 3) this.prepareShr((4 - k) as ShiftBits);
    // out_i = (n_i << k) & 15 | n_{i+1} >> (4 - k)
    const out: Item[] = [];
    for (let i = 0; i < 8; i++) {
      const n = moved[i] as Item;
      const next = moved[i + 1];
      if (n === zero) {
        out.push(this.t.pushNum(0));
        continue;
      }
      const high = this.u4Shl(n, k as ShiftBits, keep);
      if (next === undefined || next === zero) {
        out.push(high);
        continue;
      }
      this.u4Shr(next, (4 - k) as ShiftBits, true);
      out.push(this.t.apply1(OP.OP_ADD, 2));
    }
    return out;
  }

  /**
   * out_i = (n_i >> k) | (low k bits of n_{i-1}) << (4 - k), with n_{-1} = n_7 for rotations or zero for shifts.
   * Each nibble is used twice, so the first use copies it and the second moves it (unless the caller keeps it).
   */
  private shiftBits(n: Item[], k: ShiftBits, keep: boolean, rotate: boolean, zero = -1): U32 {
    const shr = k === 3 ? undefined : this.prepareShr(k);
    const shl = this.prepareShl(k);
    const uses = new Map<Item, number>();
    const need = (item: Item) => uses.set(item, (uses.get(item) ?? 0) + 1);
    for (let i = 0; i < 8; i++) {
      if (n[i] !== zero) need(n[i] as Item);
      const prev = i > 0 ? n[i - 1] : rotate ? n[7] : zero;
      if (prev !== undefined && prev !== zero) need(prev);
    }
    const fetch = (item: Item) => {
      const left = (uses.get(item) ?? 1) - 1;
      uses.set(item, left);
      this.t.fetch(item, keep || left > 0);
    };
    const out: Item[] = [];
    for (let i = 0; i < 8; i++) {
      const cur = n[i] as Item;
      const prev = i > 0 ? (n[i - 1] as Item) : rotate ? (n[7] as Item) : zero;
      const parts: Item[] = [];
      if (cur !== zero) {
        fetch(cur);
        if (shr) parts.push(this.t.lookup(shr));
        else {
          this.t.pushNum(8);
          parts.push(this.t.apply1(OP.OP_GREATERTHANOREQUAL, 2));
        }
      }
      if (prev !== zero) {
        fetch(prev);
        parts.push(this.t.lookup(shl));
      }
      if (parts.length === 0) out.push(this.t.pushNum(0));
      else if (parts.length === 1) out.push(parts[0] as Item);
      else out.push(this.t.apply1(OP.OP_ADD, 2));
    }
    return out;
  }

  // ---- packing ----------------------------------------------------------------------------------------------

  /** Nibbles of a u32 -> 4 byte items (0..255), most significant byte first. */
  packBytes(a: U32, keep = false): Item[] {
    return range(4).map((j) => {
      this.t.fetch(a[2 * j] as Item, keep);
      this.t.apply(TIMES16, 1, 1);
      this.t.fetch(a[2 * j + 1] as Item, keep);
      return this.t.apply1(OP.OP_ADD, 2);
    });
  }

  /** 4 byte items (0..255, most significant first) -> the u32's 8 nibbles. */
  unpackBytes(bytes: Item[]): U32 {
    const out: Item[] = [];
    for (const byte of bytes) out.push(...this.unpackByte(byte));
    return out;
  }

  /** One byte item -> [high nibble, low nibble], by testing its bits from the top (no division in Script). */
  unpackByte(byte: Item): [Item, Item] {
    this.t.take(byte);
    const [hi, lo] = this.t.apply(UNPACK_BYTE, 1, 2) as [Item, Item];
    return [hi, lo];
  }
}

function checkU32(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new LimbRangeError('Not a u32', { details: `got ${value}` });
}
function checkShift(r: number): void {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new LimbRangeError('Shift must be 0..31', { details: `got ${r}` });
}

/** Stack items for a u32 (8 nibbles, most significant first), as minimal script numbers. */
export function u32ToNibbleItems(value: number): number[] {
  checkU32(value);
  return range(8).map((i) => (value >>> (28 - 4 * i)) & 15);
}

import { OP } from './opcodes.ts';
import { ScriptBuilder, analyzeScript, type Fragment } from './script.ts';
import { ScriptBuildError } from './errors.ts';

/** A stack item the tracker follows through the script. */
export type Item = number;

const peaks = new WeakMap<Fragment, number>();
function fragmentPeak(fragment: Fragment): number {
  let peak = peaks.get(fragment);
  if (peak === undefined) peaks.set(fragment, (peak = analyzeScript(fragment).peakDepth));
  return peak;
}

/** A lookup table laid out on the stack: entry k sits k items above `base` (entry 0 is the shallowest). */
export interface Table {
  readonly base: Item;
  readonly size: number;
}

/**
 * Writes a script while following where every item sits on the stack, so code can name the values it needs and
 * the tracker emits the OP_PICK / OP_ROLL that fetches them. It also records the peak stack height, which is what
 * the 1,000-item limit checks.
 */
export class StackTracker {
  readonly builder = new ScriptBuilder();
  private readonly stack: Item[] = [];
  private readonly position = new Map<Item, number>();
  private nextId = 0;
  private peakItems = 0;
  private readonly alt: Item[] = [];

  /** Declares `count` items already on the stack when the script starts (bottom first). */
  inputs(count: number): Item[] {
    const items: Item[] = [];
    for (let i = 0; i < count; i++) items.push(this.place());
    return items;
  }

  get depth(): number {
    return this.stack.length;
  }
  get peak(): number {
    return this.peakItems;
  }
  /** Items from bottom to top. */
  get items(): readonly Item[] {
    return this.stack;
  }

  private place(id: Item = this.nextId++): Item {
    this.position.set(id, this.stack.length);
    this.stack.push(id);
    this.peakItems = Math.max(this.peakItems, this.stack.length + this.alt.length);
    return id;
  }

  /** Counts items an emitted sequence pushes and consumes again (e.g. the depth before OP_PICK). */
  private transient(extra: number): void {
    this.peakItems = Math.max(this.peakItems, this.stack.length + this.alt.length + extra);
  }

  private removeTop(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = this.stack.pop();
      if (id === undefined) throw new ScriptBuildError('Stack underflow while building a script');
      this.position.delete(id);
    }
  }

  /** Distance of `item` from the top (0 = top). */
  depthOf(item: Item): number {
    const pos = this.position.get(item);
    if (pos === undefined) throw new ScriptBuildError('Item is no longer on the stack', { details: `item ${item}` });
    return this.stack.length - 1 - pos;
  }

  /** Moves `item` to the top (OP_ROLL); returns it. */
  take(item: Item): Item {
    const d = this.depthOf(item);
    if (d === 0) return item;
    if (d === 1) this.builder.op(OP.OP_SWAP);
    else if (d === 2) this.builder.op(OP.OP_ROT);
    else {
      this.builder.pushNum(d).op(OP.OP_ROLL);
      this.transient(1);
    }
    const from = this.stack.length - 1 - d;
    this.stack.splice(from, 1);
    this.stack.push(item);
    for (let i = from; i < this.stack.length; i++) this.position.set(this.stack[i] as Item, i);
    return item;
  }

  /** Copies `item` to the top (OP_PICK); returns the copy. */
  copy(item: Item): Item {
    const d = this.depthOf(item);
    if (d === 0) this.builder.op(OP.OP_DUP);
    else if (d === 1) this.builder.op(OP.OP_OVER);
    else {
      this.builder.pushNum(d).op(OP.OP_PICK);
      this.transient(1);
    }
    return this.place();
  }

  /** Brings `item` to the top, moving it when this is its last use and copying it otherwise. */
  fetch(item: Item, keep: boolean): Item {
    return keep ? this.copy(item) : this.take(item);
  }

  pushNum(value: number): Item {
    this.builder.pushNum(value);
    return this.place();
  }

  pushData(data: Uint8Array): Item {
    this.builder.pushData(data);
    return this.place();
  }

  /** Emits opcodes (or a fragment) that consume the top `pops` items and leave `pushes` new ones. */
  apply(code: number | Fragment, pops: number, pushes: number): Item[] {
    if (pops > this.stack.length) throw new ScriptBuildError('Stack underflow while building a script');
    if (typeof code === 'number') this.builder.op(code);
    else {
      // A fragment may use scratch items internally; count them toward the peak.
      this.peakItems = Math.max(this.peakItems, this.stack.length + this.alt.length + fragmentPeak(code));
      this.builder.append(code);
    }
    this.removeTop(pops);
    const out: Item[] = [];
    for (let i = 0; i < pushes; i++) out.push(this.place());
    return out;
  }

  /** Like `apply` for an operation with exactly one result. */
  apply1(code: number | Fragment, pops: number): Item {
    const [out] = this.apply(code, pops, 1);
    return out as Item;
  }

  /** Drops `item` (moving it to the top first if needed). */
  drop(item: Item): void {
    this.take(item);
    this.builder.op(OP.OP_DROP);
    this.removeTop(1);
  }

  /** Drops the top `count` items with OP_2DROP/OP_DROP. */
  dropTop(count: number): void {
    for (let i = 0; i + 1 < count; i += 2) this.builder.op(OP.OP_2DROP);
    if (count % 2) this.builder.op(OP.OP_DROP);
    this.removeTop(count);
  }

  /** Moves the top item to the alt stack. */
  toAlt(): Item {
    const item = this.stack[this.stack.length - 1];
    if (item === undefined) throw new ScriptBuildError('Stack underflow while building a script');
    this.builder.op(OP.OP_TOALTSTACK);
    this.removeTop(1);
    this.alt.push(item);
    return item;
  }

  /** Brings the top alt-stack item back; it keeps its identity. */
  fromAlt(): Item {
    const item = this.alt.pop();
    if (item === undefined) throw new ScriptBuildError('Alt stack is empty');
    this.builder.op(OP.OP_FROMALTSTACK);
    return this.place(item);
  }

  /** Pushes a lookup table; entry k ends up k items above the returned base (values pushed last-entry first). */
  pushTable(values: readonly number[]): Table {
    let base: Item = -1;
    for (let k = values.length - 1; k >= 0; k--) base = this.pushNum(values[k] ?? 0);
    return { base, size: values.length };
  }

  /**
   * Replaces the index on top of the stack by `table[index]` (OP_ADD and OP_PICK). `bias` says how much the index
   * already includes of the table's depth (a table of pre-biased values can save the long offset push).
   */
  lookup(table: Table, bias = 0): Item {
    // After the index is popped by OP_PICK the table base sits one item higher than it does now.
    const offset = this.depthOf(table.base) - 1 - bias;
    if (offset > 0) {
      this.builder.pushNum(offset).op(OP.OP_ADD);
      this.transient(1);
    } else if (offset < 0) {
      this.builder.pushNum(-offset).op(OP.OP_SUB);
      this.transient(1);
    }
    this.builder.op(OP.OP_PICK);
    this.removeTop(1);
    return this.place();
  }

  /** Drops a table: parks everything above it on the alt stack, drops the entries, and brings the rest back. */
  dropTable(table: Table): void {
    const above = this.depthOf(table.base);
    for (let i = 0; i < above; i++) this.toAlt();
    if (this.depthOf(table.base) !== 0) throw new ScriptBuildError('Table is not contiguous');
    this.dropTop(table.size);
    for (let i = 0; i < above; i++) this.fromAlt();
  }

  /** Moves items to the top in the given order (first ends deepest), so outputs have a fixed layout. */
  arrange(items: readonly Item[]): void {
    for (const item of items) this.take(item);
  }

  /**
   * Leaves exactly `outputs` on the stack, in that order (first deepest), dropping every other tracked item. Items
   * that were below the fragment's own inputs are not touched only if they were never declared to the tracker.
   */
  keepOnly(outputs: readonly Item[]): void {
    const wanted = new Set(outputs);
    if (wanted.size !== outputs.length) throw new ScriptBuildError('Output list names an item twice');
    this.arrange(outputs);
    for (let i = 0; i < outputs.length; i++) this.toAlt();
    const rest = this.stack.length;
    this.dropTop(rest);
    for (let i = 0; i < outputs.length; i++) this.fromAlt();
  }

  build(): Fragment {
    return this.builder.build();
  }
}

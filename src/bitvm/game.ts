import { OP } from './opcodes.ts';
import { NibbleMachine, HASH_XOR_BIAS } from './limbs.ts';
import { StackTracker, type Item } from './tracker.ts';
import { type Fragment } from './script.ts';
import { winternitzParams, winternitzVerifyScript, type WinternitzParams } from './winternitz.ts';
import { DisproveGameError } from './errors.ts';

/** A value the operator commits to with a Winternitz signature. */
export interface CommittedValue {
  readonly name: string;
  readonly bytes: number;
}

/**
 * One step of a computation: reads committed values, and claims a committed output (or must equal a public
 * constant). `emit` recomputes the output in Script from the inputs' nibbles; `compute` is its JavaScript twin.
 * Byte strings are nibble items, byte 0 first, high nibble first.
 */
export interface ComputationStep {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: { readonly value: string } | { readonly constant: Uint8Array };
  compute(inputs: readonly Uint8Array[]): Uint8Array;
  emit(m: NibbleMachine, inputs: readonly Item[][], keepInputs: boolean): Item[];
}

export interface Computation {
  readonly values: readonly CommittedValue[];
  readonly steps: readonly ComputationStep[];
}

/** Standard limits a disprove leaf and its spending transaction must stay within. */
export interface LeafLimits {
  /** Whole spending transaction, in weight units (standard: 400,000). */
  maxTxWeight: number;
  /** Stack + alt stack items at any point (consensus: 1,000). */
  maxStackItems: number;
  /** At most this many steps per leaf (fewer, smaller leaves make each disprove cheaper). */
  maxStepsPerLeaf: number;
}

export const STANDARD_LEAF_LIMITS: LeafLimits = { maxTxWeight: 400_000, maxStackItems: 1_000, maxStepsPerLeaf: 1 };

/** One disprove tapleaf: the steps it re-executes, the committed values its witness carries, and its script. */
export interface DisproveLeaf {
  readonly steps: readonly number[];
  /** Committed values whose Winternitz witnesses the spend provides, first one deepest. */
  readonly values: readonly string[];
  readonly script: Fragment;
  /** Peak stack + alt stack items while the leaf runs (counted while building the script). */
  readonly peakStack: number;
  /** Items in the witness stack (before the script and control block). */
  readonly witnessItems: number;
}

/** Winternitz parameters for a committed value: 4-bit digits, so message digits are nibbles. */
export function valueParams(value: CommittedValue): WinternitzParams {
  return winternitzParams(value.bytes, 4);
}

function valueByName(computation: Computation, name: string): CommittedValue {
  const value = computation.values.find((v) => v.name === name);
  if (!value) throw new DisproveGameError('Unknown committed value', { details: name });
  return value;
}

/** Committed values touched by a group of steps, in order of first use. */
export function valuesOfSteps(computation: Computation, steps: readonly number[]): string[] {
  const names: string[] = [];
  for (const index of steps) {
    const step = computation.steps[index];
    if (!step) throw new DisproveGameError('Unknown step', { details: `index ${index}` });
    for (const name of [...step.inputs, ...('value' in step.output ? [step.output.value] : [])])
      if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Builds the disprove leaf for a group of steps. The script verifies the Winternitz signature of every value the
 * steps touch, recomputes each step, and leaves 1 (success) only if some committed output differs from the
 * recomputed one; an honest assertion leaves 0 and the spend fails.
 */
export function buildDisproveLeaf(
  computation: Computation,
  steps: readonly number[],
  publicKeys: ReadonlyMap<string, readonly Uint8Array[]>,
): DisproveLeaf {
  if (steps.length === 0) throw new DisproveGameError('A leaf needs at least one step');
  const names = valuesOfSteps(computation, steps);
  const t = new StackTracker();
  const m = new NibbleMachine(t, { xorBias: HASH_XOR_BIAS });
  const values = names.map((name) => valueByName(computation, name));
  const params = values.map(valueParams);
  for (const p of params) t.inputs(2 * p.totalDigits);
  // Verify from the top of the stack down; park each value's digits on the alt stack so the next witness is on top.
  const digits: Item[][] = new Array<Item[]>(names.length);
  for (let k = names.length - 1; k >= 0; k--) {
    const p = params[k] as WinternitzParams;
    const key = publicKeys.get(names[k] as string);
    if (!key) throw new DisproveGameError('Missing Winternitz public key', { details: names[k] });
    digits[k] = t.apply(winternitzVerifyScript(p, key), 2 * p.totalDigits, p.messageDigits);
    if (k > 0) for (let i = 0; i < p.messageDigits; i++) t.toAlt();
  }
  for (let k = 1; k < names.length; k++)
    for (let i = 0; i < (params[k] as WinternitzParams).messageDigits; i++) t.fromAlt();
  // Winternitz digit p is byte L-1-p/2 (high nibble at even p): relabel into byte order.
  const nibbles = new Map<string, Item[]>();
  names.forEach((name, k) => {
    const d = digits[k] as Item[];
    const bytes = (values[k] as CommittedValue).bytes;
    const out: Item[] = [];
    for (let i = 0; i < bytes; i++) out.push(d[2 * (bytes - 1 - i)] as Item, d[2 * (bytes - 1 - i) + 1] as Item);
    nibbles.set(name, out);
  });
  // Every later read of a value (as input or as claimed output) needs it kept on the stack.
  const reads: string[] = [];
  for (const index of steps) {
    const step = computation.steps[index] as ComputationStep;
    reads.push(...step.inputs, ...('value' in step.output ? [step.output.value] : []));
  }
  let cursor = 0;
  let verdict: Item | undefined;
  for (const index of steps) {
    const step = computation.steps[index] as ComputationStep;
    const inputs = step.inputs.map((name) => nibbles.get(name) as Item[]);
    cursor += step.inputs.length;
    const later = reads.slice(cursor);
    const keepInputs = step.inputs.some((name) => later.includes(name));
    const computed = step.emit(m, inputs, keepInputs);
    let claimed: Item[];
    let keepClaimed = false;
    if ('value' in step.output) {
      claimed = nibbles.get(step.output.value) as Item[];
      cursor += 1;
      keepClaimed = reads.slice(cursor).includes(step.output.value);
    } else {
      claimed = [...step.output.constant].flatMap((b) => [t.pushNum(b >> 4), t.pushNum(b & 15)]);
    }
    if (claimed.length !== computed.length)
      throw new DisproveGameError('Step output length does not match its claim', { details: step.name });
    // Count equal nibbles; the step is wrong when fewer than all of them match.
    let equal: Item | undefined;
    computed.forEach((item, i) => {
      t.take(item);
      t.fetch(claimed[i] as Item, keepClaimed);
      const same = t.apply1(OP.OP_NUMEQUAL, 2);
      if (equal === undefined) equal = same;
      else {
        t.take(equal);
        equal = t.apply1(OP.OP_ADD, 2);
      }
    });
    t.pushNum(computed.length);
    const wrong = t.apply1(OP.OP_NUMNOTEQUAL, 2);
    if (verdict !== undefined) {
      t.take(verdict);
      verdict = t.apply1(OP.OP_BOOLOR, 2);
    } else verdict = wrong;
  }
  m.dropTables();
  t.keepOnly([verdict as Item]);
  const witnessItems = params.reduce((sum, p) => sum + 2 * p.totalDigits, 0);
  return { steps: [...steps], values: names, script: t.build(), peakStack: t.peak, witnessItems };
}

/** Upper bound on a Winternitz witness's serialized size (20-byte signature and a 0/1-byte digit, with lengths). */
function witnessBytes(computation: Computation, names: readonly string[]): number {
  return names.reduce((sum, name) => sum + valueParams(valueByName(computation, name)).totalDigits * 23, 0);
}

/**
 * Weight of a one-input, one-output (P2TR) disprove transaction spending `leaf` from a tree with `leafCount`
 * leaves (control block 33 + 32·depth bytes). Used to size leaves before the tree exists.
 */
export function estimateDisproveWeight(
  scriptBytes: number,
  witnessItemBytes: number,
  witnessItems: number,
  treeDepth: number,
): number {
  const varint = (n: number) => (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5);
  const base = 4 + 1 + (32 + 4 + 1 + 4) + 1 + (8 + 1 + 34) + 4;
  const control = 33 + 32 * treeDepth;
  const witness = 2 + varint(witnessItems + 2) + witnessItemBytes + varint(scriptBytes) + scriptBytes + 1 + control;
  return base * 4 + witness;
}

/**
 * The chunker: packs consecutive steps into disprove leaves, growing a leaf while its script's peak stack and its
 * spending transaction's weight stay within `limits`. A single step that does not fit is an error.
 */
export function chunkComputation(
  computation: Computation,
  publicKeys: ReadonlyMap<string, readonly Uint8Array[]>,
  limits: LeafLimits = STANDARD_LEAF_LIMITS,
): DisproveLeaf[] {
  const depthFor = (leaves: number) => Math.max(0, Math.ceil(Math.log2(Math.max(1, leaves))));
  // The tree depth is bounded by one leaf per step, which keeps the estimate conservative.
  const treeDepth = depthFor(computation.steps.length);
  const fits = (leaf: DisproveLeaf) =>
    leaf.peakStack <= limits.maxStackItems &&
    estimateDisproveWeight(leaf.script.size, witnessBytes(computation, leaf.values), leaf.witnessItems, treeDepth) <=
      limits.maxTxWeight;
  const leaves: DisproveLeaf[] = [];
  let start = 0;
  while (start < computation.steps.length) {
    let best = buildDisproveLeaf(computation, [start], publicKeys);
    if (!fits(best))
      throw new DisproveGameError('A single step does not fit in a standard disprove leaf', {
        details: `${computation.steps[start]?.name}: ${best.script.size} bytes, peak stack ${best.peakStack}`,
      });
    let end = start + 1;
    while (end < computation.steps.length && end - start < limits.maxStepsPerLeaf) {
      const candidate = buildDisproveLeaf(computation, range(start, end + 1), publicKeys);
      if (!fits(candidate)) break;
      best = candidate;
      end++;
    }
    leaves.push(best);
    start = end;
  }
  return leaves;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Runs the steps in JavaScript: indices of steps whose committed output is wrong for the given values. */
export function wrongSteps(computation: Computation, values: ReadonlyMap<string, Uint8Array>): number[] {
  const wrong: number[] = [];
  computation.steps.forEach((step, index) => {
    const inputs = step.inputs.map((name) => {
      const v = values.get(name);
      if (!v) throw new DisproveGameError('Missing committed value', { details: name });
      return v;
    });
    const out = step.compute(inputs);
    const claimed = 'value' in step.output ? values.get(step.output.value) : step.output.constant;
    if (!claimed) throw new DisproveGameError('Missing committed value', { details: step.name });
    if (claimed.length !== out.length || claimed.some((b, i) => b !== out[i])) wrong.push(index);
  });
  return wrong;
}

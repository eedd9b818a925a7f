import { OP } from './opcodes.ts';

/**
 * Walks a script one opcode at a time without allocating (Core's GetScriptOp). After a successful `next()`,
 * `op` is the opcode and `[dataStart, dataEnd)` the pushed bytes (empty for non-push opcodes).
 */
export class ScriptReader {
  pc = 0;
  op = OP.OP_INVALIDOPCODE as number;
  dataStart = 0;
  dataEnd = 0;
  constructor(readonly script: Uint8Array) {}

  /** Reads the next opcode; false at the end or on a push that runs past the end (then `pc` does not move). */
  next(): boolean {
    const s = this.script;
    const end = s.length;
    let pc = this.pc;
    this.op = OP.OP_INVALIDOPCODE;
    if (pc >= end) return false;
    const op = s[pc++];
    let size = 0;
    if (op <= OP.OP_PUSHDATA4) {
      if (op < OP.OP_PUSHDATA1) size = op;
      else if (op === OP.OP_PUSHDATA1) {
        if (end - pc < 1) return false;
        size = s[pc++];
      } else if (op === OP.OP_PUSHDATA2) {
        if (end - pc < 2) return false;
        size = s[pc] | (s[pc + 1] << 8);
        pc += 2;
      } else {
        if (end - pc < 4) return false;
        size = (s[pc] | (s[pc + 1] << 8) | (s[pc + 2] << 16)) + s[pc + 3] * 0x1000000;
        pc += 4;
      }
      if (end - pc < size) return false;
    }
    this.op = op;
    this.dataStart = pc;
    this.dataEnd = pc + size;
    this.pc = pc + size;
    return true;
  }

  get done(): boolean {
    return this.pc >= this.script.length;
  }
}

/** Only push opcodes (OP_RESERVED counts, as in Core); false if the script does not parse. */
export function isPushOnly(script: Uint8Array): boolean {
  const r = new ScriptReader(script);
  while (!r.done) {
    if (!r.next()) return false;
    if (r.op > OP.OP_16) return false;
  }
  return true;
}

export function isPayToScriptHash(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP.OP_HASH160 && script[1] === 0x14 && script[22] === OP.OP_EQUAL;
}

/** BIP141 witness program: version opcode then one 2–40 byte push. Returns null when not a program. */
export function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | null {
  if (script.length < 4 || script.length > 42) return null;
  const v = script[0];
  if (v !== OP.OP_0 && (v < OP.OP_1 || v > OP.OP_16)) return null;
  if (script[1] + 2 !== script.length) return null;
  return { version: v === OP.OP_0 ? 0 : v - OP.OP_1 + 1, program: script.subarray(2) };
}

/** The shortest push of `data` as CScript << vector would write it (no small-number opcodes). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n < OP.OP_PUSHDATA1) head = [n];
  else if (n <= 0xff) head = [OP.OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [OP.OP_PUSHDATA2, n & 0xff, n >> 8];
  else head = [OP.OP_PUSHDATA4, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** Core's CheckMinimalPush: the push opcode is the shortest one for its data. */
export function isMinimalPush(data: Uint8Array, start: number, end: number, op: number): boolean {
  const size = end - start;
  if (size === 0) return op === OP.OP_0;
  if (size === 1 && data[start] >= 1 && data[start] <= 16) return op === OP.OP_1 + data[start] - 1;
  if (size === 1 && data[start] === 0x81) return op === OP.OP_1NEGATE;
  if (size <= 75) return op === size;
  if (size <= 255) return op === OP.OP_PUSHDATA1;
  if (size <= 65535) return op === OP.OP_PUSHDATA2;
  return true;
}

/** Any non-zero byte makes true, except a lone sign bit at the end (negative zero). */
export function castToBool(v: Uint8Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) return !(i === v.length - 1 && v[i] === 0x80);
  }
  return false;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Core's FindAndDelete: removes every occurrence of `needle` that starts on an opcode boundary.
 * Returns the number removed and the resulting script (the same array when nothing matched).
 */
export function findAndDelete(script: Uint8Array, needle: Uint8Array): { found: number; script: Uint8Array } {
  const n = needle.length;
  if (n === 0) return { found: 0, script };
  const parts: number[] = []; // [start, end) pairs that survive
  let found = 0;
  let copyFrom = 0;
  const r = new ScriptReader(script);
  for (;;) {
    let pc = r.pc;
    const keepEnd = pc;
    while (script.length - pc >= n && matchesAt(script, pc, needle)) {
      pc += n;
      found++;
    }
    if (pc !== keepEnd) {
      parts.push(copyFrom, keepEnd);
      copyFrom = pc;
    }
    r.pc = pc;
    if (!r.next()) break;
  }
  if (found === 0) return { found, script };
  parts.push(copyFrom, script.length);
  let total = 0;
  for (let i = 0; i < parts.length; i += 2) total += parts[i + 1] - parts[i];
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < parts.length; i += 2) {
    out.set(script.subarray(parts[i], parts[i + 1]), o);
    o += parts[i + 1] - parts[i];
  }
  return { found, script: out };
}

function matchesAt(script: Uint8Array, pc: number, needle: Uint8Array): boolean {
  for (let i = 0; i < needle.length; i++) if (script[pc + i] !== needle[i]) return false;
  return true;
}

/**
 * The script code as legacy sighash serializes it (Core's SerializeScriptCode): a length prefix counting every byte
 * but the OP_CODESEPARATORs, then the bytes without them. On a truncated push Core stops writing where its parser
 * gave up, so the bytes may fall short of the prefix; the hash depends on that, so it is kept.
 */
export function serializeScriptCode(script: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  let separators = 0;
  let from = 0;
  const r = new ScriptReader(script);
  while (r.next()) {
    if (r.op === OP.OP_CODESEPARATOR) {
      separators++;
      pieces.push(script.subarray(from, r.pc - 1));
      from = r.pc;
    }
  }
  pieces.push(script.subarray(from, r.done ? script.length : coreFailurePosition(script, r.pc)));
  const prefix = compactSizeBytes(script.length - separators);
  let total = prefix.length;
  for (const p of pieces) total += p.length;
  const out = new Uint8Array(total);
  out.set(prefix);
  let o = prefix.length;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Where Core's GetScriptOp leaves its cursor after failing on the push that starts at `pc`. */
function coreFailurePosition(script: Uint8Array, pc: number): number {
  const op = script[pc];
  const left = script.length - pc - 1;
  if (op === OP.OP_PUSHDATA1) return pc + 1 + (left >= 1 ? 1 : 0);
  if (op === OP.OP_PUSHDATA2) return pc + 1 + (left >= 2 ? 2 : 0);
  if (op === OP.OP_PUSHDATA4) return pc + 1 + (left >= 4 ? 4 : 0);
  return pc + 1;
}

export function compactSizeBytes(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
}

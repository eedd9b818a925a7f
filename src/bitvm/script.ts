import { OP, OP_EFFECTS } from './opcodes.ts';
import { ScriptBuildError } from './errors.ts';

/** Minimal CScriptNum encoding (little-endian sign-magnitude, no superfluous bytes); 0 is the empty array. */
export function encodeScriptNum(value: number | bigint): Uint8Array {
  let n = BigInt(value);
  if (n === 0n) return new Uint8Array(0);
  const negative = n < 0n;
  if (negative) n = -n;
  const out: number[] = [];
  while (n > 0n) {
    out.push(Number(n & 0xffn));
    n >>= 8n;
  }
  const last = out[out.length - 1] ?? 0;
  if (last & 0x80) out.push(negative ? 0x80 : 0);
  else if (negative) out[out.length - 1] = last | 0x80;
  return Uint8Array.from(out);
}

/** Decodes a script number of up to 8 bytes (no minimality check: this is for reading stacks in tests). */
export function decodeScriptNum(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  const top = bytes[bytes.length - 1] ?? 0;
  if (top & 0x80) {
    n &= ~(0x80n << BigInt(8 * (bytes.length - 1)));
    n = -n;
  }
  return Number(n);
}

/** Appends the shortest push of `data` (MINIMALDATA rules: OP_0, OP_1NEGATE, OP_1..OP_16, direct, PUSHDATA1/2/4). */
function writePush(out: number[], data: Uint8Array): void {
  const len = data.length;
  if (len === 0) return void out.push(OP.OP_0);
  const first = data[0] ?? 0;
  if (len === 1 && first >= 1 && first <= 16) return void out.push(OP.OP_1 + first - 1);
  if (len === 1 && first === 0x81) return void out.push(OP.OP_1NEGATE);
  if (len <= 75) out.push(len);
  else if (len <= 0xff) out.push(OP.OP_PUSHDATA1, len);
  else if (len <= 0xffff) out.push(OP.OP_PUSHDATA2, len & 0xff, len >> 8);
  else out.push(OP.OP_PUSHDATA4, len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, len >>> 24);
  for (const byte of data) out.push(byte);
}

/** An immutable, encoded piece of script that composes with others. */
export class Fragment {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  get size(): number {
    return this.bytes.length;
  }
}

/** A part of a script: an opcode byte, a fragment, or data to push (pushed minimally). */
export type Piece = number | Fragment | Uint8Array | { num: number | bigint };

/** Appends opcodes, pushes and fragments into one growing script. */
export class ScriptBuilder {
  private readonly out: number[] = [];

  op(...opcodes: number[]): this {
    for (const code of opcodes) {
      if (!Number.isInteger(code) || code < 0 || code > 0xff)
        throw new ScriptBuildError('Invalid opcode', { details: `got ${code}` });
      this.out.push(code);
    }
    return this;
  }
  pushData(data: Uint8Array): this {
    writePush(this.out, data);
    return this;
  }
  pushNum(value: number | bigint): this {
    writePush(this.out, encodeScriptNum(value));
    return this;
  }
  append(...pieces: Piece[]): this {
    for (const piece of pieces) {
      if (typeof piece === 'number') this.op(piece);
      else if (piece instanceof Fragment) for (const byte of piece.bytes) this.out.push(byte);
      else if (piece instanceof Uint8Array) this.pushData(piece);
      else this.pushNum(piece.num);
    }
    return this;
  }
  get size(): number {
    return this.out.length;
  }
  build(): Fragment {
    return new Fragment(Uint8Array.from(this.out));
  }
}

/** Builds a fragment from pieces: `script(OP.OP_DUP, { num: 16 }, OP.OP_ADD, otherFragment)`. */
export function script(...pieces: Piece[]): Fragment {
  return new ScriptBuilder().append(...pieces).build();
}

/** Static report on a fragment: byte size, opcodes, items it consumes from and leaves on the stack, its peak. */
export interface ScriptReport {
  size: number;
  opCount: number;
  /** How many items must already be on the stack for the fragment to run (stack depth it reaches below its start). */
  inputs: number;
  /** Net change of main-stack depth. */
  netDepth: number;
  /** Highest main + alt stack depth above the fragment's start. */
  peakDepth: number;
}

/**
 * Walks a fragment and tracks main/alt stack depth through every opcode. Branches must leave the same depth
 * (otherwise the depth after ENDIF would depend on data, which this toolkit never relies on). OP_PICK/OP_ROLL after a constant
 * push are counted exactly; after a computed depth they are assumed to reach an item that exists.
 */
export function analyzeScript(fragment: Fragment | Uint8Array): ScriptReport {
  const bytes = fragment instanceof Fragment ? fragment.bytes : fragment;
  let depth = 0;
  let alt = 0;
  let lowest = 0;
  let peak = 0;
  let opCount = 0;
  let lastConst: number | undefined;
  const branches: { startDepth: number; startAlt: number; thenDepth?: number; thenAlt?: number }[] = [];
  const fail = (msg: string, at: number): never => {
    throw new ScriptBuildError(msg, { details: `at byte ${at}` });
  };
  const need = (n: number) => {
    lowest = Math.min(lowest, depth - n);
  };
  for (let i = 0; i < bytes.length;) {
    const at = i;
    const code = bytes[i++] ?? 0;
    let constant: number | undefined;
    if (code <= OP.OP_PUSHDATA4) {
      let len = code;
      if (code === OP.OP_PUSHDATA1) len = bytes[i++] ?? 0;
      else if (code === OP.OP_PUSHDATA2) {
        len = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8);
        i += 2;
      } else if (code === OP.OP_PUSHDATA4) {
        len =
          ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16)) + (bytes[i + 3] ?? 0) * 2 ** 24;
        i += 4;
      }
      if (i + len > bytes.length) fail('Push runs past the end of the script', at);
      if (len <= 4) constant = decodeScriptNum(bytes.subarray(i, i + len));
      i += len;
      depth++;
    } else if (code === OP.OP_1NEGATE || (code >= OP.OP_1 && code <= OP.OP_16)) {
      constant = code === OP.OP_1NEGATE ? -1 : code - OP.OP_1 + 1;
      depth++;
    } else {
      opCount++;
      if (code === OP.OP_IF || code === OP.OP_NOTIF) {
        need(1);
        depth--;
        branches.push({ startDepth: depth, startAlt: alt });
      } else if (code === OP.OP_ELSE) {
        const branch = branches[branches.length - 1] ?? fail('OP_ELSE without OP_IF', at);
        branch.thenDepth = depth;
        branch.thenAlt = alt;
        depth = branch.startDepth;
        alt = branch.startAlt;
      } else if (code === OP.OP_ENDIF) {
        const branch = branches.pop() ?? fail('OP_ENDIF without OP_IF', at);
        const otherDepth = branch.thenDepth ?? branch.startDepth;
        const otherAlt = branch.thenAlt ?? branch.startAlt;
        if (otherDepth !== depth || otherAlt !== alt) fail('Branches leave different stack depths', at);
      } else if (code === OP.OP_TOALTSTACK) {
        need(1);
        depth--;
        alt++;
      } else if (code === OP.OP_FROMALTSTACK) {
        if (alt === 0) fail('OP_FROMALTSTACK on an empty alt stack', at);
        alt--;
        depth++;
      } else if (code === OP.OP_PICK || code === OP.OP_ROLL) {
        // A data-dependent depth (e.g. a Winternitz digit) is checked by the script itself; count one item then.
        depth--;
        need(lastConst !== undefined && lastConst >= 0 ? lastConst + 1 : 1);
        if (code === OP.OP_ROLL) depth--;
        depth++;
      } else if (code === OP.OP_RETURN) {
        // Only reachable inside a dead branch of a valid script; nothing to track.
      } else {
        const e = OP_EFFECTS.get(code) ?? fail(`Opcode 0x${code.toString(16)} is not supported by the analyser`, at);
        need(e.needs);
        depth += e.pushes - e.pops;
      }
    }
    lastConst = constant;
    peak = Math.max(peak, depth + alt);
  }
  if (branches.length) throw new ScriptBuildError('Unterminated OP_IF', { details: `${branches.length} open` });
  return { size: bytes.length, opCount, inputs: -lowest, netDepth: depth, peakDepth: peak };
}

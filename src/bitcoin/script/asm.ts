import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { BaseError } from '../../shared/index.ts';
import { encodeNum } from './num.ts';
import { OP, OPCODE_BY_NAME, OPCODE_NAMES } from './opcodes.ts';
import { ScriptReader, pushData } from './script.ts';

export class AsmError extends BaseError {
  override name = 'AsmError';
}

function concat(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Parses the script notation of Bitcoin Core's test files (ParseScript): decimal numbers become minimal number
 * pushes, `0x..` inserts raw bytes, `'text'` pushes the text, and opcode names are accepted with or without `OP_`.
 */
export function parseAsm(asm: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const word of asm.split(/\s+/)) {
    if (word === '') continue;
    if (/^-?\d+$/.test(word) && word !== '-') {
      const n = Number(word);
      if (!Number.isSafeInteger(n) || n > 0xffffffff || n < -0xffffffff)
        throw new AsmError(`number out of range: ${word}`);
      if (n === 0) parts.push(Uint8Array.of(OP.OP_0));
      else if (n === -1) parts.push(Uint8Array.of(OP.OP_1NEGATE));
      else if (n >= 1 && n <= 16) parts.push(Uint8Array.of(OP.OP_1 + n - 1));
      else parts.push(pushData(encodeNum(n)));
    } else if (word.startsWith('0x') && word.length > 2) {
      const hex = word.slice(2);
      if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new AsmError(`bad hex literal: ${word}`);
      parts.push(hexToBytes(hex));
    } else if (word.length >= 2 && word.startsWith("'") && word.endsWith("'")) {
      parts.push(pushData(new TextEncoder().encode(word.slice(1, -1))));
    } else {
      const op = OPCODE_BY_NAME.get(word);
      if (op === undefined) throw new AsmError(`unknown opcode: ${word}`);
      parts.push(Uint8Array.of(op));
    }
  }
  return concat(parts);
}

/** Human-readable form: pushes as hex, opcodes by name, and `[error]` for a truncated push. */
export function formatAsm(script: Uint8Array): string {
  const out: string[] = [];
  const r = new ScriptReader(script);
  while (!r.done) {
    if (!r.next()) {
      out.push('[error]');
      break;
    }
    if (r.op > OP.OP_0 && r.op <= OP.OP_PUSHDATA4) out.push(bytesToHex(script.subarray(r.dataStart, r.dataEnd)));
    else out.push(OPCODE_NAMES[r.op]);
  }
  return out.join(' ');
}

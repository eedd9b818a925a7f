/**
 * Just enough script parsing for the chain and mempool: walking opcodes, sigop counting, output-type
 * recognition and Core-style `asm`. Execution lives in the script engine.
 */
export interface ScriptOp {
  opcode: number;
  /** Pushed bytes for push opcodes (undefined for others). */
  data?: Uint8Array;
}

export const OP_0 = 0x00;
export const OP_PUSHDATA1 = 0x4c;
export const OP_PUSHDATA2 = 0x4d;
export const OP_PUSHDATA4 = 0x4e;
export const OP_1NEGATE = 0x4f;
export const OP_1 = 0x51;
export const OP_16 = 0x60;
export const OP_RETURN = 0x6a;
export const OP_DUP = 0x76;
export const OP_EQUAL = 0x87;
export const OP_EQUALVERIFY = 0x88;
export const OP_HASH160 = 0xa9;
export const OP_CHECKSIG = 0xac;
export const OP_CHECKSIGVERIFY = 0xad;
export const OP_CHECKMULTISIG = 0xae;
export const OP_CHECKMULTISIGVERIFY = 0xaf;

/** Parses ops; returns undefined when a push runs past the end (Core's GetOp failure). */
export function parseScript(script: Uint8Array): ScriptOp[] | undefined {
  const ops: ScriptOp[] = [];
  let pc = 0;
  while (pc < script.length) {
    const opcode = script[pc++];
    if (opcode <= OP_PUSHDATA4) {
      let size = opcode;
      if (opcode === OP_PUSHDATA1) {
        if (pc + 1 > script.length) return undefined;
        size = script[pc];
        pc += 1;
      } else if (opcode === OP_PUSHDATA2) {
        if (pc + 2 > script.length) return undefined;
        size = script[pc] | (script[pc + 1] << 8);
        pc += 2;
      } else if (opcode === OP_PUSHDATA4) {
        if (pc + 4 > script.length) return undefined;
        size = (script[pc] | (script[pc + 1] << 8) | (script[pc + 2] << 16) | (script[pc + 3] << 24)) >>> 0;
        pc += 4;
      }
      if (pc + size > script.length) return undefined;
      ops.push({ opcode, data: script.subarray(pc, pc + size) });
      pc += size;
    } else ops.push({ opcode });
  }
  return ops;
}

/** Core's CScript::GetSigOpCount(fAccurate). Counting stops where parsing fails, as in Core. */
export function countSigOps(script: Uint8Array, accurate: boolean): number {
  let count = 0;
  let last = 0xff;
  let pc = 0;
  while (pc < script.length) {
    const opcode = script[pc++];
    if (opcode <= OP_PUSHDATA4) {
      let size = opcode;
      let width = 0;
      if (opcode === OP_PUSHDATA1) width = 1;
      else if (opcode === OP_PUSHDATA2) width = 2;
      else if (opcode === OP_PUSHDATA4) width = 4;
      if (width) {
        if (pc + width > script.length) break;
        size = 0;
        for (let i = width - 1; i >= 0; i--) size = size * 256 + script[pc + i];
        pc += width;
      }
      if (pc + size > script.length) break;
      pc += size;
    } else if (opcode === OP_CHECKSIG || opcode === OP_CHECKSIGVERIFY) count++;
    else if (opcode === OP_CHECKMULTISIG || opcode === OP_CHECKMULTISIGVERIFY) {
      count += accurate && last >= OP_1 && last <= OP_16 ? last - OP_1 + 1 : 20;
    }
    last = opcode;
  }
  return count;
}

/** Push-only as Core's IsPushOnly: every op is ≤ OP_16 (OP_RESERVED counts as push-only, as in Core). */
export function isPushOnly(script: Uint8Array): boolean {
  const ops = parseScript(script);
  if (!ops) return false;
  return ops.every((op) => op.opcode <= OP_16);
}

export function isP2SH(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP_HASH160 && script[1] === 0x14 && script[22] === OP_EQUAL;
}

/** Core's IsWitnessProgram. */
export function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | undefined {
  if (script.length < 4 || script.length > 42) return undefined;
  const v = script[0];
  if (v !== OP_0 && (v < OP_1 || v > OP_16)) return undefined;
  if (script[1] + 2 !== script.length) return undefined;
  return { version: v === OP_0 ? 0 : v - OP_1 + 1, program: script.subarray(2) };
}

export type OutputType =
  | 'nonstandard'
  | 'pubkey'
  | 'pubkeyhash'
  | 'scripthash'
  | 'multisig'
  | 'nulldata'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'anchor'
  | 'witness_unknown';

const ANCHOR = [0x51, 0x02, 0x4e, 0x73];

function isValidPubkey(k: Uint8Array): boolean {
  if (k.length === 33) return k[0] === 2 || k[0] === 3;
  if (k.length === 65) return k[0] === 4;
  return false;
}

/** Core's Solver: the standard template an output script matches, with multisig m-of-n when it is one. */
export function classifyOutput(script: Uint8Array): { type: OutputType; m?: number; n?: number } {
  if (script.length > 0 && script[0] === OP_RETURN) {
    return isPushOnly(script.subarray(1)) ? { type: 'nulldata' } : { type: 'nonstandard' };
  }
  const wp = witnessProgram(script);
  if (wp) {
    if (wp.version === 0 && wp.program.length === 20) return { type: 'witness_v0_keyhash' };
    if (wp.version === 0 && wp.program.length === 32) return { type: 'witness_v0_scripthash' };
    if (wp.version === 1 && wp.program.length === 32) return { type: 'witness_v1_taproot' };
    if (script.length === 4 && script.every((b, i) => b === ANCHOR[i])) return { type: 'anchor' };
    if (wp.version !== 0) return { type: 'witness_unknown' };
    return { type: 'nonstandard' };
  }
  if (isP2SH(script)) return { type: 'scripthash' };
  if (
    script.length === 25 &&
    script[0] === OP_DUP &&
    script[1] === OP_HASH160 &&
    script[2] === 0x14 &&
    script[23] === OP_EQUALVERIFY &&
    script[24] === OP_CHECKSIG
  )
    return { type: 'pubkeyhash' };
  if (
    (script.length === 35 || script.length === 67) &&
    script[0] === script.length - 2 &&
    script.at(-1) === OP_CHECKSIG
  ) {
    return isValidPubkey(script.subarray(1, -1)) ? { type: 'pubkey' } : { type: 'nonstandard' };
  }
  const ops = parseScript(script);
  if (ops && ops.length >= 4 && ops.at(-1)?.opcode === OP_CHECKMULTISIG) {
    const mOp = ops[0].opcode;
    const nOp = ops[ops.length - 2].opcode;
    const keys = ops.slice(1, -2);
    if (mOp >= OP_1 && mOp <= OP_16 && nOp >= OP_1 && nOp <= OP_16) {
      const m = mOp - OP_1 + 1;
      const n = nOp - OP_1 + 1;
      if (keys.length === n && m <= n && keys.every((k) => k.data && isValidPubkey(k.data)))
        return { type: 'multisig', m, n };
    }
  }
  return { type: 'nonstandard' };
}

const OPCODE_NAMES: Record<number, string> = {
  0x00: '0',
  0x4f: '-1',
  0x50: 'OP_RESERVED',
  0x61: 'OP_NOP',
  0x62: 'OP_VER',
  0x63: 'OP_IF',
  0x64: 'OP_NOTIF',
  0x65: 'OP_VERIF',
  0x66: 'OP_VERNOTIF',
  0x67: 'OP_ELSE',
  0x68: 'OP_ENDIF',
  0x69: 'OP_VERIFY',
  0x6a: 'OP_RETURN',
  0x6b: 'OP_TOALTSTACK',
  0x6c: 'OP_FROMALTSTACK',
  0x6d: 'OP_2DROP',
  0x6e: 'OP_2DUP',
  0x6f: 'OP_3DUP',
  0x70: 'OP_2OVER',
  0x71: 'OP_2ROT',
  0x72: 'OP_2SWAP',
  0x73: 'OP_IFDUP',
  0x74: 'OP_DEPTH',
  0x75: 'OP_DROP',
  0x76: 'OP_DUP',
  0x77: 'OP_NIP',
  0x78: 'OP_OVER',
  0x79: 'OP_PICK',
  0x7a: 'OP_ROLL',
  0x7b: 'OP_ROT',
  0x7c: 'OP_SWAP',
  0x7d: 'OP_TUCK',
  0x7e: 'OP_CAT',
  0x7f: 'OP_SUBSTR',
  0x80: 'OP_LEFT',
  0x81: 'OP_RIGHT',
  0x82: 'OP_SIZE',
  0x83: 'OP_INVERT',
  0x84: 'OP_AND',
  0x85: 'OP_OR',
  0x86: 'OP_XOR',
  0x87: 'OP_EQUAL',
  0x88: 'OP_EQUALVERIFY',
  0x89: 'OP_RESERVED1',
  0x8a: 'OP_RESERVED2',
  0x8b: 'OP_1ADD',
  0x8c: 'OP_1SUB',
  0x8d: 'OP_2MUL',
  0x8e: 'OP_2DIV',
  0x8f: 'OP_NEGATE',
  0x90: 'OP_ABS',
  0x91: 'OP_NOT',
  0x92: 'OP_0NOTEQUAL',
  0x93: 'OP_ADD',
  0x94: 'OP_SUB',
  0x95: 'OP_MUL',
  0x96: 'OP_DIV',
  0x97: 'OP_MOD',
  0x98: 'OP_LSHIFT',
  0x99: 'OP_RSHIFT',
  0x9a: 'OP_BOOLAND',
  0x9b: 'OP_BOOLOR',
  0x9c: 'OP_NUMEQUAL',
  0x9d: 'OP_NUMEQUALVERIFY',
  0x9e: 'OP_NUMNOTEQUAL',
  0x9f: 'OP_LESSTHAN',
  0xa0: 'OP_GREATERTHAN',
  0xa1: 'OP_LESSTHANOREQUAL',
  0xa2: 'OP_GREATERTHANOREQUAL',
  0xa3: 'OP_MIN',
  0xa4: 'OP_MAX',
  0xa5: 'OP_WITHIN',
  0xa6: 'OP_RIPEMD160',
  0xa7: 'OP_SHA1',
  0xa8: 'OP_SHA256',
  0xa9: 'OP_HASH160',
  0xaa: 'OP_HASH256',
  0xab: 'OP_CODESEPARATOR',
  0xac: 'OP_CHECKSIG',
  0xad: 'OP_CHECKSIGVERIFY',
  0xae: 'OP_CHECKMULTISIG',
  0xaf: 'OP_CHECKMULTISIGVERIFY',
  0xb0: 'OP_NOP1',
  0xb1: 'OP_CHECKLOCKTIMEVERIFY',
  0xb2: 'OP_CHECKSEQUENCEVERIFY',
  0xb3: 'OP_NOP4',
  0xb4: 'OP_NOP5',
  0xb5: 'OP_NOP6',
  0xb6: 'OP_NOP7',
  0xb7: 'OP_NOP8',
  0xb8: 'OP_NOP9',
  0xb9: 'OP_NOP10',
  0xba: 'OP_CHECKSIGADD',
};

function opName(op: number): string {
  if (op >= OP_1 && op <= OP_16) return String(op - OP_1 + 1);
  return OPCODE_NAMES[op] ?? 'OP_UNKNOWN';
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

/** Core's ScriptToAsmStr (without signature-hash decoding): small pushes print as numbers, as Core does. */
export function scriptToAsm(script: Uint8Array): string {
  const parts: string[] = [];
  let pc = 0;
  while (pc < script.length) {
    const opcode = script[pc];
    if (opcode > 0 && opcode <= OP_PUSHDATA4) {
      const ops = parseScript(script.subarray(pc));
      const first = ops?.[0];
      if (!first || !first.data) {
        parts.push('[error]');
        break;
      }
      const width = opcode < OP_PUSHDATA1 ? 0 : opcode === OP_PUSHDATA1 ? 1 : opcode === OP_PUSHDATA2 ? 2 : 4;
      pc += 1 + width + first.data.length;
      if (first.data.length <= 4) parts.push(String(scriptNumValue(first.data)));
      else parts.push(hex(first.data));
    } else {
      parts.push(opName(opcode));
      pc++;
    }
  }
  return parts.join(' ');
}

function scriptNumValue(data: Uint8Array): number {
  if (data.length === 0) return 0;
  let value = 0;
  for (let i = 0; i < data.length; i++) value += data[i] * 2 ** (8 * i);
  const last = data[data.length - 1];
  if (last & 0x80) return -(value - 0x80 * 2 ** (8 * (data.length - 1)));
  return value;
}

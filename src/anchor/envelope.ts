import { fail } from './errors.ts';

/**
 * The taproot envelope (docs/anchoring.md §2): a tapscript leaf
 *   <sequencer x-only key> OP_CHECKSIG OP_FALSE OP_IF "keel" <part: u16 index ‖ u16 count> <data>… OP_ENDIF
 * The IF branch never runs, so the pushes are inert data; only the sequencer's signature can spend the output.
 */
export const ENVELOPE_TAG = Uint8Array.of(0x6b, 0x65, 0x65, 0x6c); // "keel"
/** Consensus limit of one push (MAX_SCRIPT_ELEMENT_SIZE). */
export const MAX_PUSH = 520;

const OP_0 = 0x00;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_IF = 0x63;
const OP_ENDIF = 0x68;
const OP_CHECKSIG = 0xac;

export type EnvelopePart = { key: Uint8Array; index: number; count: number; data: Uint8Array };

function pushBytes(data: Uint8Array): number[] {
  const n = data.length;
  if (n === 0 || n > MAX_PUSH) fail('INVALID_PARAMETER', `push of ${n} bytes`);
  const prefix = n < OP_PUSHDATA1 ? [n] : n <= 0xff ? [OP_PUSHDATA1, n] : [OP_PUSHDATA2, n & 0xff, n >> 8];
  return prefix;
}

/** Script bytes of the leaf carrying one part of a payload. */
export function envelopeScript(part: EnvelopePart): Uint8Array {
  if (part.key.length !== 32) fail('INVALID_PARAMETER', 'the sequencer key must be a 32-byte x-only key');
  if (part.count < 1 || part.count > 0xffff || part.index < 0 || part.index >= part.count)
    fail('INVALID_PARAMETER', `envelope part ${part.index} of ${part.count}`);
  if (part.data.length === 0) fail('INVALID_PARAMETER', 'an envelope part carries at least one byte');
  const partId = Uint8Array.of(part.index >> 8, part.index & 0xff, part.count >> 8, part.count & 0xff);
  const chunks: Uint8Array[] = [ENVELOPE_TAG, partId];
  for (let off = 0; off < part.data.length; off += MAX_PUSH) chunks.push(part.data.subarray(off, off + MAX_PUSH));
  const size = 34 + 2 + chunks.reduce((n, c) => n + pushBytes(c).length + c.length, 0) + 1;
  const out = new Uint8Array(size);
  let off = 0;
  out[off++] = 32;
  out.set(part.key, off);
  off += 32;
  out[off++] = OP_CHECKSIG;
  out[off++] = OP_0;
  out[off++] = OP_IF;
  for (const c of chunks) {
    const p = pushBytes(c);
    out.set(p, off);
    off += p.length;
    out.set(c, off);
    off += c.length;
  }
  out[off++] = OP_ENDIF;
  return out;
}

/** Script bytes an envelope with `dataBytes` of payload takes (for sizing parts before building them). */
export function envelopeOverhead(dataBytes: number): number {
  const full = Math.floor(dataBytes / MAX_PUSH);
  const rest = dataBytes % MAX_PUSH;
  const restPrefix = rest === 0 ? 0 : rest < OP_PUSHDATA1 ? 1 : rest <= 0xff ? 2 : 3;
  return 34 + 2 + 5 + 5 + full * 3 + restPrefix + 1;
}

/**
 * Parses a leaf script as a Keel envelope. Anything else (another protocol's envelope, garbage, a non-minimal or
 * oversized push, trailing opcodes) is a MALFORMED_ENVELOPE error.
 */
export function parseEnvelope(script: Uint8Array): EnvelopePart {
  let off = 0;
  const need = (n: number) => {
    if (off + n > script.length) fail('MALFORMED_ENVELOPE', 'envelope script is truncated');
  };
  need(37);
  if (script[0] !== 32 || script[33] !== OP_CHECKSIG || script[34] !== OP_0 || script[35] !== OP_IF)
    fail('MALFORMED_ENVELOPE', 'not an envelope leaf (<key> OP_CHECKSIG OP_FALSE OP_IF …)');
  const key = new Uint8Array(script.subarray(1, 33));
  off = 36;
  const pushes: Uint8Array[] = [];
  while (true) {
    need(1);
    const op = script[off++]!;
    if (op === OP_ENDIF) break;
    let n: number;
    if (op >= 1 && op < OP_PUSHDATA1) n = op;
    else if (op === OP_PUSHDATA1) {
      need(1);
      n = script[off++]!;
      if (n < OP_PUSHDATA1) fail('MALFORMED_ENVELOPE', 'non-minimal push in envelope');
    } else if (op === OP_PUSHDATA2) {
      need(2);
      n = script[off]! | (script[off + 1]! << 8);
      off += 2;
      if (n <= 0xff) fail('MALFORMED_ENVELOPE', 'non-minimal push in envelope');
    } else fail('MALFORMED_ENVELOPE', `unexpected opcode 0x${op.toString(16)} inside the envelope`);
    if (n > MAX_PUSH) fail('MALFORMED_ENVELOPE', `push of ${n} bytes exceeds ${MAX_PUSH}`);
    need(n);
    pushes.push(script.subarray(off, off + n));
    off += n;
  }
  if (off !== script.length) fail('MALFORMED_ENVELOPE', 'opcodes after the envelope');
  const [tag, partId, ...data] = pushes;
  if (!tag || tag.length !== 4 || !tag.every((b, i) => b === ENVELOPE_TAG[i]))
    fail('MALFORMED_ENVELOPE', 'envelope is not tagged "keel"');
  if (!partId || partId.length !== 4) fail('MALFORMED_ENVELOPE', 'envelope has no part number');
  const index = (partId[0]! << 8) | partId[1]!;
  const count = (partId[2]! << 8) | partId[3]!;
  if (count < 1 || index >= count) fail('MALFORMED_ENVELOPE', `envelope part ${index} of ${count}`);
  if (data.length === 0) fail('MALFORMED_ENVELOPE', 'envelope carries no data');
  const total = data.reduce((n, d) => n + d.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const d of data) {
    out.set(d, o);
    o += d.length;
  }
  return { key, index, count, data: out };
}

/**
 * The leaf script of a taproot script-path witness (BIP341: drop an annex, then the last item is the control block
 * and the one before it the script), or undefined for a key-path or non-taproot witness.
 */
export function leafScriptOf(witness: Uint8Array[]): Uint8Array | undefined {
  let items = witness;
  if (items.length >= 2 && items[items.length - 1]![0] === 0x50) items = items.slice(0, -1);
  if (items.length < 2) return undefined;
  const control = items[items.length - 1]!;
  if (control.length < 33 || (control.length - 33) % 32 !== 0 || (control[0]! & 0xfe) !== 0xc0) return undefined;
  return items[items.length - 2];
}

import { ByteReader, ByteWriter } from './bytes.ts';
import { TxError } from './errors.ts';

export interface TxInput {
  /** Previous transaction id, 32 bytes in internal (hash) byte order. */
  txid: Uint8Array;
  vout: number;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

export interface TxOutput {
  /** Satoshis; kept as read (a signed 64-bit field) so that range checks can report bad values. */
  value: bigint;
  script: Uint8Array;
}

export interface Transaction {
  /** Unsigned 32-bit, as Bitcoin Core (v28+) treats it. */
  version: number;
  inputs: TxInput[];
  outputs: TxOutput[];
  locktime: number;
}

// Smallest possible serializations bound how many items a byte count can hold (guards memory on hostile counts).
const MIN_INPUT_SIZE = 32 + 4 + 1 + 4;
const MIN_OUTPUT_SIZE = 8 + 1;

function readCount(r: ByteReader, minItemSize: number, what: string): number {
  const n = r.compactSize(what);
  if (n * minItemSize > r.remaining)
    throw new TxError('COUNT_TOO_LARGE', `${what} ${n} cannot fit in the ${r.remaining} bytes left`);
  return n;
}

function readInputs(r: ByteReader): TxInput[] {
  const n = readCount(r, MIN_INPUT_SIZE, 'input count');
  const inputs: TxInput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const txid = r.bytes(32, 'prevout txid');
    const vout = r.u32('prevout index');
    const scriptSig = r.varBytes('scriptSig');
    const sequence = r.u32('sequence');
    inputs[i] = { txid, vout, scriptSig, sequence, witness: [] };
  }
  return inputs;
}

function readOutputs(r: ByteReader): TxOutput[] {
  const n = readCount(r, MIN_OUTPUT_SIZE, 'output count');
  const outputs: TxOutput[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const value = r.i64('output value');
    const script = r.varBytes('output script');
    outputs[i] = { value, script };
  }
  return outputs;
}

/**
 * Decodes a consensus-serialized transaction (BIP144 witness format accepted), following Core's
 * UnserializeTransaction exactly, and rejects trailing bytes. The input is copied once, so later changes
 * to `bytes` do not alter the result.
 */
export function decodeTransaction(bytes: Uint8Array, opts: { allowWitness?: boolean } = {}): Transaction {
  const allowWitness = opts.allowWitness ?? true;
  if (!(bytes instanceof Uint8Array)) throw new TxError('BAD_FIELD', 'expected Uint8Array');
  // A copy into a plain Uint8Array: a Buffer's slice() is a view, and the fields must not alias the caller's bytes.
  const r = new ByteReader(Uint8Array.from(bytes));
  const version = r.u32('version');
  let inputs = readInputs(r);
  let outputs: TxOutput[] = [];
  let flags = 0;
  if (inputs.length === 0 && allowWitness) {
    flags = r.u8('witness flag');
    if (flags !== 0) {
      inputs = readInputs(r);
      outputs = readOutputs(r);
    }
  } else {
    outputs = readOutputs(r);
  }
  if (flags & 1 && allowWitness) {
    flags ^= 1;
    let any = false;
    for (const input of inputs) {
      const n = readCount(r, 1, 'witness item count');
      const stack: Uint8Array[] = new Array(n);
      for (let j = 0; j < n; j++) stack[j] = r.varBytes('witness item');
      input.witness = stack;
      if (n > 0) any = true;
    }
    if (!any) throw new TxError('SUPERFLUOUS_WITNESS', 'witness flag set but every witness is empty');
  }
  if (flags) throw new TxError('BAD_WITNESS_FLAG', `unknown optional data flag ${flags}`);
  const locktime = r.u32('locktime');
  if (r.remaining !== 0) throw new TxError('TRAILING_BYTES', `${r.remaining} bytes after the transaction`);
  return { version, inputs, outputs, locktime };
}

export function hasWitness(tx: Transaction): boolean {
  for (const input of tx.inputs) if (input.witness.length > 0) return true;
  return false;
}

const isU32 = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/**
 * Checks that `tx` has the shape of a Transaction (types and field ranges), so that code handed an object from
 * outside fails with a TxError instead of a TypeError deep inside serialization.
 */
export function assertTransaction(tx: Transaction): void {
  if (typeof tx !== 'object' || tx === null || !Array.isArray(tx.inputs) || !Array.isArray(tx.outputs))
    throw new TxError('BAD_FIELD', 'transaction must have inputs and outputs arrays');
  if (!isU32(tx.version)) throw new TxError('BAD_FIELD', 'version must be a 32-bit unsigned integer');
  if (!isU32(tx.locktime)) throw new TxError('BAD_FIELD', 'locktime must be a 32-bit unsigned integer');
  for (const input of tx.inputs) {
    if (typeof input !== 'object' || input === null) throw new TxError('BAD_FIELD', 'input must be an object');
    if (!(input.txid instanceof Uint8Array) || input.txid.length !== 32)
      throw new TxError('BAD_FIELD', 'input txid must be 32 bytes');
    if (!isU32(input.vout)) throw new TxError('BAD_FIELD', 'input vout must be a 32-bit unsigned integer');
    if (!isU32(input.sequence)) throw new TxError('BAD_FIELD', 'input sequence must be a 32-bit unsigned integer');
    if (!(input.scriptSig instanceof Uint8Array)) throw new TxError('BAD_FIELD', 'input scriptSig must be bytes');
    if (!Array.isArray(input.witness) || !input.witness.every((w) => w instanceof Uint8Array))
      throw new TxError('BAD_FIELD', 'input witness must be an array of byte arrays');
  }
  for (const output of tx.outputs) {
    if (typeof output !== 'object' || output === null) throw new TxError('BAD_FIELD', 'output must be an object');
    if (typeof output.value !== 'bigint' || BigInt.asIntN(64, output.value) !== output.value)
      throw new TxError('BAD_VALUE', 'output value must be a 64-bit bigint');
    if (!(output.script instanceof Uint8Array)) throw new TxError('BAD_FIELD', 'output script must be bytes');
  }
}

/** Consensus serialization; with `witness` (default) uses the BIP144 format when any input has a witness. */
export function encodeTransaction(tx: Transaction, opts: { witness?: boolean } = {}): Uint8Array {
  assertTransaction(tx);
  const withWitness = (opts.witness ?? true) && hasWitness(tx);
  const w = new ByteWriter(estimateSize(tx, withWitness));
  w.u32(tx.version);
  if (withWitness) {
    w.u8(0);
    w.u8(1);
  }
  w.compactSize(tx.inputs.length);
  for (const input of tx.inputs) {
    w.bytes(input.txid);
    w.u32(input.vout);
    w.varBytes(input.scriptSig);
    w.u32(input.sequence);
  }
  w.compactSize(tx.outputs.length);
  for (const output of tx.outputs) {
    w.i64(output.value);
    w.varBytes(output.script);
  }
  if (withWitness) {
    for (const input of tx.inputs) {
      w.compactSize(input.witness.length);
      for (const item of input.witness) w.varBytes(item);
    }
  }
  w.u32(tx.locktime);
  return w.finish();
}

function estimateSize(tx: Transaction, withWitness: boolean): number {
  let n = 16;
  for (const input of tx.inputs) {
    n += 50 + input.scriptSig.length;
    if (withWitness) for (const item of input.witness) n += 5 + item.length;
  }
  for (const output of tx.outputs) n += 18 + output.script.length;
  return n;
}

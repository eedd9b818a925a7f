import { poseidon } from '../crypto/poseidon.ts';
import { fail } from '../errors.ts';
import { MAX_AMOUNT } from '../state/account.ts';
import { Reader, Writer } from './bytes.ts';
import { packScript } from './script.ts';
import { MAX_SCRIPT_BYTES } from './types.ts';
import type { Op } from './types.ts';

/**
 * Protocol §7.1: the data-availability encoding of a batch's operations (no signatures, no nonces), and §7.2 the
 * SNARK data digest over the same operations.
 */
export type DaOp =
  | { kind: 'transfer'; from: number; to: number; amount: bigint; fee: bigint }
  | { kind: 'withdraw'; from: number; amount: bigint; fee: bigint; script: Uint8Array }
  | { kind: 'deposit'; index: number }
  | { kind: 'forcedExit'; applied: boolean };

export function indexBytes(depth: number): number {
  return Math.ceil(depth / 8);
}

function decimal(v: bigint, maxExp: number): { e: number; m: bigint } {
  if (v === 0n) return { e: 0, m: 0n };
  let e = 0;
  let m = v;
  while (e < maxExp && m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  return { e, m };
}

export function toDaOp(op: Op): DaOp | undefined {
  switch (op.kind) {
    case 'transfer':
      return { kind: 'transfer', from: op.tx.from, to: op.tx.to, amount: op.tx.amount, fee: op.tx.fee };
    case 'withdraw':
      return { kind: 'withdraw', from: op.tx.from, amount: op.tx.amount, fee: op.tx.fee, script: op.tx.script };
    case 'deposit':
      return { kind: 'deposit', index: op.index };
    case 'forcedExit':
      return { kind: 'forcedExit', applied: op.applied };
    case 'feeCredit':
      return undefined; // implied by the fees of the batch
  }
}

export function encodeDaOp(op: DaOp, depth: number, w: Writer = new Writer()): Writer {
  const ib = indexBytes(depth);
  switch (op.kind) {
    case 'transfer': {
      const a = decimal(op.amount, 15);
      const f = decimal(op.fee, 7);
      return w
        .u8((a.e << 3) | f.e)
        .uint(op.from, ib)
        .uint(op.to, ib)
        .leb(a.m)
        .leb(f.m);
    }
    case 'withdraw':
      return w.u8(0x80).uint(op.from, ib).leb(op.amount).leb(op.fee).u8(op.script.length).bytes(op.script);
    case 'deposit':
      return w.u8(0x81).uint(op.index, ib);
    case 'forcedExit':
      return w.u8(op.applied ? 0x82 : 0x83);
  }
}

export function encodeDa(ops: readonly DaOp[], depth: number): Uint8Array {
  const w = new Writer();
  for (const op of ops) encodeDaOp(op, depth, w);
  return w.finish();
}

function amountFrom(m: bigint, e: number): bigint {
  const v = m * 10n ** BigInt(e);
  if (v > MAX_AMOUNT) fail('AMOUNT_OVERFLOW', 'DA amount exceeds 2^63');
  return v;
}

export function decodeDa(bytes: Uint8Array, depth: number): DaOp[] {
  const ib = indexBytes(depth);
  const r = new Reader(bytes, 'batch data');
  const ops: DaOp[] = [];
  while (r.remaining > 0) {
    const head = r.u8();
    if ((head & 0x80) === 0) {
      const from = r.uint(ib);
      const to = r.uint(ib);
      const amount = amountFrom(r.leb(), head >> 3);
      const fee = amountFrom(r.leb(), head & 7);
      ops.push({ kind: 'transfer', from, to, amount, fee });
    } else if (head === 0x80) {
      const from = r.uint(ib);
      const amount = amountFrom(r.leb(), 0);
      const fee = amountFrom(r.leb(), 0);
      const len = r.u8();
      if (len < 1 || len > MAX_SCRIPT_BYTES) fail('MALFORMED_ENCODING', `batch data: script length ${len}`);
      ops.push({ kind: 'withdraw', from, amount, fee, script: r.bytes(len) });
    } else if (head === 0x81) {
      ops.push({ kind: 'deposit', index: r.uint(ib) });
    } else if (head === 0x82 || head === 0x83) {
      ops.push({ kind: 'forcedExit', applied: head === 0x82 });
    } else {
      fail('MALFORMED_ENCODING', `batch data: unknown operation 0x${head.toString(16)}`);
    }
  }
  return ops;
}

const sh = (v: bigint | number, bits: number): bigint => BigInt(v) << BigInt(bits);

/** The three digest elements of one operation (protocol §7.2). */
export function digestElements(op: DaOp): [bigint, bigint, bigint] {
  switch (op.kind) {
    case 'transfer':
      return [1n + sh(op.from, 4) + sh(op.to, 36) + sh(op.amount, 68) + sh(op.fee, 132), 0n, 0n];
    case 'withdraw': {
      const { w0, w1, len } = packScript(op.script);
      return [2n + sh(op.from, 4) + sh(op.amount, 36) + sh(op.fee, 100) + sh(len, 164), w0, w1];
    }
    case 'deposit':
      return [3n + sh(op.index, 4), 0n, 0n];
    case 'forcedExit':
      return [4n + sh(op.applied ? 1 : 0, 4), 0n, 0n];
  }
}

export function dataDigestStep(previous: bigint, op: DaOp): bigint {
  return poseidon([previous, ...digestElements(op)]);
}

export function dataDigest(ops: readonly DaOp[]): bigint {
  let d = 0n;
  for (const op of ops) d = dataDigestStep(d, op);
  return d;
}

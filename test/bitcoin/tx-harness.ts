// Core's transaction_tests harness for tx_valid.json / tx_invalid.json.
import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Transaction, TxOutput, VerifyFlags } from '../../src/bitcoin/index.ts';
import {
  FLAG_NAMES,
  PrecomputedTxData,
  SCRIPT_VERIFY,
  ScriptError,
  parseAsm,
  verifyInput,
  SignatureCache,
} from '../../src/bitcoin/index.ts';

export type TxVector = [[string, number, string, number?][], string, string];

export function loadVectors(name: string): { vector: TxVector; comment: string }[] {
  const rows = JSON.parse(readFile(name)) as unknown[][];
  const out: { vector: TxVector; comment: string }[] = [];
  let comment = '';
  for (const row of rows) {
    if (Array.isArray(row[0])) {
      out.push({ vector: row as unknown as TxVector, comment });
      comment = '';
    } else comment = comment ? `${comment} ${String(row[0])}` : String(row[0]);
  }
  return out;
}

function readFile(name: string): string {
  return readFileSync(new URL(`../vectors/bitcoin-core/${name}`, import.meta.url), 'utf8');
}

export const ALL_FLAGS: VerifyFlags = FLAG_NAMES.reduce((acc, n) => acc | SCRIPT_VERIFY[n], 0);

/** Core's FillFlags: flags that imply others get them. */
export function fillFlags(flags: VerifyFlags): VerifyFlags {
  if (flags & SCRIPT_VERIFY.CLEANSTACK) flags |= SCRIPT_VERIFY.WITNESS;
  if (flags & SCRIPT_VERIFY.WITNESS) flags |= SCRIPT_VERIFY.P2SH;
  return flags;
}

/** Core's TrimFlags: drop flags whose prerequisites are gone. */
export function trimFlags(flags: VerifyFlags): VerifyFlags {
  if (!(flags & SCRIPT_VERIFY.P2SH)) flags &= ~SCRIPT_VERIFY.WITNESS;
  if (!(flags & SCRIPT_VERIFY.WITNESS)) flags &= ~SCRIPT_VERIFY.CLEANSTACK;
  return flags;
}

/** Core's ExcludeIndividualFlags: each set flag removed in turn, skipping results that are not self-consistent. */
export function excludeIndividualFlags(flags: VerifyFlags): VerifyFlags[] {
  const out: VerifyFlags[] = [];
  for (const name of FLAG_NAMES) {
    const bit = SCRIPT_VERIFY[name];
    if (!(flags & bit)) continue;
    const without = flags & ~bit;
    if (fillFlags(without) === without) out.push(without);
  }
  return out;
}

export interface Prepared {
  tx: Transaction;
  prevouts: TxOutput[] | null;
  precomputed: PrecomputedTxData | null;
}

export function prepare(tx: Transaction, prevoutRows: TxVector[0]): Prepared {
  const map = new Map<string, TxOutput>();
  for (const [hash, n, asm, amount] of prevoutRows) {
    const txid = hexToBytes(hash).reverse();
    map.set(`${Buffer.from(txid).toString('hex')}:${n === -1 ? 0xffffffff : n}`, {
      value: BigInt(amount ?? 0),
      script: parseAsm(asm),
    });
  }
  const prevouts: TxOutput[] = [];
  for (const input of tx.inputs) {
    const p = map.get(`${Buffer.from(input.txid).toString('hex')}:${input.vout}`);
    if (!p) return { tx, prevouts: null, precomputed: null };
    prevouts.push(p);
  }
  return { tx, prevouts, precomputed: new PrecomputedTxData(tx, prevouts) };
}

const sigCache = new SignatureCache();

/** Core's CheckTxScripts: true when every input verifies under `flags` (a missing prevout fails). */
export function scriptsValid(p: Prepared, flags: VerifyFlags): boolean {
  if (!p.prevouts || !p.precomputed) return false;
  for (let index = 0; index < p.tx.inputs.length; index++) {
    try {
      verifyInput({ tx: p.tx, index, prevouts: p.prevouts, flags, precomputed: p.precomputed, sigCache });
    } catch (err) {
      if (err instanceof ScriptError) return false;
      throw err;
    }
  }
  return true;
}

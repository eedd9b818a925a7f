// Script verification throughput: P2WPKH, taproot key path, a 1,000-opcode arithmetic tapscript leaf, and a 100 KB
// tapscript. Transactions are built and signed with @scure/btc-signer and @noble/curves; every spend is checked to
// verify (and a tampered copy to fail) before anything is timed. No signature cache: each run verifies for real.
import * as btc from '@scure/btc-signer';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { printTable } from '../src/shared/index.ts';
import type { Transaction, TxOutput } from '../src/bitcoin/index.ts';
import {
  MANDATORY_FLAGS,
  OP,
  ScriptError,
  decodeTransaction,
  pushData,
  verifyInput,
  STANDARD_FLAGS,
} from '../src/bitcoin/index.ts';

const sk = sha256(new TextEncoder().encode('keel bench key'));
const internalSk = sha256(new TextEncoder().encode('keel bench internal key'));
const prevTxid = sha256(new TextEncoder().encode('keel bench prevout'));
const AMOUNT = 100_000n;

interface Case {
  name: string;
  tx: Transaction;
  prevouts: TxOutput[];
  scriptBytes: number;
}

function fromSigner(tx: btc.Transaction, witness?: Uint8Array[]): Transaction {
  const decoded = decodeTransaction(tx.toBytes(true, !witness));
  if (witness) decoded.inputs[0].witness = witness;
  return decoded;
}

function newTx(script: Uint8Array, extra: Record<string, unknown> = {}): btc.Transaction {
  const tx = new btc.Transaction({ allowUnknownOutputs: true, allowUnknownInputs: true });
  tx.addInput({ txid: prevTxid, index: 0, witnessUtxo: { script, amount: AMOUNT }, ...extra });
  tx.addOutput({ script, amount: AMOUNT - 1_000n });
  return tx;
}

function p2wpkhCase(): Case {
  const pay = btc.p2wpkh(secp256k1.getPublicKey(sk, true));
  const tx = newTx(pay.script);
  tx.sign(sk);
  tx.finalize();
  return {
    name: 'P2WPKH spend',
    tx: decodeTransaction(tx.extract()),
    prevouts: [{ value: AMOUNT, script: pay.script }],
    scriptBytes: 25,
  };
}

function keyPathCase(): Case {
  const pay = btc.p2tr(schnorr.getPublicKey(sk));
  const tx = newTx(pay.script, { tapInternalKey: schnorr.getPublicKey(sk) });
  tx.sign(sk);
  tx.finalize();
  return {
    name: 'taproot key path',
    tx: decodeTransaction(tx.extract()),
    prevouts: [{ value: AMOUNT, script: pay.script }],
    scriptBytes: 0,
  };
}

/** A script-path spend of `leaf`; `sign` adds a BIP340 signature over btc-signer's own BIP341 preimage. */
function scriptPathCase(name: string, leaf: Uint8Array, sign: boolean): Case {
  const pay = btc.p2tr(schnorr.getPublicKey(internalSk), { script: leaf }, undefined, true);
  const [controlBlock] = pay.tapLeafScript![0];
  const control = btc.TaprootControlBlock.encode(controlBlock);
  const tx = newTx(pay.script);
  const witness: Uint8Array[] = [leaf, control];
  if (sign) {
    const msg = tx.preimageWitnessV1(0, [pay.script], btc.SigHash.DEFAULT, [AMOUNT], undefined, leaf, 0xc0);
    witness.unshift(schnorr.sign(msg, sk, new Uint8Array(32)));
  }
  return {
    name,
    tx: fromSigner(tx, witness),
    prevouts: [{ value: AMOUNT, script: pay.script }],
    scriptBytes: leaf.length,
  };
}

function arithmeticLeaf(): Uint8Array {
  const body = new Array(1000).fill(0).map((_, i) => [OP.OP_1ADD, OP.OP_1SUB, OP.OP_1ADD, OP.OP_NEGATE][i % 4]);
  // 0, then 1ADD/1SUB/1ADD/NEGATE ×250: the value ends at 0 after every NEGATE round trip pair.
  return Uint8Array.of(OP.OP_0, ...body, OP.OP_0, OP.OP_NUMEQUAL);
}

function bigLeaf(): Uint8Array {
  const chunk = [...pushData(new Uint8Array(520).fill(0xab)), OP.OP_SHA256, OP.OP_DROP];
  const parts: number[] = [];
  while (parts.length + chunk.length < 100_000 - 40) parts.push(...chunk);
  return Uint8Array.of(...parts, ...pushData(schnorr.getPublicKey(sk)), OP.OP_CHECKSIG);
}

function verify(c: Case): void {
  verifyInput({ tx: c.tx, index: 0, prevouts: c.prevouts, flags: MANDATORY_FLAGS });
}

function mustFail(c: Case): void {
  const tampered: Transaction = { ...c.tx, locktime: c.tx.locktime + 1 };
  const witness = c.tx.inputs[0].witness.slice();
  if (c.name.includes('arithmetic')) witness[0] = Uint8Array.of(OP.OP_1); // corrupt leaf → commitment mismatch
  tampered.inputs = [{ ...c.tx.inputs[0], witness }];
  try {
    verifyInput({ tx: tampered, index: 0, prevouts: c.prevouts, flags: MANDATORY_FLAGS });
  } catch (err) {
    if (err instanceof ScriptError) return;
    throw err;
  }
  throw new Error(`${c.name}: tampered spend verified`);
}

const cases = [
  p2wpkhCase(),
  keyPathCase(),
  scriptPathCase('tapscript, 1,000 arithmetic opcodes', arithmeticLeaf(), false),
  scriptPathCase('tapscript, 100 KB (190 SHA256 + CHECKSIG)', bigLeaf(), true),
];

for (const c of cases) {
  verify(c);
  verifyInput({ tx: c.tx, index: 0, prevouts: c.prevouts, flags: STANDARD_FLAGS });
  mustFail(c);
}

const rows: (string | number)[][] = [];
const results: Record<string, number> = {};
const keys = ['p2wpkh', 'taproot_keypath', 'tapscript_1000_ops', 'tapscript_100kb'];
cases.forEach((c, i) => {
  for (let w = 0; w < 20; w++) verify(c);
  let n = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < 1500) {
    verify(c);
    n++;
    elapsed = performance.now() - started;
  }
  const perSec = Math.round((n * 1000) / elapsed);
  results[keys[i]] = perSec;
  rows.push([c.name, c.scriptBytes, n, (elapsed / n).toFixed(3), perSec]);
});
printTable(['spend', 'script bytes', 'runs', 'ms/verify', 'verifications/s'], rows);
console.log(JSON.stringify({ bench: 'script', unit: 'verifications/s', ...results }));

// verifyInput / verifyTransaction on transactions signed by @scure/btc-signer (P2PKH, P2WPKH, P2SH-P2WPKH, P2TR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as btc from '@scure/btc-signer';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Transaction, TxOutput } from '../../src/bitcoin/index.ts';
import {
  MANDATORY_FLAGS,
  STANDARD_FLAGS,
  ScriptError,
  SignatureCache,
  decodeTransaction,
  parseFlags,
  FlagsError,
  verifyInput,
  verifyTransaction,
} from '../../src/bitcoin/index.ts';

const sk = sha256(new TextEncoder().encode('keel verify test'));
const pub = secp256k1.getPublicKey(sk, true);

function signed(): { tx: Transaction; prevouts: TxOutput[] } {
  const spends = [btc.p2pkh(pub), btc.p2wpkh(pub), btc.p2sh(btc.p2wpkh(pub)), btc.p2tr(schnorr.getPublicKey(sk))];
  const prevTx = new btc.Transaction({ allowUnknownOutputs: true });
  prevTx.addInput({ txid: new Uint8Array(32).fill(9), index: 0 });
  for (const s of spends) prevTx.addOutput({ script: s.script, amount: 50_000n });
  const prevRaw = prevTx.toBytes(true, false);
  const tx = new btc.Transaction();
  spends.forEach((s, i) => {
    const base = { txid: prevTx.id, index: i, witnessUtxo: { script: s.script, amount: 50_000n } };
    if (i === 0) tx.addInput({ ...base, nonWitnessUtxo: prevRaw });
    else if (i === 2) tx.addInput({ ...base, redeemScript: btc.p2wpkh(pub).script });
    else if (i === 3) tx.addInput({ ...base, tapInternalKey: schnorr.getPublicKey(sk) });
    else tx.addInput(base);
  });
  tx.addOutput({ script: btc.p2wpkh(pub).script, amount: 190_000n });
  tx.sign(sk);
  tx.finalize();
  return { tx: decodeTransaction(tx.extract()), prevouts: spends.map((s) => ({ value: 50_000n, script: s.script })) };
}

const { tx, prevouts } = signed();

test('verifyTransaction: P2PKH, P2WPKH, P2SH-P2WPKH and P2TR inputs verify under standard flags', () => {
  verifyTransaction(tx, prevouts, STANDARD_FLAGS);
  for (let index = 0; index < tx.inputs.length; index++) verifyInput({ tx, index, prevouts, flags: MANDATORY_FLAGS });
});

test('verifyTransaction: a changed output breaks every signature; the error names the input', () => {
  const bad: Transaction = { ...tx, outputs: [{ ...tx.outputs[0], value: tx.outputs[0].value - 1n }] };
  assert.throws(
    () => verifyTransaction(bad, prevouts, MANDATORY_FLAGS),
    (e: unknown) => e instanceof ScriptError && e.code === 'EVAL_FALSE' && /input 0/.test(e.details ?? ''),
  );
  assert.throws(
    () => verifyInput({ tx: bad, index: 3, prevouts, flags: MANDATORY_FLAGS }),
    (e: unknown) => e instanceof ScriptError && e.code === 'SCHNORR_SIG',
  );
});

test('verifyInput: a wrong amount breaks segwit signatures (BIP143/BIP341 commit to it)', () => {
  const wrong = prevouts.map((p) => ({ ...p, value: p.value + 1n }));
  verifyInput({ tx, index: 0, prevouts: wrong, flags: MANDATORY_FLAGS }); // legacy does not sign amounts
  for (const index of [1, 2, 3])
    assert.throws(() => verifyInput({ tx, index, prevouts: wrong, flags: MANDATORY_FLAGS }), ScriptError);
});

test('verifyInput: the signature cache gives the same verdicts', () => {
  const cache = new SignatureCache();
  for (let round = 0; round < 2; round++) verifyTransaction(tx, prevouts, MANDATORY_FLAGS, cache);
  const bad: Transaction = { ...tx, locktime: 1 };
  assert.throws(() => verifyTransaction(bad, prevouts, MANDATORY_FLAGS, cache), ScriptError);
});

test('verifyInput: malformed arguments are typed errors', () => {
  const cases: unknown[] = [
    { tx, index: 9, prevouts, flags: 0 },
    { tx, index: 0, prevouts: prevouts.slice(1), flags: 0 },
    { tx, index: 0, prevouts: prevouts.map(() => ({ value: 1, script: new Uint8Array(0) })), flags: 0 },
    { tx, index: 0, prevouts, flags: -1 },
    { tx: null, index: 0, prevouts, flags: 0 },
  ];
  for (const args of cases)
    assert.throws(
      () => verifyInput(args as Parameters<typeof verifyInput>[0]),
      (e: unknown) => e instanceof ScriptError && e.code === 'UNKNOWN_ERROR',
    );
});

test('parseFlags: Core names, empty and NONE; unknown names are typed errors', () => {
  assert.equal(parseFlags(''), 0);
  assert.equal(parseFlags('NONE'), 0);
  assert.equal(parseFlags('P2SH,WITNESS'), 1 | (1 << 11));
  assert.throws(() => parseFlags('P2SH,BOGUS'), FlagsError);
});

test('verifyInput: malformed transactions are typed errors, never TypeErrors', () => {
  const broken: unknown[] = [
    { ...tx, version: -1 },
    { ...tx, locktime: 2 ** 32 },
    { ...tx, inputs: [{ ...tx.inputs[0], txid: new Uint8Array(31) }, ...tx.inputs.slice(1)] },
    { ...tx, inputs: [tx.inputs[0], { ...tx.inputs[1], witness: ['00'] }, ...tx.inputs.slice(2)] },
    { ...tx, outputs: [{ value: 2n ** 64n, script: new Uint8Array(0) }] },
    { ...tx, outputs: [null] },
  ];
  for (const t of broken)
    assert.throws(
      () => verifyInput({ tx: t as Transaction, index: 1, prevouts, flags: MANDATORY_FLAGS }),
      (e: unknown) => e instanceof ScriptError && e.code === 'UNKNOWN_ERROR',
    );
});

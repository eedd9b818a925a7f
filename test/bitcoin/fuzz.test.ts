// Property tests: random and mutated scripts, witnesses and transactions never make the interpreter or the codec
// throw anything but their own typed errors, never hang, and never exceed the consensus stack bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { AssetCase, Transaction, TxOutput } from '../../src/bitcoin/index.ts';
import {
  FLAG_NAMES,
  SCRIPT_ERROR_CODES,
  SCRIPT_VERIFY,
  ScriptError,
  TxError,
  decodeTransaction,
  encodeTransaction,
  pushData,
  runTapscript,
  verifyInput,
  ByteReader,
  encodeNum,
  decodeNum,
} from '../../src/bitcoin/index.ts';

const ALL = FLAG_NAMES.reduce((acc, n) => acc | SCRIPT_VERIFY[n], 0);
const flagsArb = fc.integer({ min: 0, max: ALL }).map((f) => f & ALL);
// Scripts made of whole opcodes and pushes reach deeper than raw bytes, which mostly stop at a bad push.
const scriptArb = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0x4f, max: 0xff }).map((op) => Uint8Array.of(op)) },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map(pushData) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));
const stackArb = fc.array(fc.oneof(fc.uint8Array({ maxLength: 5 }), fc.uint8Array({ maxLength: 80 })), {
  maxLength: 8,
});

function expectOnlyScriptError(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    assert.ok(SCRIPT_ERROR_CODES.includes(err.code));
  }
}

function baseTx(scriptSig: Uint8Array, witness: Uint8Array[]): Transaction {
  return {
    version: 2,
    locktime: 0,
    inputs: [{ txid: new Uint8Array(32).fill(1), vout: 0, scriptSig, sequence: 0xfffffffe, witness }],
    outputs: [{ value: 1000n, script: Uint8Array.of(0x51) }],
  };
}

test('fuzz: runTapscript reports, never throws, and keeps its bounds', () => {
  fc.assert(
    fc.property(scriptArb, stackArb, (script, stack) => {
      const started = performance.now();
      const res = runTapscript(script, stack);
      assert.equal(typeof res.ok, 'boolean');
      if (!res.ok) {
        assert.ok(res.error && SCRIPT_ERROR_CODES.includes(res.error));
        assert.notEqual(res.error, 'UNKNOWN_ERROR', res.message);
      }
      assert.ok(res.maxStackItems <= 1000);
      assert.ok(performance.now() - started < 1000);
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: verifyInput on random scripts, witnesses and flags throws only ScriptError', () => {
  fc.assert(
    fc.property(scriptArb, scriptArb, stackArb, flagsArb, (scriptSig, scriptPubKey, witness, flags) => {
      const tx = baseTx(scriptSig, witness);
      const prevouts: TxOutput[] = [{ value: 5000n, script: scriptPubKey }];
      expectOnlyScriptError(() => verifyInput({ tx, index: 0, prevouts, flags }));
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: witness programs (v0, v1, unknown) with random witnesses throw only ScriptError', () => {
  const programArb = fc.oneof(
    fc.uint8Array({ minLength: 20, maxLength: 20 }).map((p) => Uint8Array.of(0x00, 20, ...p)),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((p) => Uint8Array.of(0x00, 32, ...p)),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((p) => Uint8Array.of(0x51, 32, ...p)),
    fc
      .tuple(fc.integer({ min: 0x52, max: 0x60 }), fc.uint8Array({ minLength: 2, maxLength: 40 }))
      .map(([v, p]) => Uint8Array.of(v, p.length, ...p)),
  );
  fc.assert(
    fc.property(programArb, stackArb, flagsArb, (script, witness, flags) => {
      const tx = baseTx(new Uint8Array(0), witness);
      expectOnlyScriptError(() => verifyInput({ tx, index: 0, prevouts: [{ value: 1n, script }], flags }));
    }),
    { numRuns: 1500 },
  );
});

const assets = JSON.parse(
  readFileSync(new URL('../vectors/taproot-ref/script_assets_test.dev.json', import.meta.url), 'utf8'),
) as AssetCase[];

function decodeOut(hex: string): TxOutput {
  const r = new ByteReader(hexToBytes(hex));
  return { value: r.i64(), script: r.varBytes().slice() };
}

test('fuzz: mutated taproot-era spends throw only ScriptError', () => {
  const sample = assets.filter((_, i) => i % 10 === 0);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: sample.length - 1 }),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      (caseIndex, where, byte, truncate) => {
        const c = sample[caseIndex];
        const tx = decodeTransaction(hexToBytes(c.tx));
        const prevouts = c.prevouts.map(decodeOut);
        const spend = c.success!;
        const witness = spend.witness.map(hexToBytes);
        if (witness.length > 0) {
          const item = witness[where % witness.length].slice();
          if (item.length > 0) {
            if (truncate) witness[where % witness.length] = item.subarray(0, where % item.length);
            else {
              item[where % item.length] = byte;
              witness[where % witness.length] = item;
            }
          }
        }
        tx.inputs[c.index] = { ...tx.inputs[c.index], scriptSig: hexToBytes(spend.scriptSig), witness };
        expectOnlyScriptError(() =>
          verifyInput({ tx, index: c.index, prevouts, flags: ALL & ~SCRIPT_VERIFY.CONST_SCRIPTCODE }),
        );
      },
    ),
    { numRuns: 400 },
  );
});

test('fuzz: decodeTransaction on random and mutated bytes throws only TxError, and round-trips what it accepts', () => {
  const samples = assets.slice(0, 50).map((c) => hexToBytes(c.tx));
  const check = (bytes: Uint8Array) => {
    let tx: Transaction;
    try {
      tx = decodeTransaction(bytes);
    } catch (err) {
      if (err instanceof TxError) return;
      throw err;
    }
    assert.deepEqual(encodeTransaction(tx), bytes);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 3000 });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: samples.length - 1 }),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (i, at, byte) => {
        const bytes = samples[i].slice();
        bytes[at % bytes.length] = byte;
        check(bytes);
      },
    ),
    { numRuns: 3000 },
  );
});

test('fuzz: adversarial tapscript shapes stay bounded in time and stack', () => {
  // Duplicate-and-hash loops and deep IF nesting over large scripts: the worst cases Core bounds by construction.
  const shapes = [
    Uint8Array.of(...pushData(new Uint8Array(520)), ...new Array(5000).fill([0x6e, 0xaa, 0x75]).flat()),
    Uint8Array.of(0x51, ...new Array(30000).fill(0x63), ...new Array(30000).fill(0x68)),
    Uint8Array.of(0x00, ...new Array(50000).fill([0x63, 0x67]).flat(), 0x68, 0x51),
    Uint8Array.of(...new Array(998).fill(0x51), ...new Array(40000).fill([0x6f, 0x6d, 0x75]).flat()),
  ];
  for (const script of shapes) {
    const started = performance.now();
    const res = runTapscript(script, []);
    assert.ok(res.maxStackItems <= 1000);
    assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
  }
});

test('fuzz: script numbers round-trip minimally (|n| < 2^39)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 39) + 1, max: 2 ** 39 - 1 }), (n) => {
      const bytes = encodeNum(n);
      assert.equal(decodeNum(bytes, true, 5), n);
    }),
    { numRuns: 5000 },
  );
});

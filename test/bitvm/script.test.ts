import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  OP,
  script,
  ScriptBuilder,
  analyzeScript,
  encodeScriptNum,
  decodeScriptNum,
  StackTracker,
  ScriptBuildError,
  runFragment,
  runScript,
} from '../../src/bitvm/index.ts';

describe('minimal pushes (MINIMALDATA)', () => {
  const cases: [string, number | Uint8Array, string][] = [
    ['zero', 0, '00'],
    ['one', 1, '51'],
    ['sixteen', 16, '60'],
    ['minus one', -1, '4f'],
    ['seventeen', 17, '0111'],
    ['128 needs a sign byte', 128, '028000'],
    ['-128', -128, '028080'],
    ['256', 256, '020001'],
    ['75 bytes: direct push', new Uint8Array(75).fill(0xaa), '4b' + 'aa'.repeat(75)],
    ['76 bytes: PUSHDATA1', new Uint8Array(76).fill(0xbb), '4c4c' + 'bb'.repeat(76)],
    ['256 bytes: PUSHDATA2', new Uint8Array(256).fill(0xcc), '4d0001' + 'cc'.repeat(256)],
    ['byte 0x05 as data uses OP_5', Uint8Array.of(5), '55'],
    ['byte 0x81 as data uses OP_1NEGATE', Uint8Array.of(0x81), '4f'],
  ];
  for (const [name, value, hex] of cases) {
    test(name, () => {
      const b = new ScriptBuilder();
      if (typeof value === 'number') b.pushNum(value);
      else b.pushData(value);
      assert.equal(bytesToHex(b.build().bytes), hex);
    });
  }

  test('script numbers round-trip and every push is accepted by the interpreter', () => {
    for (const n of [0, 1, -1, 16, 17, 127, 128, 255, 256, -255, 32767, 32768, 2 ** 31 - 1, -(2 ** 31 - 1)]) {
      assert.equal(decodeScriptNum(encodeScriptNum(n)), n);
      const leaf = script({ num: n }, encodeScriptNum(n), OP.OP_EQUALVERIFY, OP.OP_1);
      assert.equal(runScript(leaf, []).ok, true, `push of ${n}`);
    }
  });
});

describe('stack-depth analysis', () => {
  test('counts inputs, net change and peak, and follows both branches', () => {
    const f = script(OP.OP_ADD, OP.OP_DUP, OP.OP_IF, { num: 3 }, OP.OP_ELSE, { num: 4 }, OP.OP_ENDIF, OP.OP_TOALTSTACK);
    assert.deepEqual(analyzeScript(f), { size: 8, opCount: 6, inputs: 2, netDepth: -1, peakDepth: 0 });
    const g = script({ num: 1 }, { num: 2 }, { num: 3 }, { num: 2 }, OP.OP_PICK);
    assert.equal(analyzeScript(g).peakDepth, 4);
    assert.equal(analyzeScript(g).netDepth, 4);
  });

  test('unbalanced branches and stray ENDIF are typed errors', () => {
    assert.throws(() => analyzeScript(script(OP.OP_1, OP.OP_IF, OP.OP_1, OP.OP_ENDIF)), ScriptBuildError);
    assert.throws(() => analyzeScript(script(OP.OP_ENDIF)), ScriptBuildError);
    assert.throws(() => analyzeScript(script(OP.OP_1, OP.OP_IF)), ScriptBuildError);
    assert.throws(() => new ScriptBuilder().op(256), ScriptBuildError);
  });
});

describe('stack tracker', () => {
  test('fetches named items with PICK/ROLL and keeps only the outputs', () => {
    const t = new StackTracker();
    const [a, b, c, d] = t.inputs(4) as [number, number, number, number];
    t.copy(a);
    t.take(c);
    t.apply1(OP.OP_ADD, 2); // a + c
    t.take(b);
    const diff = t.apply1(OP.OP_SUB, 2); // (a + c) - b
    t.keepOnly([diff, d]);
    const result = runFragment(t.build(), [10, 3, 5, 7]);
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.numbers, [12, 7]);
  });

  test('its peak matches the interpreter on a table lookup', () => {
    const t = new StackTracker();
    const [x] = t.inputs(1) as [number];
    const table = t.pushTable([9, 8, 7, 6]);
    t.take(x);
    const out = t.lookup(table);
    t.keepOnly([out]);
    const result = runFragment(t.build(), [2]);
    assert.deepEqual(result.numbers, [7]);
    assert.equal(result.maxStackItems, t.peak);
  });

  test('asking for an item that is gone is a typed error', () => {
    const t = new StackTracker();
    const [x] = t.inputs(1) as [number];
    t.drop(x);
    assert.throws(() => t.copy(x), ScriptBuildError);
  });
});

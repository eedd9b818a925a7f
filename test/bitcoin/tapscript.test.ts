// runTapscript: BIP342 execution of a bare tapscript leaf for the BitVM toolkit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OP, encodeNum, parseAsm, runTapscript } from '../../src/bitcoin/index.ts';

const num = (n: number) => encodeNum(n);

test('runTapscript: arithmetic leaves a single true item', () => {
  const res = runTapscript(parseAsm('2 3 ADD 5 EQUAL'), []);
  assert.equal(res.ok, true);
  assert.deepEqual(res.finalStack, [Uint8Array.of(1)]);
  assert.equal(res.opCount, 5);
  assert.equal(res.maxStackItems, 2);
});

test('runTapscript: initial stack is used and not modified', () => {
  const initial = [num(7), num(8)];
  const res = runTapscript(parseAsm('ADD 15 NUMEQUAL'), initial);
  assert.equal(res.ok, true);
  assert.equal(initial.length, 2);
});

test('runTapscript: a false result is EVAL_FALSE, leftovers are CLEANSTACK', () => {
  assert.equal(runTapscript(parseAsm('1 2 ADD 4 EQUAL'), []).error, 'EVAL_FALSE');
  const res = runTapscript(parseAsm('1 1'), []);
  assert.equal(res.error, 'CLEANSTACK');
  assert.equal(res.finalStack.length, 2);
});

test('runTapscript: 1000 stack items pass, 1001 fail with STACK_SIZE (altstack counts)', () => {
  const ok = new Uint8Array(999 + 1 + 999);
  ok.fill(OP.OP_1, 0, 999); // 999 pushes
  ok[999] = OP.OP_1; // 1000th item
  ok.fill(OP.OP_DROP, 1000); // back to one
  const res = runTapscript(ok, []);
  assert.equal(res.ok, true, res.message);
  assert.equal(res.maxStackItems, 1000);
  const over = parseAsm('1 TOALTSTACK ' + '1 '.repeat(1000));
  const bad = runTapscript(over, []);
  assert.equal(bad.error, 'STACK_SIZE');
  assert.equal(bad.maxStackItems, 1000);
  assert.equal(
    runTapscript(
      parseAsm('1'),
      Array.from({ length: 1001 }, () => num(1)),
    ).error,
    'STACK_SIZE',
  );
});

test('runTapscript: 520-byte elements pass, 521 fail with PUSH_SIZE (initial stack too)', () => {
  assert.equal(runTapscript(parseAsm('SIZE 520 EQUALVERIFY DROP 1'), [new Uint8Array(520)]).ok, true);
  assert.equal(runTapscript(parseAsm('DROP 1'), [new Uint8Array(521)]).error, 'PUSH_SIZE');
  const push521 = new Uint8Array([OP.OP_PUSHDATA2, 0x09, 0x02, ...new Uint8Array(521), OP.OP_DROP, OP.OP_1]);
  assert.equal(runTapscript(push521, []).error, 'PUSH_SIZE');
});

test('runTapscript: no script size or opcode-count limit', () => {
  const script = new Uint8Array(20_001);
  script[0] = OP.OP_1;
  script.fill(OP.OP_NOP, 1);
  const res = runTapscript(script, []);
  assert.equal(res.ok, true);
  assert.equal(res.opCount, 20_001);
});

test('runTapscript: MINIMALIF is enforced', () => {
  assert.equal(runTapscript(parseAsm('IF 1 ENDIF'), [num(2)]).error, 'TAPSCRIPT_MINIMALIF');
  assert.equal(runTapscript(parseAsm('IF 1 ELSE 0 ENDIF'), [num(1)]).ok, true);
  assert.equal(runTapscript(parseAsm('NOTIF 1 ELSE 0 ENDIF'), [new Uint8Array(0)]).ok, true);
});

test('runTapscript: OP_SUCCESSx succeeds unconditionally, even after a bad stack', () => {
  assert.equal(runTapscript(Uint8Array.of(OP.OP_RETURN, 0x50), []).ok, true);
  assert.equal(runTapscript(Uint8Array.of(OP.OP_CAT), []).ok, true);
  assert.equal(runTapscript(Uint8Array.of(0xbb), [new Uint8Array(600)]).ok, true);
});

test('runTapscript: disabled-in-legacy and removed opcodes', () => {
  assert.equal(runTapscript(parseAsm('1 1 CHECKMULTISIG'), []).error, 'TAPSCRIPT_CHECKMULTISIG');
  assert.equal(runTapscript(Uint8Array.of(OP.OP_VERIF), []).error, 'BAD_OPCODE');
  assert.equal(runTapscript(Uint8Array.of(OP.OP_PUSHDATA1), []).error, 'BAD_OPCODE');
});

test('runTapscript: CHECKSIG without signature context', () => {
  const key = new Uint8Array(32).fill(7);
  // An empty signature is a valid "no": it needs no context.
  assert.equal(runTapscript(parseAsm('0 0x20 0x' + '07'.repeat(32) + ' CHECKSIG NOT'), []).ok, true);
  const res = runTapscript(parseAsm('CHECKSIG'), [new Uint8Array(64), key]);
  assert.equal(res.ok, false);
  assert.equal(res.error, 'NO_TX_CONTEXT');
  assert.match(res.message ?? '', /signature/);
  assert.equal(
    runTapscript(parseAsm('CHECKSIG'), [new Uint8Array(64), new Uint8Array(0)]).error,
    'TAPSCRIPT_EMPTY_PUBKEY',
  );
});

test('runTapscript: CHECKSIGADD counts and the validation-weight budget', () => {
  const key = '0x20 0x' + '07'.repeat(32);
  assert.equal(runTapscript(parseAsm(`0 0 ${key} CHECKSIGADD 0 NUMEQUAL`), []).ok, true);
  const res = runTapscript(parseAsm('CHECKSIG'), [new Uint8Array(64), new Uint8Array(32)], { validationWeight: 49 });
  assert.equal(res.error, 'TAPSCRIPT_VALIDATION_WEIGHT');
});

test('runTapscript: never throws on bad arguments', () => {
  const res = runTapscript('nope' as unknown as Uint8Array, []);
  assert.equal(res.ok, false);
  assert.equal(res.error, 'UNKNOWN_ERROR');
  assert.equal(runTapscript(new Uint8Array(0), [1 as unknown as Uint8Array]).ok, false);
});

test('runTapscript: the final stack is a copy', () => {
  const res = runTapscript(parseAsm('1'), []);
  res.finalStack[0][0] = 9;
  assert.deepEqual(runTapscript(parseAsm('1'), []).finalStack, [Uint8Array.of(1)]);
});

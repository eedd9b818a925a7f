import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  NibbleMachine,
  StackTracker,
  runFragment,
  u32ToNibbleItems,
  u4Ref,
  u32Ref,
  LimbRangeError,
  type Item,
  type U32,
  type ShiftBits,
} from '../../src/bitvm/index.ts';

/** Builds a script from `emit`, runs it on Keel's interpreter with `inputs`, returns the numbers it leaves. */
function runLimbs(inputCount: number, inputs: number[], emit: (m: NibbleMachine, items: Item[]) => Item[]) {
  const t = new StackTracker();
  const m = new NibbleMachine(t);
  const items = t.inputs(inputCount);
  const out = emit(m, items);
  m.dropTables();
  t.keepOnly(out);
  const result = runFragment(t.build(), inputs);
  assert.equal(result.ok, true, result.message);
  assert.ok(result.maxStackItems <= 1000, `stack ${result.maxStackItems}`);
  assert.ok(result.maxStackItems <= t.peak, `tracker peak ${t.peak} below interpreter's ${result.maxStackItems}`);
  return result.numbers;
}

const nibble = fc.integer({ min: 0, max: 15 });
const word = fc.integer({ min: 0, max: 0xffffffff });
const bits = fc.constantFrom<ShiftBits>(1, 2, 3);

describe('u4 operations in Script match the JavaScript reference', () => {
  const runs = { numRuns: 40 };
  test('add with carry', () =>
    fc.assert(
      fc.property(nibble, nibble, fc.integer({ min: 0, max: 1 }), (a, b, c) => {
        const got = runLimbs(3, [a, b, c], (m, [x, y, carry]) => {
          const r = m.u4Add(x as Item, y as Item, false, false, carry);
          return [r.carry, r.sum];
        });
        const want = u4Ref.add(a, b, c);
        assert.deepEqual(got, [want.carry, want.sum]);
      }),
      runs,
    ));
  test('sub with borrow', () =>
    fc.assert(
      fc.property(nibble, nibble, fc.integer({ min: 0, max: 1 }), (a, b, c) => {
        const got = runLimbs(3, [a, b, c], (m, [x, y, borrow]) => {
          const r = m.u4Sub(x as Item, y as Item, false, false, borrow);
          return [r.borrow, r.diff];
        });
        const want = u4Ref.sub(a, b, c);
        assert.deepEqual(got, [want.borrow, want.diff]);
      }),
      runs,
    ));
  for (const name of ['xor', 'and', 'or'] as const) {
    test(name, () =>
      fc.assert(
        fc.property(nibble, nibble, (a, b) => {
          const got = runLimbs(2, [a, b], (m, [x, y]) => {
            const f = name === 'xor' ? m.u4Xor : name === 'and' ? m.u4And : m.u4Or;
            return [f.call(m, x as Item, y as Item)];
          });
          assert.deepEqual(got, [u4Ref[name](a, b)]);
        }),
        runs,
      ),
    );
  }
  test('not, shifts and rotations', () =>
    fc.assert(
      fc.property(nibble, bits, (a, k) => {
        const got = runLimbs(1, [a], (m, [x]) => [
          m.u4Not(x as Item, true),
          m.u4Shr(x as Item, k, true),
          m.u4Shl(x as Item, k, true),
          m.u4Rotr(x as Item, k),
        ]);
        assert.deepEqual(got, [u4Ref.not(a), u4Ref.shr(a, k), u4Ref.shl(a, k), u4Ref.rotr(a, k)]);
      }),
      runs,
    ));
  test('comparisons', () =>
    fc.assert(
      fc.property(nibble, nibble, (a, b) => {
        const got = runLimbs(2, [a, b], (m, [x, y]) => [
          m.u4Compare(x as Item, y as Item, 0x9f, true, true), // OP_LESSTHAN
          m.u4Compare(x as Item, y as Item, 0x9c), // OP_NUMEQUAL
        ]);
        assert.deepEqual(got, [a < b ? 1 : 0, a === b ? 1 : 0]);
      }),
      runs,
    ));
});

describe('u32 operations in Script match the JavaScript reference', () => {
  const runs = { numRuns: 25 };
  const binary = (
    name: string,
    emit: (m: NibbleMachine, a: U32, b: U32) => U32,
    ref: (a: number, b: number) => number,
  ) =>
    test(name, () =>
      fc.assert(
        fc.property(word, word, fc.boolean(), (a, b0, same) => {
          const b = same ? a : b0;
          const got = runLimbs(16, [...u32ToNibbleItems(a), ...u32ToNibbleItems(b)], (m, items) =>
            emit(m, items.slice(0, 8), items.slice(8)),
          );
          assert.deepEqual(got, u32ToNibbleItems(ref(a, b)), `${name}(${a}, ${b})`);
        }),
        runs,
      ),
    );
  binary('add', (m, a, b) => m.add(a, b), u32Ref.add);
  binary('sub', (m, a, b) => m.sub(a, b), u32Ref.sub);
  binary('xor', (m, a, b) => m.xor(a, b), u32Ref.xor);
  binary('and', (m, a, b) => m.and(a, b), u32Ref.and);
  binary('or', (m, a, b) => m.or(a, b), u32Ref.or);

  test('rotations and shifts by every amount class', () =>
    fc.assert(
      fc.property(word, fc.integer({ min: 0, max: 31 }), (a, r) => {
        const got = runLimbs(8, u32ToNibbleItems(a), (m, x) => [
          ...m.rotr(x, r, true),
          ...m.rotl(x, r, true),
          ...m.shr(x, r, true),
          ...m.shl(x, r, true),
          ...m.not(x),
        ]);
        const want = [u32Ref.rotr(a, r), u32Ref.rotl(a, r), u32Ref.shr(a, r), u32Ref.shl(a, r), u32Ref.not(a)];
        assert.deepEqual(got, want.flatMap(u32ToNibbleItems), `a=${a} r=${r}`);
      }),
      runs,
    ));

  test('comparisons (less-than, equal)', () =>
    fc.assert(
      fc.property(word, word, fc.boolean(), (a, b0, same) => {
        const b = same ? a : b0;
        const got = runLimbs(16, [...u32ToNibbleItems(a), ...u32ToNibbleItems(b)], (m, items) => [
          m.lessThan(items.slice(0, 8), items.slice(8), true, true),
          m.lessThan(items.slice(8), items.slice(0, 8), true, true),
          m.equal(items.slice(0, 8), items.slice(8)),
        ]);
        assert.deepEqual(got, [u32Ref.lessThan(a, b), u32Ref.lessThan(b, a), u32Ref.equal(a, b)]);
      }),
      runs,
    ));

  test('packing into bytes and unpacking back', () =>
    fc.assert(
      fc.property(word, (a) => {
        const got = runLimbs(8, u32ToNibbleItems(a), (m, x) => {
          const bytes = m.packBytes(x, true);
          const copies = bytes.map((b) => m.t.copy(b));
          return [...copies, ...m.unpackBytes(bytes), ...x];
        });
        assert.deepEqual(got, [...u32Ref.toBytes(a), ...u32ToNibbleItems(a), ...u32ToNibbleItems(a)]);
      }),
      runs,
    ));

  test('bad constants and shift amounts are typed errors', () => {
    const m = new NibbleMachine(new StackTracker());
    assert.throws(() => m.pushU32(2 ** 32), LimbRangeError);
    assert.throws(() => m.pushU32(-1), LimbRangeError);
    assert.throws(() => m.rotr(m.pushU32(1), 32), LimbRangeError);
    assert.throws(() => u32ToNibbleItems(1.5), LimbRangeError);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseError, printTable } from '../../src/shared/index.ts';

test('BaseError keeps the short message, details and cause', () => {
  const cause = new Error('root');
  const err = new BaseError('it broke', { details: 'because', cause });
  assert.equal(err.shortMessage, 'it broke');
  assert.equal(err.details, 'because');
  assert.equal(err.cause, cause);
  assert.match(err.message, /it broke[\s\S]*because/);
});

test('printTable aligns columns', () => {
  const lines: string[] = [];
  printTable(
    ['name', 'n'],
    [
      ['long name', 1],
      ['x', 22],
    ],
    (l) => lines.push(l),
  );
  assert.deepEqual(lines, ['name       n', '---------  --', 'long name  1', 'x          22']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateOnCoset, intt } from '../../src/stark/index.ts';
import { lowDegreeExtendMany, sharedWords } from '../../src/stark/parallel.ts';

// Opt in to one worker for this process (node:test runs each file in its own process).
process.env['KEEL_STARK_WORKERS'] = '1';

test('worker-thread LDE (all jobs on the worker) matches the single-threaded one', () => {
  const n = 64;
  const size = 512;
  const columns = Array.from({ length: 12 }, (_, c) =>
    Uint32Array.from({ length: n }, (_, i) => (i * 7919 + c * 104729) % 2013265921),
  );
  const jobs = columns.map((col) => {
    const input = sharedWords(n);
    input.set(col);
    return { input, output: sharedWords(size) };
  });
  lowDegreeExtendMany(jobs, true, size, 31, 0, false);
  columns.forEach((col, c) => {
    const coeffs = intt(Uint32Array.from(col));
    assert.deepEqual(jobs[c]!.input, coeffs, `column ${c} coefficients`);
    assert.deepEqual(jobs[c]!.output, evaluateOnCoset(coeffs, size, 31), `column ${c} LDE`);
  });
});

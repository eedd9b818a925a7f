// The worker-thread signature verifier gives the same answers as the inline one, including unpacking.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InlineVerifier, WorkerVerifier, encodeSignature, getPublicKey, sign } from '../../src/rollup/index.ts';
import type { VerifyRequest } from '../../src/rollup/index.ts';
import { key } from './helpers.ts';

describe('signature verifiers', () => {
  it('worker pool and inline verifier agree on valid, invalid and malformed signatures', async () => {
    const reqs: VerifyRequest[] = [];
    for (let i = 1; i <= 6; i++) {
      const sig = sign(key(i), BigInt(i));
      reqs.push({ msg: BigInt(i), A: getPublicKey(key(i)), sig: i % 2 ? encodeSignature(sig) : sig });
    }
    reqs.push({ msg: 99n, A: getPublicKey(key(1)), sig: encodeSignature(sign(key(1), 98n)) });
    reqs.push({ msg: 1n, A: getPublicKey(key(1)), sig: new Uint8Array(64).fill(0xff) });
    const inline = await new InlineVerifier().verify(reqs);
    const pool = new WorkerVerifier({ threads: 1, maxBatch: 4 });
    const viaWorkers = await pool.verify(reqs);
    await pool.close();
    assert.deepEqual(viaWorkers, inline);
    assert.deepEqual(
      inline.map((r) => (typeof r === 'string' ? r : 'ok')),
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'invalid', 'malformed'],
    );
  });
});

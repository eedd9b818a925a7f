// The worker-thread signature verifier gives the same answers as the inline one, including unpacking.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import {
  InlineVerifier,
  RollupError,
  WorkerVerifier,
  decodeSignature,
  encodeSignature,
  getPublicKey,
  sign,
  verify,
  verifyMany,
} from '../../src/rollup/index.ts';
import type { VerifyOutcome, VerifyRequest } from '../../src/rollup/index.ts';
import { VERIFY_BATCH } from '../../src/rollup/verifier.ts';
import { cases, validItems } from './eddsa-cases.ts';
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

  it('requests queued while the worker is busy all get their answers, in order', async () => {
    const items = validItems(40);
    const pool = new WorkerVerifier({ threads: 1, maxBatch: 16 });
    try {
      const waves = [items.slice(0, 10), items.slice(10, 40)].map((wave) =>
        pool.verify(wave.map((it) => ({ msg: it.msg, A: it.A, sig: encodeSignature(it.sig) }))),
      );
      const answers = (await Promise.all(waves)).flat();
      assert.deepEqual(
        answers.map((r) => (typeof r === 'string' ? r : r.S)),
        items.map((it) => it.sig.S),
      );
    } finally {
      await pool.close();
    }
  });

  it('a worker that dies fails what it held and what comes after with UNAVAILABLE; none hangs', async () => {
    const pool = new WorkerVerifier({ threads: 1 });
    const [it0] = validItems(1);
    const req: VerifyRequest = { msg: it0!.msg, A: it0!.A, sig: it0!.sig };
    assert.notEqual(typeof (await pool.verify([req]))[0], 'string');
    await (pool as unknown as { workers: { worker: Worker }[] }).workers[0]!.worker.terminate();
    const unavailable = (e: unknown): boolean => e instanceof RollupError && e.code === 'UNAVAILABLE';
    await assert.rejects(pool.verify([req]), unavailable);
    await assert.rejects(pool.verify([req, req]), unavailable);
    assert.ok(pool.error instanceof Error);
    await pool.close();
    await assert.rejects(pool.verify([req]), (e: unknown) => e instanceof RollupError && e.code === 'CLOSED');
  });
});

describe('verifyMany on the wire form equals decodeSignature + verify, one by one', () => {
  const expected = (r: VerifyRequest): VerifyOutcome => {
    const sig = r.sig instanceof Uint8Array ? decodeSignature(r.sig) : r.sig;
    if (!sig) return 'malformed';
    return verify(r.msg, sig, r.A) ? sig : 'invalid';
  };
  const all = cases();
  for (const size of [1, 2, 9, 33]) {
    it(`batches of ${size}: every bad kind, in wire form and as an object`, () => {
      const items = validItems(size);
      const base: VerifyRequest[] = items.map((it, i) => ({
        msg: it.msg,
        A: it.A,
        sig: i % 3 ? encodeSignature(it.sig) : it.sig,
      }));
      assert.deepEqual(verifyMany(base), base.map(expected));
      for (const c of all)
        for (const sig of [c.wire, c.item.sig]) {
          const reqs = base.slice();
          reqs[(c.kind.length * 7) % size] = { msg: c.item.msg, A: c.item.A, sig };
          const got = verifyMany(reqs);
          assert.deepEqual(got, reqs.map(expected), `${c.kind} in a batch of ${size}`);
          const at = (c.kind.length * 7) % size;
          assert.equal(typeof got[at] !== 'string', c.valid, c.kind);
        }
    });
  }
  it('a failed batch is halved until the bad ones are found: several bad, or all bad', () => {
    const items = validItems(100);
    const reqs: VerifyRequest[] = items.map((it) => ({ msg: it.msg, A: it.A, sig: it.sig }));
    const bad = [3, 41, 42, 99];
    for (const i of bad) reqs[i] = { ...reqs[i]!, msg: reqs[i]!.msg + 1n };
    const got = verifyMany(reqs);
    assert.deepEqual(
      got.flatMap((r, i) => (r === 'invalid' ? [i] : [])),
      bad,
    );
    const allBad = reqs.slice(0, 10).map((r) => ({ ...r, msg: r.msg + 2n }));
    assert.ok(verifyMany(allBad).every((r) => r === 'invalid'));
  });

  it(`a full batch of ${VERIFY_BATCH} in wire form with one R8 plus the order-2 point, and one undecodable`, () => {
    const items = validItems(VERIFY_BATCH);
    const reqs: VerifyRequest[] = items.map((it) => ({ msg: it.msg, A: it.A, sig: encodeSignature(it.sig) }));
    const ok = verifyMany(reqs);
    assert.ok(ok.every((r) => typeof r !== 'string'));
    const torsion = all.find((c) => c.kind === 'R8 plus a point of order 2')!;
    const noX = all.find((c) => c.kind === 'y with no x')!;
    reqs[100] = { msg: torsion.item.msg, A: torsion.item.A, sig: torsion.wire };
    reqs[700] = { msg: noX.item.msg, A: noX.item.A, sig: noX.wire };
    const got = verifyMany(reqs);
    assert.equal(got[100], 'invalid');
    assert.equal(got[700], 'malformed');
    assert.deepEqual(
      got.filter((_, i) => i !== 100 && i !== 700),
      ok.filter((_, i) => i !== 100 && i !== 700),
    );
  });
});

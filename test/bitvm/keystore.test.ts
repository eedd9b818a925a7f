import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileKeyStore,
  MemoryKeyStore,
  WinternitzSigner,
  WinternitzKeyReuseError,
  winternitzParams,
  winternitzKeyId,
  verifyWitness,
  generatePublicKey,
} from '../../src/bitvm/index.ts';

const params = winternitzParams(8);
const secretKey = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const messageA = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const messageB = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 9]);

describe('Winternitz signer misuse guard', () => {
  test('signs once, re-signs the same message, refuses a different one (memory store)', async () => {
    const signer = new WinternitzSigner(new MemoryKeyStore());
    const first = await signer.sign(params, secretKey, messageA);
    assert.deepEqual(verifyWitness(params, generatePublicKey(params, secretKey), first), messageA);
    assert.deepEqual(await signer.sign(params, secretKey, messageA), first);
    await assert.rejects(signer.sign(params, secretKey, messageB), WinternitzKeyReuseError);
    // A different key is unaffected.
    const other = Uint8Array.from({ length: 20 }, (_, i) => 100 + i);
    await signer.sign(params, other, messageB);
  });

  test('concurrent requests for two messages: exactly one succeeds', async () => {
    const signer = new WinternitzSigner(new MemoryKeyStore());
    const results = await Promise.allSettled([
      signer.sign(params, secretKey, messageA),
      signer.sign(params, secretKey, messageB),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected');
    assert.ok(rejected && rejected.status === 'rejected' && rejected.reason instanceof WinternitzKeyReuseError);
  });

  test('file store: the record is on disk before the signature returns, and survives a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keel-wots-'));
    try {
      const path = join(dir, 'used-keys.log');
      const signer = new WinternitzSigner(await FileKeyStore.open(path));
      await signer.sign(params, secretKey, messageA);
      const text = await readFile(path, 'utf8');
      assert.ok(text.includes(winternitzKeyId(params, secretKey)), 'key id recorded');
      // A torn line from a crash mid-write is ignored, and the earlier record still holds.
      await appendFile(path, 'deadbeef');
      const reopened = new WinternitzSigner(await FileKeyStore.open(path));
      await assert.rejects(reopened.sign(params, secretKey, messageB), WinternitzKeyReuseError);
      await reopened.sign(params, secretKey, messageA);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

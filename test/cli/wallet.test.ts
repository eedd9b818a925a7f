// `keel wallet new|import|show`: the L2 key is the one derived from the Bitcoin key (protocol §2).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveL2Key, packPoint } from '../../src/rollup/index.ts';
import { keel } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-wallet-'));
// Nothing listens here: show must still work offline.
const offline = ['--datadir', dir, '--rpc', 'http://127.0.0.1:9'];

describe('keel wallet', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('import derives the L2 key from the Bitcoin key; show prints it; the file is private', async () => {
    const secret = '0'.repeat(62) + '03';
    const r = await keel(['wallet', 'import', '--key', secret, ...offline]);
    assert.equal(r.code, 0, r.stderr);
    const expected = Buffer.from(packPoint(deriveL2Key(Buffer.from(secret, 'hex')).publicKey)).toString('hex');
    assert.match(r.stdout, new RegExp(`L2 public key: +${expected}`));
    assert.equal(statSync(join(dir, 'wallet.json')).mode & 0o777, 0o600);
    const show = await keel(['wallet', 'show', ...offline]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`L2 public key: +${expected}`));
    assert.match(show.stdout, /bitcoin \(P2TR\): +bcrt1p/);
    assert.match(show.stdout, /not reachable/);
  });

  it('refuses to overwrite a wallet without --force, and bad keys', async () => {
    const again = await keel(['wallet', 'new', ...offline]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    const bad = await keel(['wallet', 'import', '--key', 'nothex', '--force', ...offline]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--key must be/);
    const zero = await keel(['wallet', 'import', '--key', '0'.repeat(64), '--force', ...offline]);
    assert.equal(zero.code, 1);
    const fresh = await keel(['wallet', 'new', '--force', ...offline]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stdout, /new wallet created/);
  });

  it('commands that need a wallet say how to make one', async () => {
    const r = await keel(['balance', '--wallet', join(dir, 'none.json'), ...offline]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no wallet at .*keel wallet new/s);
  });
});

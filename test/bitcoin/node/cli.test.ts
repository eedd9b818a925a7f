import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const KEEL = new URL('../../../bin/keel.mjs', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [KEEL, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('keel CLI', () => {
  it('lists its commands', () => {
    const r = run('help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /bitcoind\s+run the embedded Bitcoin regtest node/);
  });

  it('shows bitcoind usage', () => {
    const r = run('bitcoind', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--datadir D/);
    assert.match(r.stdout, /--rpcport P/);
  });

  it('refuses unknown commands and options with exit code 1', () => {
    const unknown = run('frobnicate');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const badOption = run('bitcoind', '--rpcport', 'abc');
    assert.equal(badOption.status, 1);
    assert.match(badOption.stderr, /invalid --rpcport abc/);
    const missing = run('bitcoind', '--datadir');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /--datadir needs a value/);
  });
});

// All 2,043 cases of Core's script_assets_test (taproot-ref), with Core's semantics: `success` passes under the
// case's flags and every subset (every consensus flag set when `final`), `failure` fails under them and every superset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatFlags, runAssetCase, SignatureCache } from '../../src/bitcoin/index.ts';
import type { AssetCase } from '../../src/bitcoin/index.ts';

const cases = JSON.parse(
  readFileSync(new URL('../vectors/taproot-ref/script_assets_test.dev.json', import.meta.url), 'utf8'),
) as AssetCase[];
const sigCache = new SignatureCache();

test('script_assets_test: the file holds 2,043 cases', () => assert.equal(cases.length, 2043));

cases.forEach((c, i) => {
  test(`script_assets_test #${i} ${c.comment ?? ''}${c.final ? ' (final)' : ''}`, () => {
    const checks = runAssetCase(c, { extended: true, sigCache });
    assert.ok(checks.length > 0, 'case ran no check');
    for (const k of checks) assert.ok(k.ok, `${k.kind} under [${formatFlags(k.flags)}] gave ${k.error ?? 'OK'}`);
  });
});

// Runs a file in the format of Bitcoin Core's script_assets_test.json through Keel's interpreter.
// Usage: npm run vectors -- <file> [--extended]
//   --extended  also apply Core's flag-subset/superset rules (see test/vectors/README.md)
// Prints one line per failing check and `N passed, N failed` last; exits 1 on any failure.
import { readFileSync } from 'node:fs';
import { formatFlags, runAssetCase, SignatureCache } from '../src/bitcoin/index.ts';
import type { AssetCase } from '../src/bitcoin/index.ts';

const args = process.argv.slice(2);
const extended = args.includes('--extended');
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: npm run vectors -- <script_assets-format.json> [--extended]');
  console.log('0 passed, 1 failed');
  process.exit(2);
}

let cases: AssetCase[];
try {
  cases = JSON.parse(readFileSync(file, 'utf8')) as AssetCase[];
  if (!Array.isArray(cases)) throw new Error('expected a JSON array of cases');
} catch (err) {
  console.error(`cannot read ${file}: ${(err as Error).message}`);
  console.log('0 passed, 1 failed');
  process.exit(2);
}

const sigCache = new SignatureCache();
let passed = 0;
let failed = 0;
cases.forEach((c, i) => {
  const label = `#${i} ${c.comment ?? ''}`.trim();
  try {
    const checks = runAssetCase(c, { extended, sigCache });
    const bad = checks.filter((k) => !k.ok);
    if (bad.length === 0) passed++;
    else {
      failed++;
      for (const k of bad)
        console.log(`FAIL ${label}: ${k.kind} under [${formatFlags(k.flags)}] gave ${k.error ?? 'OK'}`);
    }
  } catch (err) {
    failed++;
    console.log(`FAIL ${label}: ${(err as Error).message}`);
  }
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

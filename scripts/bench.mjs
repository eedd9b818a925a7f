#!/usr/bin/env node
// `npm run bench` runs every bench:<part> script in package.json, one after another.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const parts = Object.keys(scripts).filter((name) => name.startsWith('bench:'));
let failed = 0;
for (const part of parts) {
  console.log(`\n=== npm run ${part} ===`);
  const result = spawnSync('npm', ['run', '--silent', part], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

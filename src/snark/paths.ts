import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: src/snark/ is two levels below it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Circuit sources committed with the project. */
export const CIRCUITS_DIR = join(REPO_ROOT, 'circuits');

/**
 * Compiled circuits live under the repository (gitignored `build/`), because the circom WebAssembly compiler can only
 * open files below its working directory.
 */
export const CIRCUIT_CACHE_DIR = join(REPO_ROOT, 'build', 'circuits');

/** Development ceremonies and other large, reproducible artifacts. Overridable for CI sandboxes. */
export function keelCacheDir(): string {
  return process.env['KEEL_CACHE_DIR'] ?? join(homedir(), '.cache', 'keel');
}

/** The shared development powers of tau (ARCHITECTURE.md decision 7), relative to the repository root. */
export const SHARED_DEV_PTAU = resolve(REPO_ROOT, '..', 'shared', 'zk', 'pot17_dev.ptau');

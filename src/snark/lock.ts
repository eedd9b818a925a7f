// A lock file shared by processes: parallel test files compile and set up the same circuit, and doing that work twice
// on a 2-core machine costs minutes. The first process does it; the others wait and then find the cached result.
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock older than this is taken to belong to a process that died. */
const STALE_MS = 60 * 60 * 1000;

export async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > STALE_MS) rmSync(lockPath, { force: true });
      } catch {
        // Released between our two calls: try again.
      }
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

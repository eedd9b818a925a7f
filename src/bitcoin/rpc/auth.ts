import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Credentials {
  user: string;
  password: string;
}

/** Writes Core's cookie file (`__cookie__:<random hex>`, owner-only) and returns its credentials. */
export function writeCookie(path: string): Credentials {
  const password = randomBytes(32).toString('hex');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `__cookie__:${password}`, { mode: 0o600 });
  return { user: '__cookie__', password };
}

export function removeCookie(path: string): void {
  rmSync(path, { force: true });
}

/** Checks an HTTP Basic `Authorization` header against the accepted credentials, in constant time per pair. */
export function checkBasicAuth(header: string | undefined, accepted: Credentials[]): boolean {
  if (!header || !header.startsWith('Basic ')) return false;
  const given = Buffer.from(Buffer.from(header.slice(6).trim(), 'base64').toString('utf8'));
  let ok = false;
  for (const c of accepted) {
    const want = Buffer.from(`${c.user}:${c.password}`);
    if (want.length === given.length && timingSafeEqual(want, given)) ok = true;
  }
  return ok;
}

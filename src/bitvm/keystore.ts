import { open, readFile } from 'node:fs/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { generatePublicKey, signUnguarded, type WinternitzParams } from './winternitz.ts';
import { WinternitzError, WinternitzKeyReuseError } from './errors.ts';

/**
 * Where a signer records which one-time keys it has used, and for which message. A record must be durable
 * before the signature leaves the signer: a crash must never let a key sign a second message.
 */
export interface UsedKeyStore {
  /** The message digest (hex) a key already signed, if any. */
  get(keyId: string): Promise<string | undefined>;
  /** Records the key as used for `messageDigest`; durable when the promise resolves. */
  put(keyId: string, messageDigest: string): Promise<void>;
}

/** For tests: forgets everything when the process ends. */
export class MemoryKeyStore implements UsedKeyStore {
  private readonly used = new Map<string, string>();
  async get(keyId: string): Promise<string | undefined> {
    return this.used.get(keyId);
  }
  async put(keyId: string, messageDigest: string): Promise<void> {
    this.used.set(keyId, messageDigest);
  }
}

const LINE = /^([0-9a-f]{64}) ([0-9a-f]{64})$/;

/**
 * An append-only file of "keyId digest" lines. Each record is written and fsynced before `put` resolves; a torn
 * last line (crash mid-write) is ignored on load because its signature was never handed out.
 */
export class FileKeyStore implements UsedKeyStore {
  private readonly path: string;
  private readonly used: Map<string, string>;
  private queue: Promise<void> = Promise.resolve();

  private constructor(path: string, used: Map<string, string>) {
    this.path = path;
    this.used = used;
  }

  static async open(path: string): Promise<FileKeyStore> {
    const used = new Map<string, string>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      const match = LINE.exec(line);
      if (match) used.set(match[1] as string, match[2] as string);
    }
    return new FileKeyStore(path, used);
  }

  async get(keyId: string): Promise<string | undefined> {
    return this.used.get(keyId);
  }

  put(keyId: string, messageDigest: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(keyId) || !/^[0-9a-f]{64}$/.test(messageDigest))
      return Promise.reject(new WinternitzError('Key id and digest must be 32-byte hex'));
    const write = async () => {
      const file = await open(this.path, 'a');
      try {
        // A leading newline closes any torn line a crash may have left behind.
        await file.appendFile(`\n${keyId} ${messageDigest}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      this.used.set(keyId, messageDigest);
    };
    const next = this.queue.then(write, write);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The id under which a key's use is recorded: SHA-256 of its concatenated public key. */
export function winternitzKeyId(params: WinternitzParams, secretKey: Uint8Array): string {
  return bytesToHex(sha256(concatBytes(...generatePublicKey(params, secretKey))));
}

/**
 * Signs with one-time keys and refuses to sign a second, different message with any key. Signing the same message
 * again returns the same signature (safe, and lets a caller retry after a crash). Calls are serialised so two
 * concurrent requests cannot both pass the check.
 */
export class WinternitzSigner {
  private readonly store: UsedKeyStore;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(store: UsedKeyStore) {
    this.store = store;
  }

  sign(params: WinternitzParams, secretKey: Uint8Array, message: Uint8Array): Promise<Uint8Array[]> {
    const task = async () => {
      const witness = signUnguarded(params, secretKey, message);
      const keyId = winternitzKeyId(params, secretKey);
      const digest = bytesToHex(sha256(message));
      const previous = await this.store.get(keyId);
      if (previous !== undefined && previous !== digest)
        throw new WinternitzKeyReuseError('This Winternitz key already signed a different message', {
          details: `key ${keyId.slice(0, 16)}…: signing again would let anyone forge signatures`,
        });
      if (previous === undefined) await this.store.put(keyId, digest);
      return witness;
    };
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

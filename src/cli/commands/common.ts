import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { deriveL2Key, packPoint } from '../../rollup/index.ts';
import type { L2KeyPair } from '../../rollup/index.ts';
import { createKeelClient, http } from '../../sdk/index.ts';
import type { KeelClient } from '../../sdk/index.ts';
import { DEFAULT_RPC_PORT } from '../../node/index.ts';
import { CliError } from '../registry.ts';

export const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
export const DEFAULT_DATADIR = join(homedir(), '.keel', 'devnet');

/** Options every wallet/node command takes. */
export const COMMON_SPEC = { datadir: 'value', rpc: 'value', wallet: 'value' } as const;
export const COMMON_USAGE = `  --datadir D      Keel data directory (default ~/.keel/devnet)
  --rpc URL        L2 node JSON-RPC URL (default: the devnet's, from D/devnet.json, else http://127.0.0.1:${DEFAULT_RPC_PORT})
  --wallet FILE    wallet file (default D/wallet.json)`;

export type Common = { datadir: string; rpcUrl: string; walletPath: string };

export function resolveCommon(opts: Record<string, string | true>): Common {
  const datadir = resolve(typeof opts.datadir === 'string' ? opts.datadir : DEFAULT_DATADIR);
  let rpcUrl = typeof opts.rpc === 'string' ? opts.rpc : undefined;
  if (!rpcUrl) {
    const info = readDevnetInfo(datadir);
    rpcUrl = info?.rpcUrl ?? `http://127.0.0.1:${DEFAULT_RPC_PORT}`;
  }
  const walletPath = resolve(typeof opts.wallet === 'string' ? opts.wallet : join(datadir, 'wallet.json'));
  return { datadir, rpcUrl, walletPath };
}

export function client(common: Common): KeelClient {
  return createKeelClient({ transport: http(common.rpcUrl) });
}

// ------------------------------------------------------------------ devnet info file

export type DevnetInfo = {
  rpcUrl: string;
  wsUrl: string;
  bitcoinRpcUrl: string;
  bitcoinCookie: string;
  chainId: number;
};

export function readDevnetInfo(datadir: string): DevnetInfo | undefined {
  const path = join(datadir, 'devnet.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DevnetInfo;
  } catch {
    return undefined;
  }
}

/** Write-then-rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

// ------------------------------------------------------------------ wallet file

/**
 * A wallet holds the user's Bitcoin secret key; the L2 key is derived from it (protocol §2), so the Bitcoin key is
 * the only thing to back up. The file is written 0600.
 */
export type WalletFile = { version: 1; network: 'regtest'; bitcoinSecretKey: string };

export type Wallet = {
  path: string;
  bitcoinSecretKey: Uint8Array;
  l2: L2KeyPair;
  /** packPoint of the L2 public key, hex. */
  l2PublicKey: string;
  /** P2TR (key path) and P2WPKH addresses of the Bitcoin key on regtest. */
  taprootAddress: string;
  segwitAddress: string;
};

export function walletFromSecret(path: string, secret: Uint8Array): Wallet {
  if (secret.length !== 32 || !secp256k1.utils.isValidSecretKey(secret))
    throw new CliError('not a valid secp256k1 secret key');
  const l2 = deriveL2Key(secret);
  return {
    path,
    bitcoinSecretKey: secret,
    l2,
    l2PublicKey: Buffer.from(packPoint(l2.publicKey)).toString('hex'),
    taprootAddress: btc.p2tr(schnorr.getPublicKey(secret), undefined, REGTEST).address!,
    segwitAddress: btc.p2wpkh(secp256k1.getPublicKey(secret, true), REGTEST).address!,
  };
}

export function saveWallet(w: Wallet): void {
  const file: WalletFile = {
    version: 1,
    network: 'regtest',
    bitcoinSecretKey: Buffer.from(w.bitcoinSecretKey).toString('hex'),
  };
  writeFileAtomic(w.path, JSON.stringify(file, null, 2) + '\n');
}

export function loadWallet(path: string): Wallet {
  if (!existsSync(path))
    throw new CliError(`no wallet at ${path}`, {
      details: "create one with 'keel wallet new' (or start 'keel devnet', which makes a funded one)",
    });
  let file: WalletFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as WalletFile;
  } catch (cause) {
    throw new CliError(`the wallet file ${path} is not valid JSON`, { cause });
  }
  if (file.version !== 1 || typeof file.bitcoinSecretKey !== 'string' || !/^[0-9a-f]{64}$/.test(file.bitcoinSecretKey))
    throw new CliError(`the wallet file ${path} is not a Keel wallet (version 1)`);
  return walletFromSecret(path, Uint8Array.from(Buffer.from(file.bitcoinSecretKey, 'hex')));
}

/** A 64-hex secret or a regtest/testnet WIF. */
export function parseSecret(text: string): Uint8Array {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Uint8Array.from(Buffer.from(text, 'hex'));
  try {
    return btc.WIF(REGTEST).decode(text);
  } catch {
    throw new CliError('--key must be a 64-digit hex secret key or a regtest WIF');
  }
}

// ------------------------------------------------------------------ values

export function parseSats(text: string | true | undefined, name: string, fallback?: bigint): bigint {
  if (text === undefined && fallback !== undefined) return fallback;
  if (typeof text !== 'string' || !/^\d{1,19}$/.test(text))
    throw new CliError(`--${name} must be a whole number of satoshis`);
  const v = BigInt(text);
  if (v >= 2n ** 63n) throw new CliError(`--${name} must be below 2^63 satoshis`);
  return v;
}

export function formatSats(sats: string | bigint): string {
  const v = BigInt(sats);
  const btcPart = `${v / 100_000_000n}.${(v % 100_000_000n).toString().padStart(8, '0')}`;
  return `${v.toLocaleString('en-US')} sat (${btcPart} BTC)`;
}

/** Progress on stderr, so stdout stays parseable. */
export function progress(line: string): void {
  process.stderr.write(`… ${line}\n`);
}

export const FINALITY_STEPS = ['soft', 'posted', 'anchored', 'proven', 'final'] as const;

/** `proven (snark)` / `proven (snark + stark)`: which proofs `proven` rests on; other stages as they are. */
export function finalityLabel(status: string, proofs: readonly string[] = []): string {
  return (status === 'proven' || status === 'final') && proofs.length > 0
    ? `${status} (${proofs.join(' + ')})`
    : status;
}

/** `soft ✔ → posted … → …` as far as the status goes; `proven (snark) ✔` names the verified proof systems. */
export function finalityLadder(status: string, proofs: readonly string[] = []): string {
  const reached = FINALITY_STEPS.indexOf(status as (typeof FINALITY_STEPS)[number]);
  return FINALITY_STEPS.map((s, i) => {
    const name = s === 'proven' && proofs.length > 0 && i <= reached ? finalityLabel(s, proofs) : s;
    return `${name} ${i <= reached ? '✔' : '·'}`;
  }).join(' → ');
}

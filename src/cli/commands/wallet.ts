import { existsSync } from 'node:fs';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { CliError, parseOptions, type Command } from '../registry.ts';
import {
  COMMON_SPEC,
  COMMON_USAGE,
  client,
  formatSats,
  loadWallet,
  parseSecret,
  resolveCommon,
  saveWallet,
  walletFromSecret,
} from './common.ts';
import type { Wallet } from './common.ts';

const USAGE = `keel wallet new [--force] [options]
keel wallet import --key K [--force] [options]
keel wallet show [options]

A Keel wallet is one Bitcoin secret key; the L2 key is derived from it (a BIP340 signature over a fixed message), so
there is no second seed to back up.
  new              make a new random key
  import --key K   use an existing key (64 hex digits or a regtest WIF)
  show             print the addresses, the L2 key and, if the node is up, the L2 account
  --force          replace an existing wallet file
${COMMON_USAGE}`;

function describe(w: Wallet): string[] {
  return [
    `wallet:           ${w.path}`,
    `bitcoin (P2TR):   ${w.taprootAddress}`,
    `bitcoin (P2WPKH): ${w.segwitAddress}`,
    `L2 public key:    ${w.l2PublicKey}`,
  ];
}

export const walletCommand: Command = {
  name: 'wallet',
  summary: 'create, import or show the wallet (Bitcoin key → derived L2 key)',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'new' && sub !== 'import' && sub !== 'show') throw new CliError("use 'keel wallet new|import|show'");
    const opts = parseOptions(rest, { ...COMMON_SPEC, key: 'value', force: 'flag' });
    const common = resolveCommon(opts);
    if (sub === 'show') {
      const w = loadWallet(common.walletPath);
      for (const line of describe(w)) console.log(line);
      try {
        const account = await client(common).getAccountByKey(w.l2PublicKey);
        console.log(
          account
            ? `L2 account:       #${account.index}, balance ${formatSats(account.balance)}, nonce ${account.nonce}`
            : 'L2 account:       none yet (deposit to create it)',
        );
      } catch {
        console.log(`L2 account:       (node at ${common.rpcUrl} not reachable)`);
      }
      return 0;
    }
    if (opts.key !== undefined && sub === 'new')
      throw new CliError("'wallet new' makes its own key; use 'wallet import --key'");
    if (existsSync(common.walletPath) && opts.force !== true)
      throw new CliError(`a wallet already exists at ${common.walletPath}`, { details: 'pass --force to replace it' });
    let secret: Uint8Array;
    if (sub === 'import') {
      if (typeof opts.key !== 'string') throw new CliError('wallet import needs --key');
      secret = parseSecret(opts.key);
    } else secret = secp256k1.utils.randomSecretKey();
    const w = walletFromSecret(common.walletPath, secret);
    saveWallet(w);
    console.log(sub === 'new' ? 'new wallet created' : 'wallet imported');
    for (const line of describe(w)) console.log(line);
    if (sub === 'new')
      console.log('back up the wallet file: it holds your Bitcoin key, from which the L2 key is derived');
    return 0;
  },
};

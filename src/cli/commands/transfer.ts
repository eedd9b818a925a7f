import { CliError, parseOptions, type Command } from '../registry.ts';
import {
  COMMON_SPEC,
  COMMON_USAGE,
  client,
  formatSats,
  loadWallet,
  parseSats,
  progress,
  resolveCommon,
} from './common.ts';
import { followToSoft } from './send.ts';

const USAGE = `keel transfer --to T --amount N [--fee F] [--no-wait] [options]

Sends N satoshis on L2 from the wallet's account.
  --to T       recipient: an account index, or a packed L2 public key (64 hex digits)
  --amount N   satoshis
  --fee F      satoshis for the operator (default 100)
  --no-wait    print the id once the node has accepted it, without waiting for a block
${COMMON_USAGE}`;

export const transferCommand: Command = {
  name: 'transfer',
  summary: 'send satoshis to another L2 account',
  usage: USAGE,
  async run(args) {
    const opts = parseOptions(args, { ...COMMON_SPEC, to: 'value', amount: 'value', fee: 'value', 'no-wait': 'flag' });
    const common = resolveCommon(opts);
    const amount = parseSats(opts.amount, 'amount');
    if (amount === 0n) throw new CliError('--amount must be at least 1 satoshi');
    const fee = parseSats(opts.fee, 'fee', 100n);
    const c = client(common);
    let to: number;
    if (typeof opts.to === 'string' && /^\d{1,10}$/.test(opts.to)) to = Number(opts.to);
    else if (typeof opts.to === 'string' && /^[0-9a-f]{64}$/.test(opts.to)) {
      const account = await c.getAccountByKey(opts.to);
      if (!account) throw new CliError('that L2 key has no account yet');
      to = account.index;
    } else throw new CliError('--to must be an account index or a packed L2 public key');
    const w = loadWallet(common.walletPath);
    progress(`signing a transfer of ${formatSats(amount)} to account #${to} (fee ${fee} sat)`);
    const { id, from, nonce } = await c.transfer(w.l2, { to, amount, fee });
    progress(`sent from account #${from} with nonce ${nonce}`);
    if (opts['no-wait'] !== true) {
      const s = await followToSoft(c, id);
      if (s.status === 'dropped') throw new CliError(`transaction ${id} was dropped: ${s.error?.message ?? ''}`);
    }
    console.log(id);
    return 0;
  },
};

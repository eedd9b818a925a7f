import { parseOptions, type Command } from '../registry.ts';
import { COMMON_SPEC, COMMON_USAGE, client, formatSats, loadWallet, resolveCommon } from './common.ts';

export const balanceCommand: Command = {
  name: 'balance',
  summary: "show the wallet's L2 balance",
  usage: `keel balance [options]\n\nPrints the L2 account of the wallet's key: index, balance, nonce.\n${COMMON_USAGE}`,
  async run(args) {
    const common = resolveCommon(parseOptions(args, COMMON_SPEC));
    const w = loadWallet(common.walletPath);
    const account = await client(common).accountOf(w.l2);
    console.log(`account #${account.index}`);
    console.log(`balance ${formatSats(account.balance)}`);
    console.log(
      `nonce   ${account.nonce}${account.pendingNonce !== account.nonce ? ` (next ${account.pendingNonce}, some pending)` : ''}`,
    );
    return 0;
  },
};

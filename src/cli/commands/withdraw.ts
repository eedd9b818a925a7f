import * as btc from '@scure/btc-signer';
import { CliError, parseOptions, type Command } from '../registry.ts';
import {
  COMMON_SPEC,
  COMMON_USAGE,
  REGTEST,
  client,
  formatSats,
  loadWallet,
  parseSats,
  progress,
  resolveCommon,
} from './common.ts';
import { followToSoft } from './send.ts';

const USAGE = `keel withdraw --amount N [--address A | --script HEX] [--fee F] [--no-wait] [options]

Burns N satoshis on L2 and adds a withdrawal leaf paying them to a Bitcoin address. The bridge pays the leaf out once
its batch is proven on Bitcoin.
  --address A  regtest Bitcoin address (default: the wallet's own P2TR address)
  --script HEX or a raw scriptPubKey (1..42 bytes)
  --amount N   satoshis
  --fee F      satoshis for the operator (default 100)
  --no-wait    do not wait for the L2 block and the batch
${COMMON_USAGE}`;

export const withdrawCommand: Command = {
  name: 'withdraw',
  summary: 'withdraw satoshis from L2 to a Bitcoin address',
  usage: USAGE,
  async run(args) {
    const opts = parseOptions(args, {
      ...COMMON_SPEC,
      address: 'value',
      script: 'value',
      amount: 'value',
      fee: 'value',
      'no-wait': 'flag',
    });
    const common = resolveCommon(opts);
    const amount = parseSats(opts.amount, 'amount');
    if (amount === 0n) throw new CliError('--amount must be at least 1 satoshi');
    const fee = parseSats(opts.fee, 'fee', 100n);
    const w = loadWallet(common.walletPath);
    let script: Uint8Array;
    if (typeof opts.script === 'string') {
      if (opts.address !== undefined) throw new CliError('give --address or --script, not both');
      if (!/^([0-9a-f]{2}){1,42}$/.test(opts.script)) throw new CliError('--script must be 1..42 bytes of hex');
      script = Uint8Array.from(Buffer.from(opts.script, 'hex'));
    } else {
      const address = typeof opts.address === 'string' ? opts.address : w.taprootAddress;
      try {
        script = btc.OutScript.encode(btc.Address(REGTEST).decode(address));
      } catch {
        throw new CliError(`'${address}' is not a regtest Bitcoin address`);
      }
    }
    const c = client(common);
    progress(`signing a withdrawal of ${formatSats(amount)} to script ${Buffer.from(script).toString('hex')}`);
    const { id } = await c.withdraw(w.l2, { script, amount, fee });
    if (opts['no-wait'] !== true) {
      const s = await followToSoft(c, id);
      if (s.status === 'dropped') throw new CliError(`transaction ${id} was dropped: ${s.error?.message ?? ''}`);
      progress(`waiting for batch ${s.batch} to close (its withdrawal tree is committed then)`);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const batch = await c.getBatch(s.batch!);
        if (batch) {
          const leaf = batch.withdrawals.findIndex(
            (x) => x.script === Buffer.from(script).toString('hex') && x.amount === `${amount}`,
          );
          progress(`batch ${batch.batchNumber} closed: withdrawal leaf #${leaf}, root ${batch.withdrawalRoot}`);
          break;
        }
        if (Date.now() > deadline) throw new CliError(`batch ${s.batch} did not close in time; 'keel tx ${id}' later`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    console.log(id);
    return 0;
  },
};

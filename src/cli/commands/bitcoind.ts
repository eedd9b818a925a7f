import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BitcoinNode } from '../../bitcoin/node/index.ts';
import { CliError, parseOptions, type Command } from '../registry.ts';

const USAGE = `keel bitcoind [--datadir D] [--rpcport P] [--rpcuser U --rpcpassword W] [--maxmempool M] [--nosync]

Runs Keel's embedded Bitcoin regtest node in the foreground (Ctrl-C or the 'stop' RPC ends it).
  --datadir D      chain state and the RPC cookie file (default ~/.keel/bitcoind)
  --rpcport P      JSON-RPC port on 127.0.0.1 (default 18443, Core's regtest port)
  --rpcuser U      also accept these credentials (with --rpcpassword)
  --maxmempool M   mempool size limit in MB of serialized transactions (default 300)
  --nosync         do not fsync each block (faster; a power cut may lose the last blocks)`;

export const bitcoindCommand: Command = {
  name: 'bitcoind',
  summary: 'run the embedded Bitcoin regtest node (Core-compatible JSON-RPC)',
  usage: USAGE,
  async run(args) {
    const opts = parseOptions(args, {
      datadir: 'value',
      rpcport: 'value',
      rpcuser: 'value',
      rpcpassword: 'value',
      nosync: 'flag',
      maxmempool: 'value',
    });
    let maxMempoolBytes: number | undefined;
    if (typeof opts.maxmempool === 'string') {
      const mb = Number(opts.maxmempool);
      if (!Number.isFinite(mb) || mb < 1)
        throw new CliError(`invalid --maxmempool ${opts.maxmempool} (megabytes, >= 1)`);
      maxMempoolBytes = Math.floor(mb * 1_000_000);
    }
    const datadir = resolve(typeof opts.datadir === 'string' ? opts.datadir : join(homedir(), '.keel', 'bitcoind'));
    let rpcPort = 18443;
    if (typeof opts.rpcport === 'string') {
      rpcPort = Number(opts.rpcport);
      if (!Number.isInteger(rpcPort) || rpcPort < 0 || rpcPort > 65535)
        throw new CliError(`invalid --rpcport ${opts.rpcport}`);
    }
    const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
    log(`bitcoind: regtest, datadir ${datadir}`);
    const node = await BitcoinNode.start({
      datadir,
      rpcPort,
      rpcUser: typeof opts.rpcuser === 'string' ? opts.rpcuser : undefined,
      rpcPassword: typeof opts.rpcpassword === 'string' ? opts.rpcpassword : undefined,
      sync: opts.nosync !== true,
      maxMempoolBytes,
      log,
    });
    const onSignal = (sig: string) => {
      log(`bitcoind: ${sig} received`);
      void node.stop();
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    log(`bitcoind: ready at height ${node.tip.height} (rpc 127.0.0.1:${node.rpcPort})`);
    await node.waitForStop();
    return 0;
  },
};

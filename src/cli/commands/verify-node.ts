import type { Transport } from '../../bitcoin/index.ts';
import { createBitcoinClient, http } from '../../bitcoin/index.ts';
import { unpackPoint } from '../../rollup/index.ts';
import type { DeriveConfig } from '../../anchor/index.ts';
import { AnchorError } from '../../anchor/index.ts';
import { DEFAULT_VERIFIER_RPC_PORT, serveVerifierRpc } from '../../node/index.ts';
import { VerifierNode } from '../../anchor/index.ts';

const USAGE = `keel verify-node --bitcoin-rpc URL (--rpccookie FILE | --rpcuser U --rpcpassword W)
                 --genesis TXID:VOUT --sequencer-key HEX --fee-account-key HEX
                 [--chain-id N] [--depth D] [--withdrawal-depth W] [--start-height H] [--confirmations K]
                 [--interval MS] [--rpcport P] [--once]

Rebuilds the Keel state from Bitcoin alone: follows the commitment chain from the genesis outpoint, re-executes
every batch and checks its roots. Bad batches are flagged with the check that failed; garbage is logged and ignored.
  --bitcoin-rpc URL        Bitcoin Core (or 'keel bitcoind') JSON-RPC, e.g. http://127.0.0.1:18443
  --genesis TXID:VOUT      the configured first outpoint of the commitment chain
  --sequencer-key HEX      the sequencer's 32-byte x-only Bitcoin key
  --fee-account-key HEX    the packed Baby Jubjub key of L2 account 0 (genesis parameter)
  --chain-id N             L2 chain id (default 3, regtest)       --depth D   account tree depth (default 24)
  --confirmations K        only read blocks with K confirmations (default 1)
  --rpcport P              serve the read-only L2 JSON-RPC on 127.0.0.1:P (default ${DEFAULT_VERIFIER_RPC_PORT}; 0 = any free
                           port); keel_sendTransaction is refused, see docs/rpc.md
  --once                   sync to the tip, print the state root and exit (no RPC)`;

/** The same shape as the CLI's Command (src/cli/registry.ts), without depending on the CLI module. */
export type VerifyNodeCommand = {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
};

function parse(args: string[]): Map<string, string | true> {
  const flags = new Set(['once']);
  const known = new Set([
    'bitcoin-rpc',
    'rpccookie',
    'rpcuser',
    'rpcpassword',
    'genesis',
    'sequencer-key',
    'fee-account-key',
    'chain-id',
    'depth',
    'withdrawal-depth',
    'start-height',
    'confirmations',
    'interval',
    'rpcport',
    'once',
  ]);
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new AnchorError('INVALID_PARAMETER', `unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!known.has(name)) throw new AnchorError('INVALID_PARAMETER', `unknown option --${name}`);
    if (flags.has(name)) out.set(name, true);
    else {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (!value) throw new AnchorError('INVALID_PARAMETER', `--${name} needs a value`);
      out.set(name, value);
    }
  }
  return out;
}

function int(opts: Map<string, string | true>, name: string, fallback: number, min = 0): number {
  const v = opts.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new AnchorError('INVALID_PARAMETER', `invalid --${name} ${String(v)}`);
  return n;
}

function hex(value: string | true | undefined, name: string, bytes: number): Uint8Array {
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(value))
    throw new AnchorError('INVALID_PARAMETER', `--${name} must be ${bytes} bytes of hex`);
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

/** Builds a verifier node from `keel verify-node` arguments (exported for the CLI and for tests). */
export function verifierFromArgs(
  args: string[],
  log: (line: string) => void,
): { node: VerifierNode; opts: Map<string, string | true>; rpcPort: number } {
  const opts = parse(args);
  const url = opts.get('bitcoin-rpc');
  if (typeof url !== 'string') throw new AnchorError('INVALID_PARAMETER', '--bitcoin-rpc is required');
  const cookie = opts.get('rpccookie');
  const user = opts.get('rpcuser');
  const password = opts.get('rpcpassword');
  let transport: Transport;
  if (typeof cookie === 'string') transport = http(url, { cookieFile: cookie });
  else if (typeof user === 'string' && typeof password === 'string') transport = http(url, { user, password });
  else throw new AnchorError('INVALID_PARAMETER', 'give --rpccookie or --rpcuser and --rpcpassword');
  const genesis = opts.get('genesis');
  const m = typeof genesis === 'string' ? /^([0-9a-fA-F]{64}):(\d+)$/.exec(genesis) : null;
  if (!m) throw new AnchorError('INVALID_PARAMETER', '--genesis must be TXID:VOUT');
  const feeAccountKey = unpackPoint(hex(opts.get('fee-account-key'), 'fee-account-key', 32));
  if (!feeAccountKey) throw new AnchorError('INVALID_PARAMETER', '--fee-account-key is not a packed curve point');
  const rpcPort = int(opts, 'rpcport', DEFAULT_VERIFIER_RPC_PORT);
  if (rpcPort > 65535) throw new AnchorError('INVALID_PARAMETER', `invalid --rpcport ${rpcPort}`);
  const rollup: DeriveConfig = {
    chainId: int(opts, 'chain-id', 3),
    depth: int(opts, 'depth', 24, 1),
    withdrawalDepth: int(opts, 'withdrawal-depth', 12, 1),
    feeAccountKey,
  };
  const node = new VerifierNode({
    client: createBitcoinClient({ transport }),
    genesis: { txid: m[1]!.toLowerCase(), vout: Number(m[2]) },
    sequencerKey: hex(opts.get('sequencer-key'), 'sequencer-key', 32),
    rollup,
    startHeight: int(opts, 'start-height', 0),
    confirmations: int(opts, 'confirmations', 1, 1),
    log,
  });
  return { node, opts, rpcPort };
}

export const verifyNodeCommand: VerifyNodeCommand = {
  name: 'verify-node',
  summary: 'rebuild and check the L2 state from Bitcoin alone (a verifier node)',
  usage: USAGE,
  async run(args) {
    const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
    const { node, opts, rpcPort } = verifierFromArgs(args, log);
    const report = () =>
      log(`verify-node: batch ${node.batchNumber}, L1 height ${node.l1Height}, root 0x${node.roots[0]!.toString(16)}`);
    const once = opts.get('once') === true;
    const interval = int(opts, 'interval', 2000, 100);
    // Listening first: a taken port fails at once, and clients can watch keel_status while the first sync runs.
    const rpc = once ? undefined : await serveVerifierRpc(node, { port: rpcPort, log });
    if (rpc) log(`verify-node: read-only rpc http://127.0.0.1:${rpc.port}`);
    try {
      await node.sync();
      report();
      if (once) return node.flagged.length === 0 ? 0 : 2;
      node.on('batch', report);
      node.start(interval);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      node.stop();
      return 0;
    } finally {
      await rpc?.close();
    }
  },
};

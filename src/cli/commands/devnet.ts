import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';
import { BitcoinNode, btcToSats, createBitcoinClient, http as btcHttp } from '../../bitcoin/index.ts';
import type { BitcoinClient } from '../../bitcoin/index.ts';
import {
  DEFAULT_RPC_PORT,
  KeelNode,
  StarkProver,
  buildDepositTransaction,
  provingStart,
  rollupConfig,
  starkProofVerifier,
} from '../../node/index.ts';
import type { ProofVerifier } from '../../node/index.ts';
import { ChainId, LevelStore, RollupError, deriveL2Key, poseidon2BabyBearHasher } from '../../rollup/index.ts';
import type { RollupNode } from '../../rollup/index.ts';
import type { ProverQueue } from '../../rollup/index.ts';
import { createKeelClient, http } from '../../sdk/index.ts';
import { CliError, parseOptions, type Command } from '../registry.ts';
import {
  DEFAULT_DATADIR,
  REGTEST,
  formatSats,
  loadWallet,
  progress,
  saveWallet,
  walletFromSecret,
  writeFileAtomic,
} from './common.ts';
import type { DevnetInfo, Wallet } from './common.ts';
import { ANCHOR_STATE_FILE, devnetAnchoring } from './devnet-anchor.ts';
import type { DevnetAnchoring } from './devnet-anchor.ts';
import { DEVNET_SHAPE, startDevnetProving } from './devnet-prover.ts';
import type { DevnetProving } from './devnet-prover.ts';

const CONFIRMATIONS = 2;
const ANCHOR_CONFIRMATIONS = 6;
const ANCHOR_TICK_MS = 1000;

const USAGE = `keel devnet [--datadir D] [--reset] [--rpcport P] [--btcport P] [--blocktime S] [--deposit N]
            [--confirmations K] [--anchor-confirmations K] [--no-prove]

Runs a local Keel: the embedded Bitcoin regtest node and the L2 node, with funded demo accounts. Runs until Ctrl-C.
  --datadir D    where everything lives (default ~/.keel/devnet)
  --reset        delete the devnet's chain, L2 state and wallets first, and start over
  --rpcport P    L2 JSON-RPC port on 127.0.0.1 (default ${DEFAULT_RPC_PORT}; 0 picks a free one)
  --btcport P    Bitcoin RPC port on 127.0.0.1 (default 18443; 0 picks a free one)
  --blocktime S  mine a Bitcoin block every S seconds (default 10; 0 = only when the devnet needs one)
  --deposit N    satoshis each demo account gets through its L1 deposit (default 100000000)
  --confirmations K  Bitcoin confirmations before a deposit is credited on L2 (default ${CONFIRMATIONS})
  --anchor-confirmations K  confirmations before a batch's commitment counts as anchored (default ${ANCHOR_CONFIRMATIONS})
  --no-prove     do not run the SNARK and STARK provers (batches stay anchored, never proven)

Every closed batch is posted to regtest as a commitment (docs/anchoring.md) from the devnet's sequencer key; the
chain position is kept in D/anchor.json, so a restart continues the same commitment chain.

Every closed batch is also proven in the background, with Groth16 (the devnet circuit: 2^${DEVNET_SHAPE.depth} accounts,
${DEVNET_SHAPE.slots} operations per batch plus the fee credit) and with the batch STARK. The first start sets the
circuit's keys up (a few minutes, shown on stderr; cached under build/circuits/); the L2 is usable meanwhile. A batch
whose proofs verified and whose commitment is anchored shows as 'proven (snark + stark)'. The Groth16 keys come from
an INSECURE development ceremony.`;

/** Devnet secrets (insecure by design: a local test network). */
type DevnetKeys = { minerKey: string; bridgeKey: string; operatorKey: string; sequencerKey: string };
const DEMO = ['alice', 'bob'];
const MATURE_HEIGHT = 110;

function port(v: string | true | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`invalid --${name} ${String(v)}`);
  return n;
}

function loadKeys(datadir: string): DevnetKeys {
  const path = join(datadir, 'devnet-keys.json');
  const rand = () => Buffer.from(secp256k1.utils.randomSecretKey()).toString('hex');
  const saved = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<DevnetKeys>) : {};
  const keys: DevnetKeys = {
    minerKey: saved.minerKey ?? rand(),
    bridgeKey: saved.bridgeKey ?? rand(),
    operatorKey: saved.operatorKey ?? rand(),
    // Devnets made before anchoring have no sequencer key yet: one is added.
    sequencerKey: saved.sequencerKey ?? rand(),
  };
  if (saved.sequencerKey === undefined) writeFileAtomic(path, JSON.stringify(keys, null, 2) + '\n');
  return keys;
}

const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

export const devnetCommand: Command = {
  name: 'devnet',
  summary: 'run a local devnet: embedded Bitcoin regtest + L2 node + funded demo accounts',
  usage: USAGE,
  async run(args) {
    const opts = parseOptions(args, {
      datadir: 'value',
      reset: 'flag',
      rpcport: 'value',
      btcport: 'value',
      blocktime: 'value',
      deposit: 'value',
      confirmations: 'value',
      'anchor-confirmations': 'value',
      'no-prove': 'flag',
    });
    const prove = opts['no-prove'] !== true;
    const confirmations = opts.confirmations === undefined ? CONFIRMATIONS : Number(opts.confirmations);
    if (!Number.isInteger(confirmations) || confirmations < 1 || confirmations > 100)
      throw new CliError('--confirmations must be an integer in 1..100');
    const anchorConfirmations =
      opts['anchor-confirmations'] === undefined ? ANCHOR_CONFIRMATIONS : Number(opts['anchor-confirmations']);
    if (!Number.isInteger(anchorConfirmations) || anchorConfirmations < 1 || anchorConfirmations > 100)
      throw new CliError('--anchor-confirmations must be an integer in 1..100');
    const datadir = resolve(typeof opts.datadir === 'string' ? opts.datadir : DEFAULT_DATADIR);
    const rpcPort = port(opts.rpcport, 'rpcport', DEFAULT_RPC_PORT);
    const btcPort = port(opts.btcport, 'btcport', 18443);
    const blocktime = opts.blocktime === undefined ? 10 : Number(opts.blocktime);
    if (!Number.isFinite(blocktime) || blocktime < 0) throw new CliError('--blocktime must be a number of seconds ≥ 0');
    const depositSats =
      typeof opts.deposit === 'string' ? BigInt(/^\d{4,15}$/.test(opts.deposit) ? opts.deposit : '0') : 100_000_000n;
    if (depositSats < 1000n) throw new CliError('--deposit must be 1000..10^15 satoshis');

    if (opts.reset === true) {
      progress(`resetting ${datadir}`);
      // Only what the devnet itself created; anything else in the directory stays.
      for (const name of [
        'bitcoin',
        'l2',
        'wallets',
        'wallet.json',
        'devnet.json',
        'devnet-keys.json',
        'devnet.log',
        ANCHOR_STATE_FILE,
      ])
        rmSync(join(datadir, name), { recursive: true, force: true });
    }
    mkdirSync(datadir, { recursive: true });
    const logFile = createWriteStream(join(datadir, 'devnet.log'), { flags: 'a' });
    const log = (line: string) => logFile.write(`${new Date().toISOString()} ${line}\n`);
    const keys = loadKeys(datadir);
    const minerKey = bytes(keys.minerKey);
    const minerPayment = btc.p2wpkh(secp256k1.getPublicKey(minerKey, true), REGTEST);
    const bridgeKey = secp256k1.getPublicKey(bytes(keys.bridgeKey), true).subarray(1);

    progress(`starting the Bitcoin regtest node (data ${join(datadir, 'bitcoin')})`);
    const bitcoin = await BitcoinNode.start({ datadir: join(datadir, 'bitcoin'), rpcPort: btcPort, log });
    const btcClient = createBitcoinClient({
      transport: btcHttp(bitcoin.rpcUrl, { cookieFile: join(datadir, 'bitcoin', '.cookie') }),
    });
    let node: KeelNode | undefined;
    let miner: NodeJS.Timeout | undefined;
    let anchoring: DevnetAnchoring | undefined;
    let proving: DevnetProving | undefined;
    let starkProver: StarkProver | undefined;
    const shutdown = async () => {
      if (miner) clearInterval(miner);
      await anchoring?.stop();
      await node?.stop();
      await proving?.stop();
      await starkProver?.close();
      await bitcoin.stop();
      await new Promise<void>((r) => logFile.end(() => r()));
    };
    try {
      const height = await btcClient.getBlockCount();
      // 100 blocks of coinbase maturity plus a few mature coinbases to fund the demo accounts from.
      if (height < MATURE_HEIGHT) {
        progress(`mining ${MATURE_HEIGHT - height} blocks so the first coinbases mature`);
        await btcClient.generateToAddress(MATURE_HEIGHT - height, minerPayment.address!);
      }
      const anchor = await devnetAnchoring({
        client: btcClient,
        datadir,
        sequencerKey: bytes(keys.sequencerKey),
        miner: { secretKey: minerKey, script: minerPayment.script, address: minerPayment.address! },
        confirmations: anchorConfirmations,
        log,
      });
      anchoring = anchor;
      progress(`starting the L2 node (data ${join(datadir, 'l2')})`);
      // The devnet's tree and batch sizes are the circuit's (devnet-prover.ts), with or without --no-prove, so the
      // same data directory works both ways.
      const rollup = rollupConfig({
        chainId: ChainId.regtest,
        feeAccountKey: deriveL2Key(bytes(keys.operatorKey)).publicKey,
        maxBatchAgeMs: 10_000,
        depth: DEVNET_SHAPE.depth,
        withdrawalDepth: DEVNET_SHAPE.withdrawalDepth,
        maxBlockOps: DEVNET_SHAPE.slots,
        maxBatchOps: DEVNET_SHAPE.slots + 1,
      });
      const store = await LevelStore.open(join(datadir, 'l2'));
      // The STARK's second state root (ARCHITECTURE decision 2) is kept with or without --no-prove: fixed at genesis.
      const extraHashers = [poseidon2BabyBearHasher];
      const provers: ProverQueue[] = [];
      const verifiers: ProofVerifier[] = [];
      let opened: RollupNode | undefined;
      try {
        if (prove) {
          const start = await provingStart(store, rollup, 'snark', { extraHashers });
          proving = startDevnetProving({ shape: DEVNET_SHAPE, accounts: start.accounts, progress, log });
          provers.push(proving.queue);
          verifiers.push(proving.verifier);
          if (start.nextBatch > 1) log(`snark: batches 1..${start.nextBatch - 1} already proven`);
          // The STARK needs no setup: it proves from the first batch it lacks, in a worker thread.
          const starkStart = await provingStart(store, rollup, 'stark', { extraHashers });
          const stark = new StarkProver({
            depth: rollup.depth,
            chainId: rollup.chainId,
            accounts: starkStart.accounts,
          });
          stark.onResult((r) => log(`stark: batch ${r.batchNumber} proven`));
          stark.onFailure((f) => log(`stark: batch ${f.batchNumber} could not be proven: ${f.error.message}`));
          starkProver = stark;
          provers.push(stark);
          verifiers.push(starkProofVerifier({ depth: rollup.depth, l1Items: (i) => opened?.queue.get(i)?.item }));
        }
        node = await KeelNode.start({
          rollup,
          store,
          extraHashers,
          l1: { client: btcClient, bridgeKey, confirmations, pollIntervalMs: 250 },
          rpc: { port: rpcPort },
          anchorer: (r) => anchor.seam(r),
          provers,
          verifiers,
          log,
        });
        opened = node.rollup;
      } catch (err) {
        if (!node) await store.close().catch(() => {});
        if (err instanceof RollupError && /different genesis/.test(err.message))
          throw new CliError(`${join(datadir, 'l2')} was made with other chain parameters`, {
            details:
              'a devnet made by an older Keel (another tree depth or storage layout) cannot be reused: start with --reset',
          });
        throw err;
      }
      anchor.start(ANCHOR_TICK_MS);
      const keel = createKeelClient({ transport: http(node.rpcUrl) });

      // The user's wallet and the demo accounts, each funded by a real deposit on Bitcoin if it has no account yet.
      const wallets: { label: string; wallet: Wallet }[] = [];
      const userPath = join(datadir, 'wallet.json');
      if (!existsSync(userPath)) saveWallet(walletFromSecret(userPath, secp256k1.utils.randomSecretKey()));
      wallets.push({ label: 'you', wallet: loadWallet(userPath) });
      for (const name of DEMO) {
        const path = join(datadir, 'wallets', `${name}.json`);
        if (!existsSync(path)) saveWallet(walletFromSecret(path, secp256k1.utils.randomSecretKey()));
        wallets.push({ label: name, wallet: loadWallet(path) });
      }
      const unfunded: Wallet[] = [];
      for (const { wallet } of wallets) if (!(await keel.getAccountByKey(wallet.l2PublicKey))) unfunded.push(wallet);
      if (unfunded.length > 0)
        await fund(btcClient, minerKey, minerPayment, bridgeKey, unfunded, depositSats, keel, confirmations);

      const info: DevnetInfo = {
        rpcUrl: node.rpcUrl,
        wsUrl: node.wsUrl,
        bitcoinRpcUrl: bitcoin.rpcUrl,
        bitcoinCookie: join(datadir, 'bitcoin', '.cookie'),
        chainId: ChainId.regtest,
      };
      writeFileAtomic(join(datadir, 'devnet.json'), JSON.stringify(info, null, 2) + '\n', 0o644);

      if (blocktime > 0)
        miner = setInterval(() => {
          btcClient
            .generateToAddress(1, minerPayment.address!)
            .catch((err: unknown) => log(`devnet: mining failed: ${String(err)}`));
        }, blocktime * 1000);

      const dd = opts.datadir === undefined ? '' : ` --datadir ${datadir}`;
      const rows = await Promise.all(
        wallets.map(async ({ label, wallet }) => {
          const a = await keel.getAccountByKey(wallet.l2PublicKey);
          return { label, wallet, index: a?.index ?? -1, balance: a?.balance ?? '0' };
        }),
      );
      const bob = rows.find((r) => r.label === 'bob')!;
      console.log(
        [
          'keel devnet ready',
          `  L2 JSON-RPC    ${node.rpcUrl}`,
          `  L2 WebSocket   ${node.wsUrl}`,
          `  Bitcoin RPC    ${bitcoin.rpcUrl}  (cookie ${info.bitcoinCookie})`,
          `  data           ${datadir}  (log: devnet.log)`,
          `  anchoring      batches posted to regtest, anchored after ${anchorConfirmations} confirmations` +
            (blocktime > 0 ? ` (a block every ${blocktime} s)` : ' (--blocktime 0: mine blocks yourself)'),
          `  proving        ` +
            (prove
              ? `SNARK (Groth16, devnet circuit Batch(${DEVNET_SHAPE.slots}, ${DEVNET_SHAPE.depth}, ${DEVNET_SHAPE.withdrawalDepth})) and STARK in the background; progress on stderr`
              : 'off (--no-prove)'),
          'accounts (funded by L1 deposits):',
          ...rows.map(
            (r) =>
              `  ${r.label.padEnd(6)} #${String(r.index).padEnd(4)} ${formatSats(r.balance).padEnd(36)} ${r.wallet.path}`,
          ),
          'try:',
          `  npx keel balance${dd}`,
          `  npx keel transfer --to ${bob.index} --amount 10000${dd}`,
          `  npx keel tx <id printed by transfer>${dd}`,
          `  npx keel verify-batch <batch shown by tx>${dd}`,
          `  npx keel withdraw --amount 5000${dd}`,
          `  npx keel status${dd}`,
          'Ctrl-C stops the devnet.',
        ].join('\n'),
      );
    } catch (err) {
      await shutdown();
      throw err;
    }

    await new Promise<void>((resolveStop) => {
      const onSignal = (sig: string) => {
        progress(`${sig}: stopping the devnet`);
        resolveStop();
      };
      process.once('SIGINT', () => onSignal('SIGINT'));
      process.once('SIGTERM', () => onSignal('SIGTERM'));
    });
    await shutdown();
    progress('devnet stopped');
    return 0;
  },
};

/** Real peg-ins: one deposit transaction per wallet from matured miner coinbases, mined, then taken by the watcher. */
async function fund(
  client: BitcoinClient,
  minerKey: Uint8Array,
  miner: { address?: string; script: Uint8Array },
  bridgeKey: Uint8Array,
  wallets: Wallet[],
  amount: bigint,
  keel: ReturnType<typeof createKeelClient>,
  confirmations: number,
): Promise<void> {
  const tip = await client.getBlockCount();
  const scan = await client.scanTxOutSet([`addr(${miner.address!})`]);
  const mempool = new Set(await client.getRawMempool());
  const spendable = scan.unspents
    .filter((u) => !u.coinbase || u.height <= tip - 99)
    .filter((u) => !mempool.has(u.txid))
    .sort((a, b) => a.height - b.height);
  for (const w of wallets) {
    const need = amount + 10_000n;
    const inputs = [];
    let total = 0n;
    while (total < need) {
      const u = spendable.shift();
      if (!u) throw new CliError('the devnet miner has no spendable coins left');
      inputs.push({ txid: u.txid, vout: u.vout, amount: btcToSats(u.amount), script: miner.script });
      total += btcToSats(u.amount);
    }
    const { hex } = buildDepositTransaction({
      inputs,
      secretKey: minerKey,
      bridgeKey,
      l2Key: w.l2.publicKey,
      amount,
      fee: 2_000n,
      changeScript: miner.script,
    });
    const txid = await client.sendRawTransaction(hex);
    progress(`deposit of ${formatSats(amount)} for ${w.path}: Bitcoin tx ${txid}`);
    // One block per deposit: deposits are credited in L1 order, and the order of equal-fee transactions inside one
    // block is arbitrary, so this keeps the account numbers (you #1, alice #2, bob #3) the same on every start.
    await client.generateToAddress(1, miner.address!);
  }
  if (confirmations > 1) {
    progress(`mining ${confirmations - 1} more block(s) to confirm the deposits`);
    await client.generateToAddress(confirmations - 1, miner.address!);
  }
  const deadline = Date.now() + 60_000;
  for (const w of wallets) {
    while (!(await keel.getAccountByKey(w.l2PublicKey))) {
      if (Date.now() > deadline) throw new CliError('the L2 node did not credit the deposits in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  progress('deposits credited on L2');
}

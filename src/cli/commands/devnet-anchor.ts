import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as btc from '@scure/btc-signer';
import { Anchorer, chainScript, xOnlyKey } from '../../anchor/index.ts';
import type { ChainOutput, NodeAnchorSeam } from '../../anchor/index.ts';
import { btcToSats } from '../../bitcoin/index.ts';
import type { BitcoinClient } from '../../bitcoin/index.ts';
import type { RollupNode } from '../../rollup/index.ts';
import { CliError } from '../registry.ts';
import { writeFileAtomic } from './common.ts';

/** Where the devnet keeps its place in the commitment chain, so a restart continues it (docs/anchoring.md §7). */
export const ANCHOR_STATE_FILE = 'anchor.json';
const GENESIS_FEE = 5_000n;

type SavedOutput = { txid: string; vout: number; amount: string };
type AnchorState = { genesis: SavedOutput; chain: SavedOutput; lastCommitment: string; lastBatch: number };

export type DevnetAnchoring = {
  anchorer: Anchorer;
  /** For `KeelNodeOptions.anchorer`: re-submits batches closed before a restart but never posted. */
  seam(rollup: RollupNode): Promise<NodeAnchorSeam>;
  /** Ticks the anchorer every `intervalMs` and saves its chain position after each tick. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
};

/**
 * The devnet's anchorer. On a fresh datadir the genesis output (a key-path P2TR of the sequencer key) is paid from a
 * mature miner coinbase and mined; after that the chain output, last header id and last posted batch are saved to
 * `anchor.json` after every tick and passed back as `resume` on the next start.
 */
export async function devnetAnchoring(args: {
  client: BitcoinClient;
  datadir: string;
  sequencerKey: Uint8Array;
  miner: { secretKey: Uint8Array; script: Uint8Array; address: string };
  confirmations: number;
  log: (line: string) => void;
}): Promise<DevnetAnchoring> {
  const path = join(args.datadir, ANCHOR_STATE_FILE);
  const script = chainScript(xOnlyKey(args.sequencerKey));
  const output = (o: SavedOutput): ChainOutput => ({ txid: o.txid, vout: o.vout, amount: BigInt(o.amount), script });
  const saved = (o: ChainOutput): SavedOutput => ({ txid: o.txid, vout: o.vout, amount: o.amount.toString() });

  let state: AnchorState;
  if (existsSync(path)) {
    state = JSON.parse(readFileSync(path, 'utf8')) as AnchorState;
  } else {
    const genesis = saved(await fundGenesis(args.client, args.miner, script));
    state = { genesis, chain: genesis, lastCommitment: '00'.repeat(32), lastBatch: 0 };
    writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n');
  }
  const resumed = state.lastBatch > 0;
  const anchorer = new Anchorer({
    client: args.client,
    secretKey: args.sequencerKey,
    genesis: output(state.genesis),
    resume: resumed
      ? {
          chain: output(state.chain),
          lastCommitment: Uint8Array.from(Buffer.from(state.lastCommitment, 'hex')),
          lastBatch: state.lastBatch,
        }
      : undefined,
    confirmations: args.confirmations,
    log: args.log,
  });
  anchorer.on('error', (err) => args.log(`anchor: ${err instanceof Error ? err.message : String(err)}`));
  args.log(
    resumed
      ? `anchor: resuming the commitment chain after batch ${state.lastBatch} at ${state.chain.txid}:${state.chain.vout}`
      : `anchor: commitment chain starts at genesis ${state.genesis.txid}:${state.genesis.vout}`,
  );

  const save = () => {
    const lastPosted = anchorer.all.filter((r) => r.status !== 'queued').at(-1)?.batchNumber;
    if (lastPosted === undefined) return;
    state = {
      ...state,
      chain: saved(anchorer.chainOutput),
      lastCommitment: Buffer.from(anchorer.lastCommitmentId).toString('hex'),
      lastBatch: lastPosted,
    };
    writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n');
  };
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let ticking: Promise<void> = Promise.resolve();
  // One tick at a time: the next is scheduled when the last has finished, so slow RPC never piles ticks up.
  const schedule = (intervalMs: number) => {
    timer = setTimeout(() => {
      ticking = anchorer
        .tick()
        .then(save)
        .catch((err: unknown) => args.log(`anchor: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (running) schedule(intervalMs);
        });
    }, intervalMs);
  };
  return {
    anchorer,
    async seam(rollup) {
      const seam = anchorer.nodeSeam(rollup);
      // Closed before the last stop but not posted: the anchorer's queue lives in memory only.
      for (let n = state.lastBatch + 1; ; n++) {
        const batch = await rollup.getBatch(n);
        if (!batch) break;
        await seam.submit(batch);
      }
      return seam;
    },
    start(intervalMs) {
      if (running) return;
      running = true;
      schedule(intervalMs);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await ticking;
    },
  };
}

/** Pays the oldest mature miner coinbase to the sequencer's chain script and mines it. */
async function fundGenesis(
  client: BitcoinClient,
  miner: { secretKey: Uint8Array; script: Uint8Array; address: string },
  script: Uint8Array,
): Promise<ChainOutput> {
  const tip = await client.getBlockCount();
  const mempool = new Set(await client.getRawMempool());
  const coinbase = (await client.scanTxOutSet([`addr(${miner.address})`])).unspents
    .filter((u) => u.coinbase && u.height <= tip - 99 && !mempool.has(u.txid))
    .sort((a, b) => a.height - b.height)[0];
  if (!coinbase) throw new CliError('the devnet miner has no mature coinbase for the anchoring genesis');
  const value = btcToSats(coinbase.amount);
  const tx = new btc.Transaction({ version: 2 });
  tx.addInput({ txid: coinbase.txid, index: coinbase.vout, witnessUtxo: { script: miner.script, amount: value } });
  tx.addOutput({ script, amount: value - GENESIS_FEE });
  tx.sign(miner.secretKey);
  tx.finalize();
  const txid = await client.sendRawTransaction(tx.hex);
  await client.generateToAddress(1, miner.address);
  return { txid, vout: 0, amount: value - GENESIS_FEE, script };
}

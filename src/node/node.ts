import { RollupNode } from '../rollup/index.ts';
import type { BatchOutput, Op, ProverQueue } from '../rollup/index.ts';
import type { KeelNodeOptions } from './config.ts';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, DEFAULT_RPC_PORT, REGTEST_CONFIRMATIONS } from './config.ts';
import { bridgeDepositScript } from './deposit.ts';
import { KeelNodeError } from './errors.ts';
import { FinalityTracker } from './finality.ts';
import type { Anchorer } from './finality.ts';
import { Metrics } from './metrics.ts';
import { ProofBook } from './proofs.ts';
import { METHODS } from './methods.ts';
import type { RpcContext } from './methods.ts';
import { RpcServer } from './server.ts';
import { Subscriptions } from './subscriptions.ts';
import { L1Watcher } from './watcher.ts';

/**
 * Wires one L2 node: the rollup core (acceptance, sequencer, store), the L1 watcher (deposits from Bitcoin over
 * RPC), finality tracking (prover and anchorer seams), the JSON-RPC/WebSocket server and metrics.
 */
export class KeelNode {
  private constructor(
    readonly rollup: RollupNode,
    readonly watcher: L1Watcher | undefined,
    readonly finality: FinalityTracker,
    readonly proofs: ProofBook,
    readonly rpc: RpcServer<RpcContext>,
    readonly metrics: Metrics,
    private readonly log: (line: string) => void,
  ) {}

  private stopping: Promise<void> | undefined;

  static async start(opts: KeelNodeOptions): Promise<KeelNode> {
    const log = opts.log ?? (() => {});
    const rollup = await RollupNode.open({
      config: opts.rollup,
      store: opts.store,
      verifier: opts.verifier,
      provers: opts.provers,
      extraHashers: opts.extraHashers,
    });
    let anchorer: Anchorer | undefined;
    try {
      anchorer = typeof opts.anchorer === 'function' ? await opts.anchorer(rollup) : opts.anchorer;
    } catch (err) {
      await rollup.close();
      throw err;
    }
    const provers = opts.provers ?? [];
    const finality = new FinalityTracker(provers.map((p) => p.system));
    const proofs = new ProofBook(opts.store, finality, (n) => rollup.getBatch(n), opts.verifiers ?? [], log);
    try {
      for (const p of provers)
        if (!proofs.hasVerifier(p.system))
          throw new KeelNodeError(`a ${p.system} prover needs a ${p.system} verifier`, {
            details: 'pass KeelNodeOptions.verifiers: a proof counts only once the node has verified it',
          });
      await proofs.load();
    } catch (err) {
      await rollup.close();
      throw err;
    }
    for (const p of provers) p.onResult((r) => void proofs.take(r).catch((e: unknown) => log(`proofs: ${String(e)}`)));
    anchorer?.onUpdate((u) => proofs.anchor(u));
    let lastBatch = 0;
    for (let n = 1; await rollup.getBatch(n); n++) lastBatch = n;
    // Prover queues live in memory: batches closed before a restart and not yet proven are handed over again, from
    // the first one each system lacks (a prover proves in order, so it needs every batch after that too).
    for (const p of provers) await resubmit(rollup, p, lastBatch, (n) => finality.proofs(n).includes(p.system));
    rollup.on('batch', (b: BatchOutput) => {
      lastBatch = b.batchNumber;
      log(
        `l2: batch ${b.batchNumber} closed (blocks ${b.firstBlock}..${b.lastBlock}, ${b.withdrawals.length} withdrawals)`,
      );
      void anchorer?.submit(b).catch((err: unknown) => log(`anchor: batch ${b.batchNumber}: ${String(err)}`));
    });
    rollup.on('error', (err) => log(`l2: block production failed: ${String(err)}`));

    let watcher: L1Watcher | undefined;
    const confirmations = opts.l1?.confirmations ?? REGTEST_CONFIRMATIONS;
    const bridgeScript = opts.l1 ? bridgeDepositScript(opts.l1.bridgeKey) : undefined;
    if (opts.l1 && bridgeScript) {
      watcher = new L1Watcher({
        client: opts.l1.client,
        rollup,
        store: opts.store,
        bridgeScript,
        confirmations,
        startHeight: opts.l1.startHeight ?? 1,
        pollIntervalMs: opts.l1.pollIntervalMs ?? 500,
        log,
      });
      await watcher.init();
      watcher.on('error', (err) => log(`l1: ${err instanceof Error ? err.message : String(err)}`));
    }

    const metrics = new Metrics();
    const countAccepted = metrics.counter('keel_transactions_accepted_total', 'L2 transactions accepted');
    const countBlocks = metrics.counter('keel_blocks_total', 'L2 blocks produced since start');
    const countDeposits = metrics.counter('keel_deposits_total', 'deposits queued since start');
    rollup.on('block', () => countBlocks());
    watcher?.on('deposit', () => countDeposits());
    metrics.gauge('keel_height', 'L2 block height', () => rollup.height);
    metrics.gauge('keel_mempool_size', 'transactions waiting in the mempool', () => rollup.mempool.size);
    metrics.gauge(
      'keel_l1_queue_pending',
      'L1 items not yet in a block',
      () => rollup.queue.length - rollup.queue.consumed,
    );
    metrics.gauge('keel_l1_scanned_height', 'last Bitcoin block the watcher took', () => watcher?.scanned.height ?? 0);
    metrics.gauge('keel_last_batch', 'last closed batch', () => lastBatch);
    const countVerified = metrics.counter('keel_proofs_verified_total', 'batch proofs that verified');
    const countRejected = metrics.counter('keel_proofs_rejected_total', 'batch proofs that did not verify (ignored)');
    proofs.on('verified', () => countVerified());
    proofs.on('rejected', () => countRejected());

    const ctx: RpcContext = {
      rollup,
      finality,
      proofs,
      watcher,
      deposit: opts.l1 && bridgeScript ? { bridgeKey: opts.l1.bridgeKey, bridgeScript, confirmations } : undefined,
      startedAt: Date.now(),
      lastBatch: () => lastBatch,
      onAccepted: () => countAccepted(),
    };
    const rpc = new RpcServer(METHODS, ctx, new Subscriptions(ctx, finality), metrics, {
      port: opts.rpc?.port ?? DEFAULT_RPC_PORT,
      maxBodyBytes: opts.rpc?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      maxBatch: opts.rpc?.maxBatch ?? DEFAULT_MAX_BATCH,
      log,
    });
    try {
      await rpc.listen();
    } catch (err) {
      await rollup.close();
      throw err;
    }
    rollup.start();
    watcher?.start();
    log(`l2: node up at height ${rollup.height}, rpc http://127.0.0.1:${rpc.port}`);
    return new KeelNode(rollup, watcher, finality, proofs, rpc, metrics, log);
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpc.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.rpc.port}/ws`;
  }

  /** Stops serving, lets the sequencer finish its block, stops the watcher, closes the store. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log('l2: stopping');
      await this.rpc.close();
      await this.watcher?.stop();
      await this.proofs.close();
      await this.rollup.close();
      this.log('l2: stopped');
    })();
    return this.stopping;
  }
}

async function resubmit(
  rollup: RollupNode,
  prover: ProverQueue,
  lastBatch: number,
  proven: (n: number) => boolean,
): Promise<void> {
  let first = 1;
  while (first <= lastBatch && proven(first)) first++;
  for (let n = first; n <= lastBatch; n++) {
    const output = (await rollup.getBatch(n))!;
    const ops: Op[] = [];
    for (let b = output.firstBlock; b <= output.lastBlock; b++) ops.push(...(await rollup.getBlock(b))!.ops);
    await prover.submit({ id: `${prover.system}-${n}`, system: prover.system, output, ops });
  }
}

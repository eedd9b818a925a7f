import { blockHash, type Block } from '../chain/block.ts';
import type { Chain } from '../chain/chain.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { hashToHex, type Transaction } from '../tx/index.ts';
import { createBlock, MiningError, solve } from './template.ts';

/** Builds, solves and submits blocks on the node's chain (generatetoaddress, generateblock). */
export class Miner {
  constructor(
    private readonly chain: Chain,
    private readonly mempool: Mempool,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  // Concurrent generate calls would otherwise build on the same tip and orphan each other's blocks.
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Mines `count` blocks paying `script`, each filled from the mempool by ancestor feerate. */
  generate(script: Uint8Array, count: number, maxTries = 1_000_000, signal?: AbortSignal): Promise<string[]> {
    return this.serial(() => this.generateNow(script, count, maxTries, signal));
  }

  private async generateNow(
    script: Uint8Array,
    count: number,
    maxTries: number,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const ids: string[] = [];
    let tries = maxTries;
    for (let i = 0; i < count && !signal?.aborted; i++) {
      const { block } = createBlock(this.chain, script, this.mempool, this.now());
      const start = block.header.nonce;
      if (!solve(block.header, tries)) break;
      tries -= block.header.nonce - start + 1;
      const { entry } = await this.chain.processBlock(block);
      ids.push(entry.id);
    }
    return ids;
  }

  /**
   * Core's generateblock: a block with exactly `txs` in order (no mempool policy applies, only consensus) and a
   * coinbase paying the subsidy to `script`. With `submit` false it is checked but not added.
   */
  generateBlock(script: Uint8Array, txs: Transaction[], submit = true): Promise<{ hash: string; block: Block }> {
    return this.serial(() => this.generateBlockNow(script, txs, submit));
  }

  private async generateBlockNow(script: Uint8Array, txs: Transaction[], submit: boolean) {
    const { block } = createBlock(this.chain, script, { txs, fees: 0n }, this.now());
    await this.chain.testBlock(block);
    if (!solve(block.header)) throw new MiningError('could not solve the block');
    if (submit) await this.chain.processBlock(block);
    return { hash: hashToHex(blockHash(block.header)), block };
  }
}

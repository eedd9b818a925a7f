import { bytesToHex } from '@noble/hashes/utils.js';
import { difficulty, encodeHeader, type BlockEntry } from '../chain/index.ts';
import { STATUS } from '../chain/chain.ts';
import { hashToHex } from '../tx/index.ts';
import type { MethodDef, RpcContext } from './context.ts';
import { RPC, RpcError } from './errors.ts';
import { blockJson, headerJson } from './format.ts';
import type { Args } from './params.ts';

function findBlock(args: Args, i: number, ctx: RpcContext): BlockEntry {
  const hash = args.hash(i, 'blockhash');
  const entry = ctx.chain.entry(hashToHex(hash));
  if (!entry) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Block not found');
  return entry;
}

export const chainMethods: Record<string, MethodDef> = {
  getblockchaininfo: {
    params: [],
    handler: (_a, ctx) => {
      const tip = ctx.chain.tip;
      return {
        chain: 'regtest',
        blocks: tip.height,
        headers: ctx.chain.bestHeaderHeight,
        bestblockhash: tip.id,
        difficulty: difficulty(tip.header.bits),
        time: tip.header.time,
        mediantime: tip.medianTimePast,
        verificationprogress: 1,
        initialblockdownload: false,
        chainwork: tip.chainWork.toString(16).padStart(64, '0'),
        size_on_disk: ctx.sizeOnDisk(),
        pruned: false,
        warnings: [],
      };
    },
  },
  getblockcount: { params: [], handler: (_a, ctx) => ctx.chain.height },
  getbestblockhash: { params: [], handler: (_a, ctx) => ctx.chain.tip.id },
  getblockhash: {
    params: ['height'],
    handler: (a, ctx) => {
      const height = a.int(0, 'height');
      const entry = ctx.chain.entryAt(height);
      if (height < 0 || !entry) throw new RpcError(RPC.INVALID_PARAMETER, 'Block height out of range');
      return entry.id;
    },
  },
  getblock: {
    params: ['blockhash', 'verbosity'],
    handler: async (a, ctx) => {
      const entry = findBlock(a, 0, ctx);
      let verbosity = 1;
      if (a.has(1)) {
        const v = a.values[1];
        if (typeof v === 'boolean') verbosity = v ? 1 : 0;
        else verbosity = a.int(1, 'verbosity');
      }
      if (!(entry.status & STATUS.DATA)) throw new RpcError(RPC.MISC_ERROR, 'Block not available');
      const raw = await ctx.chain.readBlockBytes(entry);
      if (verbosity <= 0) return bytesToHex(raw);
      const block = await ctx.chain.readBlock(entry);
      const undo = verbosity >= 2 ? await ctx.chain.readUndo(entry) : [];
      return blockJson(ctx.chain, entry, block, raw, verbosity >= 2 ? 2 : 1, undo);
    },
  },
  getblockheader: {
    params: ['blockhash', 'verbose'],
    handler: (a, ctx) => {
      const entry = findBlock(a, 0, ctx);
      if (!a.bool(1, 'verbose', true)) return bytesToHex(encodeHeader(entry.header));
      return headerJson(ctx.chain, entry);
    },
  },
  getchaintips: {
    params: [],
    handler: (_a, ctx) => {
      const chain = ctx.chain;
      const all = chain.allEntries();
      const hasChild = new Set<BlockEntry>();
      for (const e of all) if (e.prev) hasChild.add(e.prev);
      const tips = all.filter((e) => !hasChild.has(e) || e === chain.tip);
      return tips
        .sort((x, y) => y.height - x.height)
        .map((e) => {
          let fork: BlockEntry | undefined = e;
          while (fork && !chain.isActive(fork)) fork = fork.prev;
          const branchlen = e.height - (fork?.height ?? 0);
          let status: string;
          if (chain.isActive(e)) status = 'active';
          else if (e.status & (STATUS.FAILED | STATUS.FAILED_CHILD)) status = 'invalid';
          else if (!(e.status & STATUS.DATA)) status = 'headers-only';
          else if (e.status & STATUS.VALID) status = 'valid-fork';
          else status = 'valid-headers';
          return { height: e.height, hash: e.id, branchlen, status };
        });
    },
  },
  invalidateblock: {
    params: ['blockhash'],
    handler: async (a, ctx) => {
      const entry = findBlock(a, 0, ctx);
      await ctx.chain.invalidateBlock(entry.id);
      return null;
    },
  },
  reconsiderblock: {
    params: ['blockhash'],
    handler: async (a, ctx) => {
      const entry = findBlock(a, 0, ctx);
      await ctx.chain.reconsiderBlock(entry.id);
      return null;
    },
  },
  getindexinfo: {
    params: ['index_name'],
    handler: (a, ctx) => {
      const name = a.optString(0);
      const info = { txindex: { synced: true, best_block_height: ctx.chain.height } };
      if (name !== undefined && name !== 'txindex') return {};
      return info;
    },
  },
  uptime: { params: [], handler: (_a, ctx) => Math.floor(Date.now() / 1000) - ctx.startTime },
  stop: {
    params: ['wait'],
    handler: (_a, ctx) => {
      ctx.requestStop();
      return 'Keel bitcoind stopping';
    },
  },
  ping: { params: [], handler: () => null },
};

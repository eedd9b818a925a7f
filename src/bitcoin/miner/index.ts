export { createBlock, makeCoinbase, selectTransactions, solve, MiningError } from './template.ts';
export type { BlockTemplate } from './template.ts';
export { Miner } from './miner.ts';

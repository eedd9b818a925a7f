export type { BatchOp, KVStore } from './store.ts';
export { prefixEnd } from './store.ts';
export { MemoryStore } from './memory.ts';
export { LevelStore } from './level.ts';
export type { LevelStoreOptions } from './level.ts';
export * as layout from './layout.ts';
export type { StoredCoin } from './layout.ts';

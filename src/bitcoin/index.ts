// Public API of Keel's Bitcoin module. Other modules import only this file.
export * from './tx/index.ts';
export * from './script/index.ts';
// The embedded regtest node: chain, storage, mempool, miner, Core-compatible RPC server, typed RPC client.
export * from './chain/index.ts';
export * from './storage/index.ts';
export * from './mempool/index.ts';
export * from './miner/index.ts';
export * from './rpc/index.ts';
export * from './client/index.ts';
export * from './node/index.ts';

// Keel's typed L2 client (docs/rpc.md): a transport plus actions, viem style.
export { createKeelClient } from './client.ts';
export type { KeelClient } from './client.ts';
export { http, webSocket } from './transport.ts';
export type { KeelTransport } from './transport.ts';
export * as actions from './actions.ts';
export { waitForTransaction } from './actions.ts';
export type { ClientBase } from './actions.ts';
export { accountOf, transfer, withdraw } from './wallet.ts';
export type { TransferRequest, WithdrawRequest } from './wallet.ts';
export { KeelRpcError, KeelTransportError } from './errors.ts';
export type * from './types.ts';

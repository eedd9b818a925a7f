import * as actions from './actions.ts';
import type { ClientBase } from './actions.ts';
import type { Transport } from './transport.ts';

type ActionFns = typeof actions;
type Bound = {
  [
    K in keyof ActionFns as ActionFns[K] extends (c: ClientBase, ...rest: never[]) => unknown ? K : never
  ]: ActionFns[K] extends (c: ClientBase, ...rest: infer A) => infer R ? (...args: A) => R : never;
};

export type BitcoinClient = ClientBase &
  Bound & {
    /** Any other RPC method, untyped. */
    request<T = unknown>(method: string, params?: unknown[] | Record<string, unknown>): Promise<T>;
  };

const HELPERS = new Set(['btcToSats', 'satsToBtc']);

/**
 * A client in viem's style: a transport plus actions. Works the same against Keel's embedded node and Bitcoin Core
 * (>= 25): `createBitcoinClient({ transport: http(url, { cookieFile }) }).getBlockCount()`.
 */
export function createBitcoinClient({ transport }: { transport: Transport }): BitcoinClient {
  const client: Record<string, unknown> = {
    transport,
    request: (method: string, params?: unknown[] | Record<string, unknown>) => transport.request(method, params),
  };
  for (const [name, fn] of Object.entries(actions)) {
    if (HELPERS.has(name) || typeof fn !== 'function') continue;
    client[name] = (...args: unknown[]) =>
      (fn as (c: ClientBase, ...a: unknown[]) => unknown)(client as unknown as ClientBase, ...args);
  }
  return client as unknown as BitcoinClient;
}

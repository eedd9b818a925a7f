import * as actions from './actions.ts';
import type { ClientBase } from './actions.ts';
import type { KeelTransport } from './transport.ts';
import * as wallet from './wallet.ts';

type Fns = typeof actions & typeof wallet;
type Bound = {
  [K in keyof Fns as Fns[K] extends (c: ClientBase, ...rest: never[]) => unknown ? K : never]: Fns[K] extends (
    c: ClientBase,
    ...rest: infer A
  ) => infer R
    ? (...args: A) => R
    : never;
};

export type KeelClient = ClientBase & Bound & { close(): Promise<void> };

/**
 * viem style: a transport plus actions. `createKeelClient({ transport: http('http://127.0.0.1:18545') })` for
 * requests, `webSocket('ws://127.0.0.1:18545/ws')` for requests and subscriptions.
 */
export function createKeelClient({ transport }: { transport: KeelTransport }): KeelClient {
  const client: Record<string, unknown> = { transport, close: async () => transport.close?.() };
  for (const [name, fn] of Object.entries({ ...actions, ...wallet })) {
    if (typeof fn !== 'function') continue;
    client[name] = (...args: unknown[]) =>
      (fn as (c: ClientBase, ...a: unknown[]) => unknown)(client as unknown as ClientBase, ...args);
  }
  return client as unknown as KeelClient;
}

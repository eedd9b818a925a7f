import WebSocket from 'ws';
import { getBestBlockHash, getBlockCount, type ClientBase } from './actions.ts';

export interface BlockEvent {
  hash: string;
  height: number;
}

/**
 * Calls `onBlock` for every new tip by polling (`getbestblockhash`), so it works with Bitcoin Core as well.
 * Returns a function that stops watching.
 */
export function watchBlocks(
  client: ClientBase,
  onBlock: (block: BlockEvent) => void,
  options: { pollingInterval?: number; onError?: (err: unknown) => void } = {},
): () => void {
  let last: string | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const hash = await getBestBlockHash(client);
      if (hash !== last) {
        const height = await getBlockCount(client);
        if (last !== undefined) onBlock({ hash, height });
        last = hash;
      }
    } catch (err) {
      options.onError?.(err);
    }
    if (!stopped) timer = setTimeout(tick, options.pollingInterval ?? 1000);
  };
  let timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** An event from Keel's node notification socket (`/notify`); see docs/bitcoin-rpc.md. */
export type NodeEvent =
  | { type: 'hello'; height: number; hash: string }
  | { type: 'block'; hash: string; height: number; sequence: number }
  | { type: 'block-disconnected'; hash: string; height: number; sequence: number }
  | { type: 'tx'; txid: string; wtxid: string; sequence: number }
  | { type: 'tx-removed'; txid: string; reason: string; sequence: number };

/**
 * Subscribes to Keel's node push notifications over WebSocket (Keel's node only; Core uses ZMQ instead).
 * Resolves once subscribed; the returned function closes the socket.
 */
export function subscribeNotifications(client: ClientBase, onEvent: (e: NodeEvent) => void): Promise<() => void> {
  const url = client.transport.url.replace(/^http/, 'ws').replace(/\/?$/, '/notify');
  const ws = new WebSocket(url, { headers: { Authorization: client.transport.authorization() } });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as NodeEvent;
      if (event.type === 'hello') resolve(() => ws.close());
      onEvent(event);
    });
  });
}

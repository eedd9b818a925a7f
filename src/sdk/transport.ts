import WebSocket from 'ws';
import { KeelRpcError, KeelTransportError } from './errors.ts';

type RpcReply = {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string; details?: string } };
};

export interface KeelTransport {
  readonly url: string;
  request<T>(method: string, params?: unknown[]): Promise<T>;
  /** Only WebSocket transports can subscribe. Resolves with an unsubscribe function. */
  subscribe?(kind: string, params: unknown[], onResult: (result: unknown) => void): Promise<() => Promise<void>>;
  close?(): Promise<void>;
}

function unwrap<T>(method: string, reply: RpcReply): T {
  if (reply.error)
    throw new KeelRpcError(
      method,
      reply.error.code,
      reply.error.message,
      reply.error.data?.code,
      reply.error.data?.details,
    );
  return reply.result as T;
}

/** JSON-RPC 2.0 over HTTP POST. */
export function http(url: string, options: { timeoutMs?: number } = {}): KeelTransport {
  let nextId = 1;
  return {
    url,
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
      } catch (cause) {
        throw new KeelTransportError(`could not reach the Keel node at ${url}`, { details: method, cause });
      }
      const text = await res.text();
      let reply: RpcReply;
      try {
        reply = JSON.parse(text) as RpcReply;
      } catch (cause) {
        throw new KeelTransportError(`HTTP ${res.status} without a JSON-RPC body`, {
          details: text.slice(0, 200),
          cause,
        });
      }
      return unwrap<T>(method, reply);
    },
  };
}

/** JSON-RPC 2.0 over one WebSocket (`ws://…/ws`): requests and subscriptions. */
export function webSocket(url: string, options: { timeoutMs?: number } = {}): KeelTransport {
  let socket: WebSocket | undefined;
  let opening: Promise<WebSocket> | undefined;
  let nextId = 1;
  const waiting = new Map<number, { method: string; resolve: (r: RpcReply) => void; reject: (e: unknown) => void }>();
  const listeners = new Map<string, (result: unknown) => void>();
  const early = new Map<string, unknown[]>();

  const connect = (): Promise<WebSocket> => {
    if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve(socket);
    opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => {
        socket = ws;
        resolve(ws);
      });
      ws.once('error', (cause) => {
        opening = undefined;
        reject(new KeelTransportError(`could not reach the Keel node at ${url}`, { cause }));
      });
      ws.on('message', (data) => {
        let msg: RpcReply & { method?: string; params?: { subscription: string; result: unknown } };
        try {
          msg = JSON.parse(data.toString()) as typeof msg;
        } catch {
          return;
        }
        if (msg.method === 'keel_subscription' && msg.params) {
          const { subscription, result } = msg.params;
          const listener = listeners.get(subscription);
          if (listener) listener(result);
          else if (early.size < 64) {
            // The first notification can arrive in the same read as the keel_subscribe answer, before the
            // listener is registered: keep it for the listener.
            const list = early.get(subscription) ?? [];
            if (list.length < 64) list.push(result);
            early.set(subscription, list);
          }
          return;
        }
        const w = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined;
        if (w) {
          waiting.delete(msg.id as number);
          w.resolve(msg);
        }
      });
      ws.on('close', () => {
        socket = undefined;
        opening = undefined;
        for (const w of waiting.values())
          w.reject(new KeelTransportError('the WebSocket closed', { details: w.method }));
        waiting.clear();
      });
    });
    return opening;
  };

  const request = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const ws = await connect();
    const id = nextId++;
    const reply = await new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new KeelTransportError(`no answer from ${url}`, { details: method }));
      }, options.timeoutMs ?? 30_000);
      waiting.set(id, {
        method,
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
    return unwrap<T>(method, reply);
  };

  return {
    url,
    request,
    async subscribe(kind, params, onResult) {
      const id = await request<string>('keel_subscribe', [kind, ...params]);
      listeners.set(id, onResult);
      const missed = early.get(id) ?? [];
      early.delete(id);
      for (const r of missed) onResult(r);
      return async () => {
        listeners.delete(id);
        await request<boolean>('keel_unsubscribe', [id]);
      };
    },
    async close() {
      const ws = socket;
      socket = undefined;
      if (!ws) return;
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    },
  };
}

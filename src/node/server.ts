import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { KeelNodeError } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { positional } from './methods.ts';
import type { MethodSpec } from './methods.ts';
import { JSONRPC, NODE_RPC_CODES, RpcMethodError, invalidParams, toRpcError } from './rpc-errors.ts';
import type { RpcErrorObject } from './rpc-errors.ts';
import type { Subscriptions } from './subscriptions.ts';

export type RpcServerOptions = {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Largest request body (HTTP) or message (WebSocket) in bytes. */
  maxBodyBytes: number;
  /** Largest JSON-RPC batch. */
  maxBatch: number;
  log?: (line: string) => void;
};

type Response = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: RpcErrorObject };

const errorReply = (id: unknown, error: RpcErrorObject): Response => ({ jsonrpc: '2.0', id, error });

/**
 * The L2 JSON-RPC 2.0 server: POST / over HTTP, the same methods plus subscriptions over WebSocket at /ws,
 * GET /metrics (Prometheus text). It only listens on 127.0.0.1. Every bad request gets a JSON-RPC error; nothing
 * a client sends can stop it. The method table and its context are parameters so that the verifier node serves its
 * read-only table through this same server; without `subs` there are no subscriptions.
 */
export class RpcServer<C> {
  private readonly http: Server;
  private readonly wss: WebSocketServer;

  constructor(
    private readonly methods: Readonly<Record<string, MethodSpec<C>>>,
    private readonly ctx: C,
    private readonly subs: Subscriptions | undefined,
    private readonly metrics: Metrics,
    private readonly opts: RpcServerOptions,
  ) {
    this.http = createServer((req, res) => {
      // A client that goes away mid-request only loses its own answer.
      this.onHttp(req, res).catch(() => res.destroy());
    });
    this.http.requestTimeout = 30_000;
    this.wss = new WebSocketServer({ server: this.http, path: '/ws', maxPayload: opts.maxBodyBytes });
    this.wss.on('connection', (socket) => this.onSocket(socket));
    this.countRequest = metrics.counter('keel_rpc_requests_total', 'JSON-RPC requests by method and outcome');
  }

  private readonly countRequest: (labels?: Record<string, string>) => void;

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', (err) => reject(new KeelNodeError('the RPC server could not listen', { cause: err })));
      this.http.listen(this.opts.port, '127.0.0.1', () => resolve((this.http.address() as AddressInfo).port));
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/metrics')
      return send(200, this.metrics.render(), 'text/plain; version=0.0.4');
    if (req.method === 'GET' && req.url === '/health') return send(200, '{"ok":true}');
    if (req.method !== 'POST')
      return send(405, JSON.stringify(errorReply(null, { code: JSONRPC.InvalidRequest, message: 'use POST' })));
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => {
      this.countRequest({ method: '-', outcome: 'oversized' });
      res.setHeader('Connection', 'close');
      send(
        413,
        JSON.stringify(
          errorReply(null, {
            code: JSONRPC.InvalidRequest,
            message: `request larger than ${this.opts.maxBodyBytes} bytes`,
            data: { code: 'OVERSIZED' },
          }),
        ),
      );
      req.resume();
    };
    if (declared > this.opts.maxBodyBytes) return tooLarge();
    // Read with a cap; past it, the rest of the body is drained unread and the client gets 413.
    const body = await new Promise<Buffer | undefined>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (chunk: Buffer) => {
        if (over) return;
        size += chunk.length;
        if (size <= this.opts.maxBodyBytes) chunks.push(chunk);
        else {
          over = true;
          chunks.length = 0;
          resolve(undefined);
        }
      });
      req.on('end', () => {
        if (!over) resolve(Buffer.concat(chunks));
      });
      req.on('error', reject);
    });
    if (body === undefined) return tooLarge();
    const reply = await this.handleText(body.toString('utf8'), undefined);
    if (reply === undefined) {
      res.writeHead(204);
      res.end();
    } else send(200, reply);
  }

  private onSocket(socket: WebSocket): void {
    const owner = this.subs?.open((message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.send(
          JSON.stringify(
            errorReply(null, { code: JSONRPC.InvalidRequest, message: 'binary messages are not JSON-RPC' }),
          ),
        );
        return;
      }
      void this.handleText(data.toString(), owner).then((reply) => {
        if (reply !== undefined && socket.readyState === socket.OPEN) socket.send(reply);
      });
    });
    // A message over maxPayload closes the socket (ws answers with close code 1009); nothing else is affected.
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      if (owner !== undefined) this.subs?.close(owner);
    });
  }

  /** One HTTP body or WebSocket message: a request or a batch. Undefined when only notifications were sent. */
  private async handleText(text: string, owner: number | undefined): Promise<string | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.countRequest({ method: '-', outcome: 'parse_error' });
      return JSON.stringify(errorReply(null, { code: JSONRPC.ParseError, message: 'malformed JSON' }));
    }
    if (Array.isArray(body)) {
      if (body.length === 0)
        return JSON.stringify(errorReply(null, { code: JSONRPC.InvalidRequest, message: 'empty batch' }));
      if (body.length > this.opts.maxBatch)
        return JSON.stringify(
          errorReply(null, { code: JSONRPC.InvalidRequest, message: `batch larger than ${this.opts.maxBatch}` }),
        );
      const replies = (await Promise.all(body.map((r) => this.handleOne(r, owner)))).filter((r) => r !== undefined);
      return replies.length ? JSON.stringify(replies) : undefined;
    }
    const reply = await this.handleOne(body, owner);
    return reply ? JSON.stringify(reply) : undefined;
  }

  private async handleOne(req: unknown, owner: number | undefined): Promise<Response | undefined> {
    if (req === null || typeof req !== 'object' || Array.isArray(req))
      return errorReply(null, { code: JSONRPC.InvalidRequest, message: 'a request must be an object' });
    const r = req as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const hasId = 'id' in r;
    const id = r.id;
    const validId = id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
    if (r.jsonrpc !== '2.0' || typeof r.method !== 'string' || (hasId && !validId))
      return errorReply(validId ? id : null, {
        code: JSONRPC.InvalidRequest,
        message: 'not a JSON-RPC 2.0 request (jsonrpc "2.0", a string method, a string/number/null id)',
      });
    const method = r.method;
    let result: unknown;
    try {
      result = await this.dispatch(method, r.params, owner);
      this.countRequest({ method: this.label(method), outcome: 'ok' });
    } catch (err) {
      const error = toRpcError(err);
      if (error.code === JSONRPC.InternalError) this.opts.log?.(`rpc: ${method} failed: ${String(err)}`);
      this.countRequest({ method: this.label(method), outcome: 'error' });
      return hasId ? errorReply(id, error) : undefined;
    }
    return hasId ? { jsonrpc: '2.0', id, result: result ?? null } : undefined;
  }

  private async dispatch(method: string, params: unknown, owner: number | undefined): Promise<unknown> {
    if (method === 'keel_subscribe' || method === 'keel_unsubscribe') {
      if (owner === undefined || !this.subs)
        throw new RpcMethodError(
          NODE_RPC_CODES.SUBSCRIPTION_UNAVAILABLE,
          this.subs ? 'subscriptions need the WebSocket endpoint /ws' : 'this node has no subscriptions',
          {
            code: 'SUBSCRIPTION_UNAVAILABLE',
          },
        );
      const args = Array.isArray(params) ? params : params === undefined ? [] : undefined;
      if (!args) throw invalidParams('params must be an array');
      return method === 'keel_subscribe' ? this.subs.subscribe(owner, args) : this.subs.unsubscribe(owner, args[0]);
    }
    const spec = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (!spec)
      throw new RpcMethodError(JSONRPC.MethodNotFound, `method '${method.slice(0, 64)}' not found`, {
        code: 'METHOD_NOT_FOUND',
      });
    return spec.run(this.ctx, positional(spec, params));
  }

  /** Unknown method names are not used as metric labels (a client could create unbounded series). */
  private label(method: string): string {
    return Object.hasOwn(this.methods, method) || method === 'keel_subscribe' || method === 'keel_unsubscribe'
      ? method
      : 'unknown';
  }
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BaseError } from '../../shared/index.ts';
import { checkBasicAuth, type Credentials } from './auth.ts';
import type { MethodDef, RpcContext } from './context.ts';
import { RPC, RpcError } from './errors.ts';
import { toJson } from './json.ts';
import { METHODS } from './methods.ts';
import { Args } from './params.ts';

export interface RpcServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Accepted credentials (cookie and/or rpcuser/rpcpassword). Empty means no request is authorised. */
  credentials: Credentials[];
  /** Largest request body in bytes (Core's limit is 32 MiB). */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

type JsonObject = Record<string, unknown>;

interface Reply {
  body: JsonObject;
  status: number;
}

/** The notification stream: one JSON object per event, sent to every WebSocket on /notify. */
export type Notification =
  | { type: 'block'; hash: string; height: number; sequence: number }
  | { type: 'block-disconnected'; hash: string; height: number; sequence: number }
  | { type: 'tx'; txid: string; wtxid: string; sequence: number }
  | { type: 'tx-removed'; txid: string; reason: string; sequence: number };

type NotificationInput = Notification extends infer N ? (N extends unknown ? Omit<N, 'sequence'> : never) : never;

/**
 * Bitcoin Core-compatible JSON-RPC over HTTP on 127.0.0.1: HTTP Basic auth, JSON-RPC 1.0 (legacy status codes) and
 * 2.0 replies, batches, named parameters, Core's error codes. WebSocket notifications on `/notify`.
 */
export class RpcServer {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly maxBody: number;
  private readonly log: (line: string) => void;
  private sequence = 0;

  constructor(
    private readonly ctx: RpcContext,
    private readonly options: RpcServerOptions,
  ) {
    this.maxBody = options.maxBodyBytes ?? 0x02000000;
    this.log = options.log ?? (() => {});
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.headersTimeout = 60_000;
    // Idle keep-alive connections stay open as long as Core's default -rpcservertimeout (30 s).
    this.server.keepAliveTimeout = 30_000;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
    this.server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/notify' || !checkBasicAuth(req.headers.authorization, this.options.credentials)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        ws.on('error', () => ws.terminate());
        ws.send(toJson({ type: 'hello', height: ctx.chain.height, hash: ctx.chain.tip.id }));
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Sends an event to every subscriber. */
  notify(event: NotificationInput): void {
    const text = toJson({ ...event, sequence: ++this.sequence });
    for (const client of this.wss.clients) if (client.readyState === client.OPEN) client.send(text);
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!checkBasicAuth(req.headers.authorization, this.options.credentials)) {
        this.log(`rpc: unauthorised request from ${req.socket.remoteAddress}`);
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Length': 0 });
        res.end();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { 'Content-Type': 'text/plain' });
        res.end('JSONRPC server handles only POST requests');
        return;
      }
      const body = await this.readBody(req);
      if (body === undefined) {
        this.send(res, 413, {
          result: null,
          error: { code: RPC.INVALID_REQUEST, message: 'Request body too large' },
          id: null,
        });
        req.socket.destroySoon?.();
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        this.send(res, 500, { result: null, error: { code: RPC.PARSE_ERROR, message: 'Parse error' }, id: null });
        return;
      }
      if (Array.isArray(parsed)) {
        const replies: JsonObject[] = [];
        for (const item of parsed) {
          const reply = await this.call(item);
          if (reply) replies.push(reply.body);
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`${toJson(replies)}\n`);
        return;
      }
      const reply = await this.call(parsed);
      if (!reply) {
        res.writeHead(204);
        res.end();
        return;
      }
      this.send(res, reply.status, reply.body);
    } catch (err) {
      // Never let one request take the server down.
      this.log(`rpc: internal error ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent)
        this.send(res, 500, { result: null, error: { code: RPC.INTERNAL_ERROR, message: 'Internal error' }, id: null });
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = `${toJson(body)}\n`;
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.maxBody) {
        req.resume();
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBody) over = true;
        else chunks.push(chunk);
      });
      req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** One JSON-RPC request; undefined for a 2.0 notification (no reply). */
  private async call(request: unknown): Promise<Reply | undefined> {
    const isObject = typeof request === 'object' && request !== null && !Array.isArray(request);
    const obj = (isObject ? request : {}) as JsonObject;
    const v2 = obj.jsonrpc === '2.0';
    const id = 'id' in obj ? obj.id : null;
    const ok = (result: unknown): Reply => ({
      status: 200,
      body: v2 ? { jsonrpc: '2.0', result: result ?? null, id } : { result: result ?? null, error: null, id },
    });
    const fail = (err: RpcError): Reply => {
      const error = { code: err.code, message: err.shortMessage };
      const status = v2 ? 200 : err.code === RPC.INVALID_REQUEST ? 400 : err.code === RPC.METHOD_NOT_FOUND ? 404 : 500;
      return { status, body: v2 ? { jsonrpc: '2.0', error, id } : { result: null, error, id } };
    };
    try {
      if (!isObject) throw new RpcError(RPC.INVALID_REQUEST, 'Invalid Request object');
      if ('jsonrpc' in obj && obj.jsonrpc !== '1.0' && obj.jsonrpc !== '2.0')
        throw new RpcError(RPC.INVALID_REQUEST, 'JSON-RPC version not supported');
      if (typeof obj.method !== 'string') throw new RpcError(RPC.INVALID_REQUEST, 'Method must be a string');
      const method = METHODS[obj.method];
      if (!method || !Object.hasOwn(METHODS, obj.method)) throw new RpcError(RPC.METHOD_NOT_FOUND, 'Method not found');
      const params = obj.params ?? [];
      if (typeof params !== 'object' || params === null)
        throw new RpcError(RPC.INVALID_REQUEST, 'Params must be an array or object');
      const args = new Args(positional(obj.method, method, params as unknown[] | JsonObject), obj.method);
      const result = await method.handler(args, this.ctx);
      if (v2 && !('id' in obj)) return undefined;
      return ok(result);
    } catch (err) {
      if (v2 && isObject && !('id' in obj)) return undefined;
      if (err instanceof RpcError) return fail(err);
      const message = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
      if (!(err instanceof BaseError))
        this.log(`rpc: ${String(obj.method)} failed: ${err instanceof Error ? err.stack : message}`);
      return fail(new RpcError(RPC.MISC_ERROR, message, err));
    }
  }
}

/** Named parameters to positions, as Core's transformNamedArguments does. */
function positional(name: string, method: MethodDef, params: unknown[] | JsonObject): unknown[] {
  if (Array.isArray(params)) {
    if (params.length > method.params.length)
      throw new RpcError(RPC.MISC_ERROR, `${name}: too many arguments (expected at most ${method.params.length})`);
    return params;
  }
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(params)) {
    const i = method.params.indexOf(key);
    if (i < 0) throw new RpcError(RPC.INVALID_PARAMETER, `Unknown named parameter ${key}`);
    out[i] = value;
  }
  return out;
}

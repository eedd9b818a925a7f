import { readFileSync } from 'node:fs';
import { RpcRequestError, TransportError } from './errors.ts';

export interface Transport {
  /** Calls one method; resolves with `result` or throws RpcRequestError / TransportError. */
  request<T = unknown>(method: string, params?: unknown[] | Record<string, unknown>): Promise<T>;
  readonly url: string;
  /** `Authorization` header value, for the notification socket. */
  authorization(): string;
}

export type HttpAuth = { user: string; password: string } | { cookieFile: string };

export interface HttpTransportOptions {
  /** Per-request timeout in ms (default 60 s; mining many blocks can take a while). */
  timeout?: number;
}

/**
 * JSON-RPC 1.0 over HTTP POST with Basic auth, exactly what Bitcoin Core (and Keel's node) speak. The cookie file is
 * re-read on each call so a restarted node's new cookie is picked up.
 */
export function http(url: string, auth: HttpAuth, options: HttpTransportOptions = {}): Transport {
  const timeout = options.timeout ?? 60_000;
  let nextId = 1;
  const authorization = () => {
    const pair = 'cookieFile' in auth ? readFileSync(auth.cookieFile, 'utf8').trim() : `${auth.user}:${auth.password}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
  };
  return {
    url,
    authorization,
    async request<T>(method: string, params: unknown[] | Record<string, unknown> = []): Promise<T> {
      const id = nextId++;
      const send = () =>
        fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: authorization() },
          body: JSON.stringify({ jsonrpc: '1.0', id, method, params }),
          signal: AbortSignal.timeout(timeout),
        });
      let res: Response;
      try {
        res = await send();
      } catch (err) {
        // A kept-alive socket the server closed while we were idle (or busy) fails before the server reads the
        // request, so sending once more on a fresh connection cannot run the call twice.
        if (!isStaleSocket(err))
          throw new TransportError(`could not reach ${url}`, { details: `${method}: ${String(err)}`, cause: err });
        try {
          res = await send();
        } catch (again) {
          throw new TransportError(`could not reach ${url}`, { details: `${method}: ${String(again)}`, cause: again });
        }
      }
      const text = await res.text();
      if (res.status === 401) throw new TransportError('RPC authorisation failed', { status: 401, details: url });
      let body: { result?: unknown; error?: { code: number; message: string } | null };
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new TransportError(`HTTP ${res.status} without a JSON-RPC body`, {
          status: res.status,
          details: text.slice(0, 200),
          cause: err,
        });
      }
      if (body.error) throw new RpcRequestError(method, body.error.code, body.error.message);
      return body.result as T;
    },
  };
}

function isStaleSocket(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = cause && typeof cause.code === 'string' ? cause.code : '';
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET';
}

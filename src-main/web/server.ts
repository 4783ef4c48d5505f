// Browser mode: the same core and the built renderer over HTTP on 127.0.0.1 only.
// Thin on purpose: it authenticates, routes `/api/<operation>` to `core.dispatch` and
// streams core events as Server-Sent Events. Behaviour lives in the core.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Core } from '../core/app';
import { checkOrigin, checkToken, newToken, tokenFromQuery, TOKEN_COOKIE, type GuardVerdict } from './guard';
import { serveStatic } from './static';

export interface WebHostOptions {
  core: Core;
  /** Folder holding the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 or absent means a free port chosen by the OS. */
  port?: number;
  token?: string;
}

export interface WebHost {
  url: string;
  /** URL carrying the token, for the first visit. */
  loginUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function refuse(res: ServerResponse, verdict: Exclude<GuardVerdict, { ok: true }>): void {
  sendJson(res, verdict.status, { ok: false, error: { code: verdict.code, message: verdict.message } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Request body over 1 MiB'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handleApi(core: Core, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'Use POST for API calls' } });
    return;
  }
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this
  // host never grants: a second line of defence behind the Origin check.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    sendJson(res, 415, { ok: false, error: { code: 'INVALID_INPUT', message: 'API calls must be application/json' } });
    return;
  }
  let input: unknown;
  try {
    const text = await readBody(req);
    input = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `Request body is not valid JSON: ${(err as Error).message}` } });
    return;
  }
  const envelope = await core.dispatch(name, input, { actor: core.deps.actor, via: 'browser' });
  sendJson(res, 200, envelope);
}

function handleEvents(core: Core, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': connected\n\n');
  // A full socket buffer makes the row stream wait (until drained, or the page is gone).
  const unsubscribe = core.events.subscribe((event) => {
    if (res.write(`data: ${JSON.stringify(event)}\n\n`) || res.destroyed) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  });
  // Comments keep proxies and the browser from timing the stream out.
  const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? newToken();
  const { core, staticDir } = options;
  let port = 0;

  const server = http.createServer((req, res) => {
    const origin = checkOrigin(req, port);
    if (!origin.ok) return refuse(res, origin);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    // First visit: trade the token in the address bar for a cookie, then drop it from the URL.
    if (req.method === 'GET' && url.searchParams.has('token')) {
      if (!tokenFromQuery(url, token)) return refuse(res, { ok: false, status: 401, code: 'UNAUTHORIZED', message: 'Wrong access token' });
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }

    const auth = checkToken(req, token);
    if (!auth.ok) return refuse(res, auth);

    if (url.pathname.startsWith('/api/')) {
      handleApi(core, decodeURIComponent(url.pathname.slice('/api/'.length)), req, res).catch((err: unknown) => {
        sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: (err as Error).message } });
      });
      return;
    }
    if (url.pathname === '/events') return handleEvents(core, req, res);
    serveStatic(staticDir, url.pathname, req, res, SECURITY_HEADERS);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only, never 0.0.0.0 or ::.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    loginUrl: `${url}?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Browser mode: the same core and the built renderer over HTTP on loopback only.
// Thin on purpose: it authenticates, routes `/api/<operation>` to `core.dispatch` and
// streams core events as Server-Sent Events. Behaviour lives in the core.
// Where it listens and why: bind.ts. Which credential it takes: guard.ts. How `serve`
// opens the browser without exposing one: launch.ts and opener.ts.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Core } from '../core/app';
import { listenLoopback, SHARED_LOOPBACK } from './bind';
import { checkOrigin, checkToken, newToken, sessionCookie, tokenFromQuery, type GuardVerdict, type Instance } from './guard';
import { LaunchCodes, launchLandingPage } from './launch';
import { CoreOpener } from './core-opener';
import { serveStatic, startupFiles } from './static';

export interface WebHostOptions {
  /**
   * The core, or how to open it: `serve` passes an opener, so the page goes out before the
   * core's modules load (core-opener.ts says when it opens). API calls and the event stream
   * wait for it; static files never need it.
   */
  core: Core | (() => Promise<Core>);
  /** Folder holding the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 or absent means a free port chosen by the OS. */
  port?: number;
  token?: string;
  /**
   * A 127.0.0.0/8 address, or 'private' for a random 127.x.y.z of this host's own (what
   * `serve` uses: its cookie then reaches no other local listener). Default 127.0.0.1.
   */
  address?: string;
  /** Folder for launch files (0700); without it `createLaunchFile` is unavailable. */
  launchDir?: string;
  /** How long an unused launch file stays valid (tests shorten it). */
  launchTtlMs?: number;
}

export interface WebHost {
  url: string;
  /** URL carrying the token, for the first visit (printed by `serve`, never put in argv). */
  loginUrl: string;
  address: string;
  port: number;
  token: string;
  /** True on 127.0.0.1, where every other local listener receives this host's cookie. */
  sharedAddress: boolean;
  /** The core once open (rejected when it cannot open). */
  coreReady: Promise<Core>;
  /** A 0600 file that logs the browser in once, for the opener (see launch.ts). */
  createLaunchFile(): string;
  close(): Promise<void>;
}

/** The largest API request body. Real inputs are small (a runbook import is the largest). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** After a 413, how much more of a body is read and dropped before the socket is cut. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

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

type Body = { ok: true; text: string } | { ok: false };

/**
 * Reads a request body of up to MAX_BODY_BYTES. Past that (or when Content-Length says so
 * up front) it resolves `ok: false` at once, for a 413 answer, and keeps reading and
 * dropping the rest: destroying the socket while the client is still sending makes the
 * kernel reset the connection, and the client then sees a cut socket instead of the
 * answer. Only a body absurdly past the limit is cut after all.
 */
function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let tooLarge = false;
    const chunks: Buffer[] = [];
    const overflow = () => {
      tooLarge = true;
      chunks.length = 0;
      resolve({ ok: false });
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) overflow();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > MAX_BODY_BYTES + MAX_DISCARD_BYTES) req.destroy();
      } else if (size > MAX_BODY_BYTES) overflow();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', reject);
  });
}

async function handleApi(coreReady: Promise<Core>, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
  const body = await readBody(req);
  if (!body.ok) {
    sendJson(res, 413, {
      ok: false,
      error: { code: 'INVALID_INPUT', message: `Request body over ${MAX_BODY_BYTES / (1024 * 1024)} MiB: too large for one call` },
    });
    return;
  }
  let input: unknown;
  try {
    input = body.text.trim() === '' ? {} : JSON.parse(body.text);
  } catch (err) {
    sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: `Request body is not valid JSON: ${(err as Error).message}` } });
    return;
  }
  const core = await coreReady;
  const envelope = await core.dispatch(name, input, { actor: core.deps.actor, via: 'browser' });
  sendJson(res, 200, envelope);
}

function handleEvents(coreReady: Promise<Core>, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': connected\n\n');
  // Comments keep proxies and the browser from timing the stream out.
  const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
  let unsubscribe: (() => void) | null = null;
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe?.();
  });
  // Nothing emits before the core exists, and an API call that arrives later waits on the same
  // promise after this subscription: no event is lost to the wait.
  coreReady.then(
    (core) => {
      if (!res.destroyed) unsubscribe = subscribeStream(core, res);
    },
    () => res.end(),
  );
}

function subscribeStream(core: Core, res: ServerResponse): () => void {
  // A full socket buffer makes the row stream wait (until drained, or the page is gone).
  return core.events.subscribe((event) => {
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
}

/** 401 with the reason, as JSON (what the client and scripts read). */
function unauthorized(res: ServerResponse, message: string): void {
  refuse(res, { ok: false, status: 401, code: 'UNAUTHORIZED', message });
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? newToken();
  const { staticDir } = options;
  const opener = new CoreOpener(options.core);
  opener.expectStartupFiles(startupFiles(staticDir));
  // Set once listening; no request can arrive before.
  let instance: Instance = { address: SHARED_LOOPBACK, port: 0, token };
  let launches: LaunchCodes | null = null;

  const server = http.createServer((req, res) => {
    const origin = checkOrigin(req, instance.address, instance.port);
    if (!origin.ok) return refuse(res, origin);
    const url = new URL(req.url ?? '/', `http://${instance.address}:${instance.port}`);

    // First visit through the printed URL: trade the token in the address bar for this
    // instance's cookie, then drop it from the URL (and so from history and screenshots).
    if (req.method === 'GET' && url.searchParams.has('token')) {
      if (!tokenFromQuery(url, token)) return unauthorized(res, 'Wrong access token');
      res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': sessionCookie(instance), location: url.pathname, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    // First visit through the opener's launch file: a one-time code instead of the token.
    if (req.method === 'GET' && url.pathname === '/launch') {
      if (!launches?.consume(url.searchParams.get('code'))) {
        return unauthorized(res, 'This launch link was already used or has expired: open the URL that `ops-console serve` printed');
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'set-cookie': sessionCookie(instance),
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(launchLandingPage());
      return;
    }

    const auth = checkToken(req, instance);
    if (!auth.ok) return refuse(res, auth);
    if (url.pathname.startsWith('/api/')) {
      handleApi(opener.now(), decodeURIComponent(url.pathname.slice('/api/'.length)), req, res).catch((err: unknown) => {
        sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: (err as Error).message } });
      });
      return;
    }
    if (url.pathname === '/events') return handleEvents(opener.now(), req, res);
    opener.staticResponse(res, url.pathname);
    serveStatic(staticDir, url.pathname, req, res, SECURITY_HEADERS);
  });

  // Loopback only, never 0.0.0.0 or :: (listenLoopback refuses anything outside 127/8).
  const bound = await listenLoopback(server, options.port ?? 0, options.address ?? SHARED_LOOPBACK);
  instance = { address: bound.address, port: bound.port, token };
  const url = `http://${bound.address}:${bound.port}/`;
  if (options.launchDir) launches = new LaunchCodes(options.launchDir, url, options.launchTtlMs);
  opener.listening();

  return {
    url,
    loginUrl: `${url}?token=${token}`,
    address: bound.address,
    port: bound.port,
    token,
    sharedAddress: bound.shared,
    coreReady: opener.ready,
    createLaunchFile() {
      if (!launches) throw new Error('This host was started without a launch folder');
      return launches.createFile();
    },
    close: () =>
      new Promise<void>((resolve) => {
        launches?.closeAll();
        opener.dispose();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

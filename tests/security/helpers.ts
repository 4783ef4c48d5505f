// Plain HTTP against a browser-mode host, shared by the credential tests (unit and e2e):
// requests go to an explicit address and port with whatever Host and credentials the
// test wants, the way a replaying attacker would send them.
import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Target {
  address: string;
  port: number;
}

export interface RequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as one Content-Length body, or chunk by chunk (no Content-Length) when an array. */
  body?: string | Buffer | Buffer[];
}

export function request(target: Target, opts: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(opts.body);
    const headers: Record<string, string> = { host: `${target.address}:${target.port}`, ...opts.headers };
    if (opts.body !== undefined && !chunked) headers['content-length'] = String(Buffer.byteLength(opts.body as string | Buffer));
    const req = http.request({ host: target.address, port: target.port, method: opts.method ?? 'GET', path: opts.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (Array.isArray(opts.body)) for (const part of opts.body) req.write(part);
    else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** POST /api/<name> with a JSON body and the given credential headers (none by default). */
export function api(target: Target, name: string, input: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return request(target, { method: 'POST', path: `/api/${name}`, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(input) });
}

/** `name=value` of a Set-Cookie header (the part a browser sends back). */
export function cookiePair(reply: Reply): string {
  const header = reply.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  if (!first) throw new Error(`no Set-Cookie in a ${reply.status} answer`);
  return first.split(';')[0]!;
}

/** A listener that records the Cookie header of every request it gets, like a hostile local page. */
export async function cookieRecorder(address: string): Promise<{ port: number; seen: (string | null)[]; close(): Promise<void> }> {
  const seen: (string | null)[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.cookie ?? null);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Another local page</title><p>Another local page</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

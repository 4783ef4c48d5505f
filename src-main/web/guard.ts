// Who may talk to the loopback host. Three independent checks, all before anything runs:
// - Host must name this loopback listener (defeats DNS rebinding: a hostile page whose
//   domain now resolves to 127.0.0.1 still sends its own Host);
// - Origin, when a browser sends one, must be this listener (defeats cross-site requests);
// - the per-run token, from the session cookie or an Authorization header.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'ops_console_token';

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string };

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return readCookie(req, TOKEN_COOKIE);
}

/** Host and Origin checks: a request failing them is refused whatever token it carries. */
export function checkOrigin(req: IncomingMessage, port: number): GuardVerdict {
  const hosts = allowedHosts(port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) {
    return { ok: false, status: 403, code: 'FORBIDDEN', message: `Refused: Host "${host || '(none)'}" is not this loopback server` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const allowed = [...hosts].map((h) => `http://${h}`);
    if (!allowed.includes(origin.toLowerCase())) {
      return { ok: false, status: 403, code: 'FORBIDDEN', message: `Refused: Origin "${origin}" is not this loopback server` };
    }
  }
  return { ok: true };
}

export function checkToken(req: IncomingMessage, expected: string): GuardVerdict {
  const given = presentedToken(req);
  if (!given || !sameToken(given, expected)) {
    return { ok: false, status: 401, code: 'UNAUTHORIZED', message: 'Missing or wrong access token: open the URL that `ops-console serve` printed' };
  }
  return { ok: true };
}

/** A `?token=` in the address bar, exchanged once for an HttpOnly cookie. */
export function tokenFromQuery(url: URL, expected: string): boolean {
  const given = url.searchParams.get('token');
  return given !== null && sameToken(given, expected);
}

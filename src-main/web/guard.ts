// Who may talk to the loopback host. Three independent checks, all before anything runs:
// - Host must name this loopback listener (defeats DNS rebinding: a hostile page whose
//   domain now resolves to 127.0.0.1 still sends its own Host);
// - Origin, when a browser sends one, must be this listener (defeats cross-site requests);
// - the per-run token (Authorization: Bearer), or the session cookie derived from it.
//
// Browsers scope cookies by host and ignore the port, so a cookie set by 127.0.0.1:4000 is
// also sent to whatever else listens on 127.0.0.1. What keeps the session cookie from
// other local listeners is the host: `serve` binds a random 127.x.y.z (see bind.ts), and a
// cookie set there is sent to that exact address only. On top of that, the cookie is
// per instance so that two hosts sharing an address (the 127.0.0.1 fallback) never
// overwrite or unlock each other:
// - its name carries the port (`ops_console_<port>`), so a second instance sets its own
//   cookie beside the first one's instead of replacing it;
// - its value is an HMAC of the token over this instance's address and port, never the
//   token itself, so it is valid here only, and cannot be turned into the printed URL or a
//   Bearer token.
// The derivation does not stop replay of a cookie that did leak to a listener on the same
// host: only the separate host does. That is why the 127.0.0.1 fallback is reported.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string };

/** What a request is checked against: one host's address, port and per-run token. */
export interface Instance {
  address: string;
  port: number;
  token: string;
}

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * Host values that name this listener. `localhost` resolves to 127.0.0.1, so it names us
 * only when that is the address we listen on.
 */
export function allowedHosts(address: string, port: number): Set<string> {
  const hosts = new Set([`${address}:${port}`]);
  if (address === '127.0.0.1') hosts.add(`localhost:${port}`);
  return hosts;
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

/** The session cookie's name: one per port, so instances on one address keep theirs apart. */
export function cookieName(port: number): string {
  return `ops_console_${port}`;
}

/** The session cookie's value: bound to this instance's token, address and port. */
export function cookieValue(instance: Instance): string {
  return crypto.createHmac('sha256', instance.token).update(`ops-console session cookie|${instance.address}:${instance.port}`).digest('base64url');
}

export function sessionCookie(instance: Instance): string {
  return `${cookieName(instance.port)}=${cookieValue(instance)}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Host and Origin checks: a request failing them is refused whatever credential it carries. */
export function checkOrigin(req: IncomingMessage, address: string, port: number): GuardVerdict {
  const hosts = allowedHosts(address, port);
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

/** Either the token as a Bearer credential (scripts, tests) or this instance's cookie (the page). */
export function checkToken(req: IncomingMessage, instance: Instance): GuardVerdict {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : null;
  const cookie = readCookie(req, cookieName(instance.port));
  const ok = bearer !== null ? sameToken(bearer, instance.token) : cookie !== null && sameToken(cookie, cookieValue(instance));
  if (!ok) {
    return { ok: false, status: 401, code: 'UNAUTHORIZED', message: 'Missing or wrong access token: open the URL that `ops-console serve` printed' };
  }
  return { ok: true };
}

/** A `?token=` in the address bar, exchanged for the session cookie. */
export function tokenFromQuery(url: URL, expected: string): boolean {
  const given = url.searchParams.get('token');
  return given !== null && sameToken(given, expected);
}

// Where the browser-mode host listens: loopback only, and by default on an address of its
// own. All of 127.0.0.0/8 is loopback on Linux (and Windows), and browsers key cookies by
// host, not port: a session cookie set by http://127.83.4.17:PORT is never sent to a
// server on 127.0.0.1 or localhost, whatever its port, nor to a second `serve` (which picks
// its own address). The address is random (about 16 million choices) and never disclosed
// to other pages (Referrer-Policy no-referrer, COOP same-origin), so another local page
// cannot aim the browser at it either.
//
// macOS configures 127.0.0.1 alone (binding 127.x.y.z fails with EADDRNOTAVAIL): there we
// fall back to 127.0.0.1 and say so (`shared: true`); the per-port cookie name still keeps
// instances apart, but other local listeners then receive the cookie.
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SHARED_LOOPBACK = '127.0.0.1';

export interface Bound {
  address: string;
  port: number;
  /** True when listening on 127.0.0.1, whose cookies every other local listener receives. */
  shared: boolean;
}

/** 127.a.b.c with a ≥ 1: clear of 127.0.0.1, 127.0.0.53 (systemd-resolved) and 127.0.1.1 (Debian's hostname). */
export function randomLoopbackAddress(): string {
  const [a, b, c] = crypto.randomBytes(3);
  return `127.${1 + ((a ?? 0) % 254)}.${b ?? 0}.${1 + ((c ?? 0) % 254)}`;
}

/** Refuses anything outside 127.0.0.0/8: the host must never be reachable from the network. */
export function assertLoopback(address: string): void {
  const parts = address.split('.');
  const valid = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  if (!valid || parts[0] !== '127') throw new Error(`Browser mode listens on loopback (127.0.0.0/8) only, not on "${address}"`);
}

function listenOnce(server: Server, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, address);
  });
}

/**
 * Listens on `address`, or with `address: 'private'` on a random 127.x.y.z (falling back to
 * 127.0.0.1 where the system has no such address).
 */
export async function listenLoopback(server: Server, port: number, address: string): Promise<Bound> {
  const candidates = address === 'private' ? [randomLoopbackAddress(), SHARED_LOOPBACK] : [address];
  for (const [i, candidate] of candidates.entries()) {
    assertLoopback(candidate);
    try {
      await listenOnce(server, port, candidate);
      const bound = (server.address() as AddressInfo).address;
      return { address: bound, port: (server.address() as AddressInfo).port, shared: bound === SHARED_LOOPBACK };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // No such address on this system (macOS): if one 127.x.y.z is missing they all are, so
      // fall back to 127.0.0.1. Anything else (a fixed port already taken) is the user's to see.
      if (code !== 'EADDRNOTAVAIL' || i === candidates.length - 1) throw err;
    }
  }
  throw new Error('unreachable: the last candidate either listens or throws');
}

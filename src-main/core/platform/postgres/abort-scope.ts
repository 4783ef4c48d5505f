// An abort scope for connections: every client connectClient opens while code runs inside
// `withAbortScope(signal, fn)` (followed through awaits by AsyncLocalStorage) is ended when
// the signal aborts, its pending query failing at once. The fleet runner wraps each target in
// one, so a target that times out really lets go of its connections, whichever domain's code
// opened them and whether or not that code was written to take a signal.
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { OpsError } from '../../../contract/errors';

interface Scope {
  signal: AbortSignal;
  clients: Set<pg.Client>;
  /** Clients whose startup has not been answered yet (no 'connect' event). */
  connecting: Set<pg.Client>;
}

/**
 * Ends a client now. pg's end() on a client still starting up says goodbye politely
 * (Terminate, then a half-close) and waits for the server, which a server that accepted the
 * socket but never answers never does: the socket would stay open until the connect timeout.
 * Destroying the socket is what "let go" means there.
 */
function endNow(scope: Scope, client: pg.Client): void {
  if (scope.connecting.has(client)) client.connection.stream.destroy();
  void client.end().catch(() => undefined);
}

const storage = new AsyncLocalStorage<Scope>();

/** Runs `fn` in a scope whose connections end when `signal` aborts. */
export function withAbortScope<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { signal, clients: new Set(), connecting: new Set() };
  const endAll = () => {
    for (const client of scope.clients) endNow(scope, client);
  };
  signal.addEventListener('abort', endAll, { once: true });
  return storage.run(scope, fn).finally(() => signal.removeEventListener('abort', endAll));
}

/** Refuses to start new work in a scope already aborted (the target's time is up). */
function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'the work was stopped';
}

/**
 * Ties a client about to connect to the current scope, if any: ended on abort (also while it
 * connects: end() destroys the socket and connect() rejects). Returns the untie.
 */
export function trackClient(client: pg.Client): () => void {
  const scope = storage.getStore();
  if (!scope) return () => undefined;
  if (scope.signal.aborted) throw new OpsError('CANCELLED', `Not connecting: ${reasonOf(scope.signal)}`);
  scope.clients.add(client);
  scope.connecting.add(client);
  client.once('connect', () => scope.connecting.delete(client));
  return () => {
    scope.clients.delete(client);
    scope.connecting.delete(client);
  };
}

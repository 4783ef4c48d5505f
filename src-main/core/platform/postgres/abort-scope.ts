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
}

const storage = new AsyncLocalStorage<Scope>();

/** Runs `fn` in a scope whose connections end when `signal` aborts. */
export function withAbortScope<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { signal, clients: new Set() };
  const endAll = () => {
    for (const client of scope.clients) void client.end().catch(() => undefined);
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
  return () => scope.clients.delete(client);
}

// What the app last learned about each profile's server: up (an operation that reaches it
// answered), down (one failed to connect: CONNECTION_FAILED) or unknown (nothing tried yet).
// The typed client records every call's outcome here (client.ts), so the polling screens
// (Activity, Performance…) keep the header's indicator current without each screen knowing
// about it; the header reads it with useConnectionState.
import { useSyncExternalStore } from 'react';
import type { OpName, Operations } from '@contract/operations';

export type ConnectionLevel = 'up' | 'down' | 'unknown';

export interface ConnectionState {
  level: ConnectionLevel;
  /** When the level was last confirmed (local clock, ISO), null while unknown. */
  at: string | null;
  /** The connect error's message when down. */
  error: string | null;
  /** When it was last seen up, kept while down ("down since… last up at…"). */
  lastUpAt: string | null;
}

const UNKNOWN: ConnectionState = { level: 'unknown', at: null, error: null, lastUpAt: null };

const states = new Map<string, ConnectionState>();
const listeners = new Set<() => void>();

// Which operations reach a server is read from the contract's operation table, whose zod
// schemas are ~120 KB the first screen does not need (issue #21, cold start): it is fetched
// on the first outcome that names a profile, and those outcomes wait for it, in order.
let table: Operations | null = null;
let loading: Promise<Operations> | null = null;
const waiting: Array<() => void> = [];

/** The operation table, fetched once (a failed fetch is tried again on the next call). */
export function loadOperationTable(): Promise<Operations> {
  loading ??= import('@contract/operations').then(
    (m) => {
      table = m.operations;
      for (const apply of waiting.splice(0)) apply();
      return m.operations;
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/** Operations that open a connection to a profile's server (they may answer CONNECTION_FAILED). */
export async function reachesServer(name: OpName): Promise<boolean> {
  return reaches(table ?? (await loadOperationTable()), name);
}

function reaches(operations: Operations, name: OpName): boolean {
  const errors: readonly string[] = operations[name].errors;
  return errors.includes('CONNECTION_FAILED');
}

/** The profile an operation's input names (`profileId`), if any. */
export function profileOfInput(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const record = input as Record<string, unknown>;
  if (typeof record.profileId === 'string') return record.profileId;
  return null;
}

function set(profileId: string, next: ConnectionState): void {
  states.set(profileId, next);
  for (const listener of [...listeners]) listener();
}

export function markUp(profileId: string, at: Date = new Date()): void {
  const when = at.toISOString();
  const prev = states.get(profileId);
  // Every poll confirms "up"; only a change of level needs the subscribers re-rendered, but the
  // time moves on too (the tooltip says when it was last confirmed), so update at most every 5 s.
  if (prev?.level === 'up' && prev.at && at.getTime() - Date.parse(prev.at) < 5_000) return;
  set(profileId, { level: 'up', at: when, error: null, lastUpAt: when });
}

export function markDown(profileId: string, error: string, at: Date = new Date()): void {
  const prev = states.get(profileId) ?? UNKNOWN;
  set(profileId, { level: 'down', at: at.toISOString(), error, lastUpAt: prev.lastUpAt });
}

/**
 * Called by the client after each call: success of a server-reaching operation marks its
 * profile up, CONNECTION_FAILED marks it down. Other errors (a query that failed, a password
 * the server refused) say nothing about reachability, so they leave the state as it was.
 */
export function noteOutcome(name: OpName, input: unknown, outcome: { ok: true } | { ok: false; code: string; message: string }): void {
  const profileId = profileOfInput(input);
  if (!profileId) return;
  // The time of the outcome, not of the table's arrival.
  const at = new Date();
  const apply = (operations: Operations) => {
    if (!reaches(operations, name)) return;
    if (outcome.ok) markUp(profileId, at);
    else if (outcome.code === 'CONNECTION_FAILED') markDown(profileId, outcome.message, at);
  };
  if (table) return apply(table);
  waiting.push(() => apply(table!));
  // A table that cannot be fetched (the server stopped) leaves the indicator as it was.
  loadOperationTable().catch(() => undefined);
}

export function connectionStateOf(profileId: string | null): ConnectionState {
  return (profileId && states.get(profileId)) || UNKNOWN;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useConnectionState(profileId: string | null): ConnectionState {
  return useSyncExternalStore(subscribe, () => connectionStateOf(profileId));
}

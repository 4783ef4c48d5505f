// The rollbacks this app asks for itself (EXPLAIN ANALYZE of a write, read-only report
// transactions, guard probes), counted per server and database as they are sent.
// pg_stat_database.xact_rollback cannot be split by application_name, so "failed queries"
// from rollbacks subtracts these: what remains is other clients' rollbacks (their failed
// and their deliberate ones alike) plus this app's from before this process started.
import type pg from 'pg';

const ROLLBACK = /^\s*(?:ROLLBACK|ABORT)(?:\s+(?:WORK|TRANSACTION))?\s*;?\s*$/i;
/** Enough for weeks of polling; older entries go first. */
const MAX_KEPT = 100_000;

const sent = new Map<string, number[]>();

export function rollbackKey(target: { host: string; port: number; database: string }): string {
  return `${target.host}:${target.port}/${target.database}`;
}

export function noteOwnRollback(key: string, atMs: number = Date.now()): void {
  const list = sent.get(key) ?? [];
  list.push(atMs);
  if (list.length > MAX_KEPT) list.splice(0, list.length - MAX_KEPT);
  sent.set(key, list);
}

/** This process's rollbacks on that database at or after `sinceMs` (the statistics' start). */
export function ownRollbacksSince(key: string, sinceMs: number): number {
  const list = sent.get(key);
  if (!list) return 0;
  let n = 0;
  for (let i = list.length - 1; i >= 0 && list[i]! >= sinceMs; i--) n++;
  return n;
}

/** Counts every ROLLBACK the client sends (whole-transaction ones; ROLLBACK TO SAVEPOINT ends none). */
export function countOwnRollbacks(client: pg.Client, key: string): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const wrapped = (...args: unknown[]): unknown => {
    const first = args[0];
    const text = typeof first === 'string' ? first : typeof first === 'object' && first !== null ? (first as { text?: unknown }).text : undefined;
    if (typeof text === 'string' && ROLLBACK.test(text)) noteOwnRollback(key);
    return original(...args);
  };
  client.query = wrapped as typeof client.query;
}

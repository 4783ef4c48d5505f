// One way to read a server for a report or the schema browser: one short connection through
// the usual connect path, one READ ONLY transaction and a statement timeout, so looking can
// never write, never sit in a lock queue and never become the load it is meant to watch.
// Each caller names what it reads, its timeout and the advice for when the timeout hits.
import type pg from 'pg';
import { OpsError } from '../../../contract/errors';
import type { Profile } from '../../../contract/models';
import type { CoreDeps } from '../kernel/deps';
import { withClient } from './connect';
import { isServerError, toOpsError } from './pg-errors';

export type ReadOnlyDeps = Pick<CoreDeps, 'secrets' | 'tunnels'>;

export interface ReadOnlyRead {
  /** What is being read, for the error ("the table sizes"). */
  what: string;
  timeoutMs: number;
  /** Said after "… took more than N s on P and was stopped" (e.g. "; try again in a moment."). */
  onTimeout: string;
  password?: string | undefined;
}

/** node-postgres returns int8, numeric and oid as text: numbers for the contract (null → 0). */
export function num(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export function numOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A server error during such a read, worded for the DBA (what was being read, and the timeout). */
export function readOnlyError(err: unknown, profile: Profile, read: Pick<ReadOnlyRead, 'what' | 'timeoutMs' | 'onTimeout'>): Error {
  if (err instanceof OpsError) return err;
  if (isServerError(err)) {
    if (err.code === '57014')
      return new OpsError(
        'QUERY_FAILED',
        `Reading ${read.what} took more than ${read.timeoutMs / 1000} s on ${profile.name} and was stopped${read.onTimeout}`,
        {
          sqlstate: err.code,
        },
      );
    return new OpsError('QUERY_FAILED', `Reading ${read.what} failed on ${profile.name}: ${err.message} (SQLSTATE ${err.code})`, { sqlstate: err.code });
  }
  return toOpsError(err, profile);
}

/**
 * Runs `fn` in BEGIN READ ONLY with a transaction-local statement timeout on `client`
 * (one statement per message), committing on success and rolling back on any error.
 */
export async function inReadOnlyTransaction<T>(client: pg.Client, timeoutMs: number, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` in BEGIN READ ONLY with the statement timeout, on its own short connection. */
export async function withReadOnly<T>(deps: ReadOnlyDeps, profile: Profile, read: ReadOnlyRead, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  try {
    return await withClient(
      deps,
      profile,
      async (client) => {
        return inReadOnlyTransaction(client, read.timeoutMs, fn);
      },
      read.password !== undefined ? { password: read.password } : {},
    );
  } catch (err) {
    throw readOnlyError(err, profile, read);
  }
}

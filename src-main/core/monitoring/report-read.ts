// How the Performance screen's reports read the server: one short connection, one
// READ ONLY transaction and a few-second statement timeout, so a refresh can never write,
// never hold a lock queue hostage and never become the load it is meant to watch.
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';

export const REPORT_TIMEOUT_MS = 5000;

export type ReportDeps = Pick<CoreDeps, 'secrets' | 'tunnels'>;

/** node-postgres returns int8 and numeric as text: numbers for the contract (null stays null). */
export function num(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export function numOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** A server error during a report, worded for the DBA (what was being read, and the timeout). */
export function reportError(err: unknown, profile: Profile, what: string): Error {
  if (err instanceof OpsError) return err;
  if (isServerError(err)) {
    if (err.code === '57014') {
      return new OpsError(
        'QUERY_FAILED',
        `Reading ${what} took more than ${REPORT_TIMEOUT_MS / 1000} s on ${profile.name} and was stopped so the dashboard does not add to the load; try again in a moment.`,
        {
          sqlstate: err.code,
        },
      );
    }
    return new OpsError('QUERY_FAILED', `Reading ${what} failed on ${profile.name}: ${err.message} (SQLSTATE ${err.code})`, { sqlstate: err.code });
  }
  return toOpsError(err, profile);
}

/** Runs `fn` in BEGIN READ ONLY with a short statement timeout, on its own short connection. */
export async function readReport<T>(
  deps: ReportDeps,
  profile: Profile,
  password: string | undefined,
  what: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  try {
    return await withClient(
      deps,
      profile,
      async (client) => {
        await client.query('BEGIN READ ONLY');
        try {
          await client.query(`SET LOCAL statement_timeout = ${REPORT_TIMEOUT_MS}`);
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      },
      password !== undefined ? { password } : {},
    );
  } catch (err) {
    throw reportError(err, profile, what);
  }
}

/**
 * Runs one optional part of a report under a savepoint: a permission error or a missing
 * object there yields `onError`'s answer instead of failing the whole report. A timeout
 * still fails the report (the server is struggling; say so).
 */
export async function optionalPart<T>(client: pg.Client, fn: () => Promise<T>, onError: (err: Error & { code?: string }) => T): Promise<T> {
  await client.query('SAVEPOINT ops_part');
  try {
    const result = await fn();
    await client.query('RELEASE SAVEPOINT ops_part');
    return result;
  } catch (err) {
    if (!isServerError(err) || err.code === '57014') throw err;
    await client.query('ROLLBACK TO SAVEPOINT ops_part');
    await client.query('RELEASE SAVEPOINT ops_part');
    return onError(err);
  }
}

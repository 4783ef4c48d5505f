// How the Performance screen's reports read the server: one short connection, one
// READ ONLY transaction and a few-second statement timeout, so a refresh can never write,
// never hold a lock queue hostage and never become the load it is meant to watch.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { isServerError } from '../platform/postgres/pg-errors';
import { num, numOrNull, readOnlyError, withReadOnly, type ReadOnlyDeps } from '../platform/postgres/read-only';

export { num, numOrNull };

export const REPORT_TIMEOUT_MS = 5000;
const ON_TIMEOUT = ' so the dashboard does not add to the load; try again in a moment.';

export type ReportDeps = ReadOnlyDeps;

export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** A server error during a report, worded for the DBA (what was being read, and the timeout). */
export function reportError(err: unknown, profile: Profile, what: string): Error {
  return readOnlyError(err, profile, { what, timeoutMs: REPORT_TIMEOUT_MS, onTimeout: ON_TIMEOUT });
}

/** Runs `fn` in BEGIN READ ONLY with a short statement timeout, on its own short connection. */
export function readReport<T>(
  deps: ReportDeps,
  profile: Profile,
  password: string | undefined,
  what: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  return withReadOnly(deps, profile, { what, timeoutMs: REPORT_TIMEOUT_MS, onTimeout: ON_TIMEOUT, password }, fn);
}

/**
 * `readReport` for the reports that read the catalog row by row (indexes, tables and
 * sequences), with JIT compilation off for their transaction. Their plans are many small
 * lookups and size functions, which JIT cannot speed up, but their estimated cost grows with
 * the catalog: past jit_above_cost (100,000 by default) the server compiles the plan first —
 * on 20,000 tables the sequences statement spent 0.9 s compiling for 1 s of work
 * (bench/monitoring.ts). SET LOCAL ends with the report's transaction.
 */
export function readCatalogReport<T>(
  deps: ReportDeps,
  profile: Profile,
  password: string | undefined,
  what: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  return readReport(deps, profile, password, what, async (client) => {
    await client.query('SET LOCAL jit = off');
    return fn(client);
  });
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

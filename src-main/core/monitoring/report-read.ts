// How the Performance screen's reports read the server: one READ ONLY transaction and a
// few-second statement timeout, so a refresh can never write, never hold a lock queue hostage
// and never become the load it is meant to watch — on a connection kept warm between the
// screen's refreshes (report-pool.ts).
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { isServerError } from '../platform/postgres/pg-errors';
import { inReadOnlyTransaction, num, numOrNull, readOnlyError, type ReadOnlyDeps } from '../platform/postgres/read-only';
import { reportConnections } from './report-pool';

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

/** The limit a report ran under, for its error: catalog reports raise it on big catalogs. */
export interface Limit {
  timeoutMs: number;
  relations: number | null;
}

function timeoutError(err: unknown, profile: Profile, what: string, limit: Limit): Error {
  const scaled = limit.relations === null ? '' : ` (the limit grows with the catalog: ${Math.round(limit.relations).toLocaleString('en-US')} relations)`;
  return readOnlyError(err, profile, { what, timeoutMs: limit.timeoutMs, onTimeout: `${scaled}${ON_TIMEOUT}` });
}

/** A connection that went away (not a server's answer): worth one retry on a fresh one when the warm one had died idle. */
function connectionLost(err: unknown): boolean {
  return !isServerError(err);
}

/**
 * Runs `fn` in BEGIN READ ONLY with a short statement timeout, on its own connection — or,
 * with `warm` (the catalog reports), on a warm report connection of the profile, kept for
 * the next report only after a clean COMMIT (report-pool.ts).
 */
export async function readReport<T>(
  deps: ReportDeps,
  profile: Profile,
  password: string | undefined,
  what: string,
  fn: (client: pg.Client, limit: Limit) => Promise<T>,
  warm = false,
): Promise<T> {
  const pool = reportConnections(deps);
  const limit: Limit = { timeoutMs: REPORT_TIMEOUT_MS, relations: null };
  for (let attempt = 0; ; attempt += 1) {
    let started = false;
    const lease = await pool.acquire(profile, password, warm).catch((err: unknown) => {
      throw readOnlyError(err, profile, { what, timeoutMs: REPORT_TIMEOUT_MS, onTimeout: ON_TIMEOUT });
    });
    try {
      const result = await inReadOnlyTransaction(lease.client, limit.timeoutMs, (client) => {
        started = true;
        return fn(client, limit);
      });
      await lease.release(true);
      return result;
    } catch (err) {
      await lease.release(false);
      // A warm connection that died while idle fails at BEGIN, before the report read anything.
      if (lease.reused && !started && attempt === 0 && connectionLost(err)) continue;
      throw timeoutError(err, profile, what, limit);
    }
  }
}

/**
 * Relations (pg_class rows) per REPORT_TIMEOUT_MS a catalog report may take: the index and
 * table reports do work per relation (open it, stat its files), so a fixed 5 s would report a
 * 20,000-table catalog as "failed" on a busy server while a small one is well inside it.
 * Up to this many relations the limit stays 5 s; above, it grows in proportion, to at most
 * CATALOG_TIMEOUT_MAX_MS. The error then names the limit and the catalog's size.
 */
export const RELATIONS_PER_TIMEOUT = 50_000;
export const CATALOG_TIMEOUT_MAX_MS = 60_000;

/** The catalog reports' limit for this many relations. */
export function catalogTimeoutMs(relations: number): number {
  return Math.min(CATALOG_TIMEOUT_MAX_MS, Math.max(REPORT_TIMEOUT_MS, Math.ceil((REPORT_TIMEOUT_MS * relations) / RELATIONS_PER_TIMEOUT)));
}

/** pg_class's own row estimate (one catalog row read); a count when it was never analysed. */
const RELATIONS_SQL = `SELECT CASE WHEN reltuples >= 0 THEN reltuples::float8 ELSE (SELECT count(*) FROM pg_class)::float8 END AS relations
FROM pg_class WHERE oid = 'pg_catalog.pg_class'::regclass`;

/**
 * `readReport` for the reports that read the catalog row by row (indexes, tables and
 * sequences), on a warm connection (report-pool.ts), with a statement timeout scaled to the catalog's size (catalogTimeoutMs) and
 * JIT compilation off for their transaction. Their plans are many small
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
  return readReport(
    deps,
    profile,
    password,
    what,
    async (client, limit) => {
      const relations = Number((await client.query<{ relations: number }>(RELATIONS_SQL)).rows[0]?.relations ?? 0);
      limit.timeoutMs = catalogTimeoutMs(relations);
      if (limit.timeoutMs > REPORT_TIMEOUT_MS) limit.relations = relations;
      await client.query(`SET LOCAL jit = off; SET LOCAL statement_timeout = ${limit.timeoutMs}`);
      return fn(client);
    },
    true,
  );
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

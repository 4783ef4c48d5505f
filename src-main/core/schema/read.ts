// How the schema browser reads the server: the Performance reports' rule (one short
// connection through the same connect path, one READ ONLY transaction, a statement timeout),
// so browsing a production catalog can never write, and a catalog query that a lock queue
// or a huge schema would make slow is stopped instead of piling up behind the clicks.
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';

export const CATALOG_TIMEOUT_MS = 10_000;

export type CatalogDeps = Pick<CoreDeps, 'secrets' | 'tunnels'>;

/** int8, numeric and oid arrive as text from node-postgres: numbers for the contract. */
export function num(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export function numOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function catalogError(err: unknown, profile: Profile, what: string): Error {
  if (err instanceof OpsError) return err;
  if (isServerError(err)) {
    if (err.code === '57014') {
      return new OpsError(
        'QUERY_FAILED',
        `Reading ${what} took more than ${CATALOG_TIMEOUT_MS / 1000} s on ${profile.name} and was stopped; narrow it with the filter or try again.`,
        {
          sqlstate: err.code,
        },
      );
    }
    return new OpsError('QUERY_FAILED', `Reading ${what} failed on ${profile.name}: ${err.message} (SQLSTATE ${err.code})`, { sqlstate: err.code });
  }
  return toOpsError(err, profile);
}

/** Runs `fn` in BEGIN READ ONLY with a statement timeout, on its own short connection. */
export async function readCatalog<T>(
  deps: CatalogDeps,
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
          await client.query(`SET LOCAL statement_timeout = ${CATALOG_TIMEOUT_MS}`);
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
    throw catalogError(err, profile, what);
  }
}

export function objectGone(profile: Profile, oid: number): OpsError {
  return new OpsError('NOT_FOUND', `No such object (OID ${oid}) in ${profile.name} any more: it was dropped or replaced. Refresh the tree.`, {
    id: String(oid),
  });
}

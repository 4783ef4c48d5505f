// How the schema browser reads the server: the Performance reports' rule (one short
// connection through the same connect path, one READ ONLY transaction, a statement timeout),
// so browsing a production catalog can never write, and a catalog query that a lock queue
// or a huge schema would make slow is stopped instead of piling up behind the clicks.
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import { num, numOrNull, readOnlyError, withReadOnly, type ReadOnlyDeps } from '../platform/postgres/read-only';

export { num, numOrNull };

export const CATALOG_TIMEOUT_MS = 10_000;
const ON_TIMEOUT = '; narrow it with the filter or try again.';

export type CatalogDeps = ReadOnlyDeps;

export function catalogError(err: unknown, profile: Profile, what: string): Error {
  return readOnlyError(err, profile, { what, timeoutMs: CATALOG_TIMEOUT_MS, onTimeout: ON_TIMEOUT });
}

/** Runs `fn` in BEGIN READ ONLY with a statement timeout, on its own short connection. */
export function readCatalog<T>(
  deps: CatalogDeps,
  profile: Profile,
  password: string | undefined,
  what: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  return withReadOnly(deps, profile, { what, timeoutMs: CATALOG_TIMEOUT_MS, onTimeout: ON_TIMEOUT, password }, fn);
}

export function objectGone(profile: Profile, oid: number): OpsError {
  return new OpsError('NOT_FOUND', `No such object (OID ${oid}) in ${profile.name} any more: it was dropped or replaced. Refresh the tree.`, {
    id: String(oid),
  });
}

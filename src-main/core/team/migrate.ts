// Creating and migrating the team store's schema (schema.ts), and the version check every
// connection makes: a store newer than this app is refused — the app would not know how to
// write what a newer schema expects.
import type pg from 'pg';
import { version as appVersion } from '../../../package.json';
import { OpsError } from '../../contract/errors';
import type { TeamConnection } from '../../contract/team';
import { isServerError } from '../platform/postgres/pg-errors';
import { MIGRATION_LOCK, TEAM_MIGRATIONS, TEAM_STORE_VERSION } from './schema';

/** The store's schema version, 0 when there is no ops_team schema yet. */
export async function storeVersion(client: pg.Client): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('ops_team.schema_version')::text AS t");
  if (exists.rows[0]?.t === null || exists.rows[0]?.t === undefined) return 0;
  const row = await client.query<{ version: number }>('SELECT version FROM ops_team.schema_version WHERE id = 1');
  return row.rows[0]?.version ?? 0;
}

export function refuseNewer(found: number, connection: TeamConnection): void {
  if (found > TEAM_STORE_VERSION)
    throw new OpsError(
      'STORE_TOO_NEW',
      `The team store ${connection.database} on ${connection.host} is at schema version ${found}, newer than this Ops Console knows (${TEAM_STORE_VERSION}): upgrade Ops Console on this workstation.`,
      { path: `${connection.host}:${connection.port}/${connection.database}`, found, latest: TEAM_STORE_VERSION },
    );
}

function wordMigrationError(err: unknown, connection: TeamConnection): OpsError {
  if (isServerError(err) && err.code === '42501')
    return new OpsError(
      'FORBIDDEN',
      `The role ${connection.user} may not create the team store's schema in database ${connection.database} (${err.message}). Run "ops-console team connect" once as a role with CREATE on the database (e.g. its owner), or have the owner run: GRANT CREATE ON DATABASE ${connection.database} TO ${connection.user};`,
      { sqlstate: '42501' },
    );
  if (err instanceof OpsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new OpsError('QUERY_FAILED', `Creating the team store's schema failed: ${message}`);
}

/** Brings the store to this app's version; true when something was applied. */
export async function migrateStore(client: pg.Client, connection: TeamConnection): Promise<{ version: number; migrated: boolean }> {
  const before = await storeVersion(client);
  refuseNewer(before, connection);
  if (before === TEAM_STORE_VERSION) return { version: before, migrated: false };
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    // Another workstation may have migrated while we waited for the lock.
    const current = await storeVersion(client);
    refuseNewer(current, connection);
    for (const m of TEAM_MIGRATIONS) if (m.version > current) await client.query(m.sql);
    await client.query(
      `INSERT INTO ops_team.schema_version (id, version, app_version) VALUES (1, $1, $2)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, app_version = excluded.app_version, updated_at = now()`,
      [TEAM_STORE_VERSION, appVersion],
    );
    await client.query('COMMIT');
    return { version: TEAM_STORE_VERSION, migrated: current !== TEAM_STORE_VERSION };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw wordMigrationError(err, connection);
  }
}

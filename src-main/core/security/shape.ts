// What kind of database a security check looks at, decided from the catalog (never from the
// profile's name): Supabase-shaped when the API roles anon and authenticated and the auth
// schema exist; the schemas the Data API (PostgREST) exposes, from its pgrst.db_schemas
// setting (on the authenticator role, where Supabase keeps it) or its default.
import type pg from 'pg';

/** The platform's own roles on Supabase (supabase/postgres migrations/db init-scripts and later migrations). */
export const SUPABASE_PLATFORM_ROLES: readonly string[] = [
  'postgres',
  'supabase_admin',
  'supabase_auth_admin',
  'supabase_storage_admin',
  'supabase_functions_admin',
  'supabase_realtime_admin',
  'supabase_replication_admin',
  'supabase_read_only_user',
  'supabase_etl_admin',
  'supabase_privileged_role',
  'authenticator',
  'anon',
  'authenticated',
  'service_role',
  'dashboard_user',
  'pgbouncer',
  'pgsodium_keymaker',
  'pgsodium_keyholder',
  'pgsodium_keyiduser',
  'cli_login_postgres',
];

/** PostgREST's default when pgrst.db_schemas is not set (Supabase's API settings default). */
const DEFAULT_EXPOSED = ['public', 'graphql_public'];

export interface DatabaseShape {
  supabase: boolean;
  /** Schemas the Data API serves: always public, plus pgrst.db_schemas (or its default). */
  exposed: string[];
  serverVersionNum: number;
  /** The role the profile connects as. */
  user: string;
}

function parseSchemas(setting: string): string[] {
  return setting
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .filter((s) => s.length > 0);
}

export async function readShape(client: pg.ClientBase): Promise<DatabaseShape> {
  const { rows } = await client.query<{ supabase: boolean; setting: string | null; role_setting: string | null; version: number; usr: string }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon')
            AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated')
            AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'auth') AS supabase,
            nullif(current_setting('pgrst.db_schemas', true), '') AS setting,
            (SELECT substr(c, length('pgrst.db_schemas=') + 1)
               FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) AS c
              WHERE r.rolname = 'authenticator' AND c LIKE 'pgrst.db\\_schemas=%'
                AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
              ORDER BY s.setdatabase DESC LIMIT 1) AS role_setting,
            current_setting('server_version_num')::int AS version,
            current_user AS usr`,
  );
  const row = rows[0]!;
  const configured = row.setting ?? row.role_setting;
  const exposed = new Set(['public', ...(configured !== null ? parseSchemas(configured) : DEFAULT_EXPOSED)]);
  return { supabase: row.supabase, exposed: [...exposed], serverVersionNum: row.version, user: row.usr };
}

export const NOT_SUPABASE = 'not a Supabase-shaped database (no anon and authenticated roles with an auth schema): this check is for Supabase projects';

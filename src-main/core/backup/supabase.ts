// The Supabase preset of a backup, done the way Supabase documents backup and restore
// (roles, schema, data; Supabase CLI's `db dump` lists), in one pg_dump archive plus what
// the manifest captures in the dump's own snapshot:
// - pg_dump leaves out every platform schema except auth and storage (SUPABASE_CARRIED_SCHEMAS),
//   keeps privileges (grants to anon/authenticated/service_role are the API surface), and
//   leaves out the rows of the platform's migration bookkeeping tables;
// - the capture records the roles part (non-reserved roles), the extensions' schemas, the
//   policies, triggers, grants and bucket rows the restore must bring back, and the
//   platform objects (event triggers, the realtime publication) a restore leaves alone.
// The restore (restore/supabase-restore.ts) picks from the archive what fits its target.
import type pg from 'pg';
import {
  SUPABASE_BOOKKEEPING_TABLES,
  SUPABASE_CARRIED_SCHEMAS,
  SUPABASE_DUMP_EXCLUDED_SCHEMAS,
  SUPABASE_RESERVED_ROLES,
  type SupabaseCapture,
  type SupabaseObjectRef,
  type SupabaseRole,
} from '../../contract/backup';

export const API_ROLES: readonly string[] = ['anon', 'authenticated', 'service_role'];

/** Platform schemas pg_dump leaves out (the carried ones stay in). */
export function supabaseExcludedSchemas(): string[] {
  return [...SUPABASE_DUMP_EXCLUDED_SCHEMAS];
}

/** `--exclude-table-data` patterns: the bookkeeping tables' rows belong to the platform's own migrations. */
export function supabaseExcludedTableData(): string[] {
  return SUPABASE_BOOKKEEPING_TABLES.map((t) => `"${t.schema}"."${t.name}"`);
}

export function isBookkeepingTable(schema: string, name: string): boolean {
  return SUPABASE_BOOKKEEPING_TABLES.some((t) => t.schema === schema && t.name === name);
}

/** The schemas pg_dump writes: neither system, nor platform-managed outside the carried ones. */
const DUMPED_SCHEMA_SQL = `(n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT n.nspname LIKE ANY ($1::text[]))`;

function likePatterns(): string[] {
  // pg_dump's `*` is SQL's `%`; `_` in names is literal.
  return supabaseExcludedSchemas().map((s) => s.replace(/_/g, '\\_').replace(/\*/g, '%'));
}

/** Role settings a Supabase project may set (Supabase CLI's allowedConfigs, from supautils). */
const ALLOWED_SETTING = /^(pgaudit\.[^=]+|pgrst\.[^=]+|session_replication_role|statement_timeout|track_io_timing)=/;

async function captureRoles(client: pg.Client): Promise<SupabaseRole[]> {
  const r = await client.query<{
    name: string;
    login: boolean;
    inherit: boolean;
    createrole: boolean;
    createdb: boolean;
    bypassrls: boolean;
    member_of: string[];
    settings: string[] | null;
  }>(
    `SELECT r.rolname AS name, r.rolcanlogin AS login, r.rolinherit AS inherit, r.rolcreaterole AS createrole,
            r.rolcreatedb AS createdb, r.rolbypassrls AS bypassrls, r.rolconfig AS settings,
            ARRAY(SELECT g.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                   WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of
       FROM pg_catalog.pg_roles r
      WHERE r.rolname !~ '^pg_' AND NOT r.rolsuper AND r.rolname <> ALL ($1::text[])
      ORDER BY 1`,
    [SUPABASE_RESERVED_ROLES],
  );
  return r.rows.map((row) => ({
    name: row.name,
    login: row.login,
    inherit: row.inherit,
    createRole: row.createrole,
    createDb: row.createdb,
    bypassRls: row.bypassrls,
    memberOf: row.member_of,
    settings: (row.settings ?? []).filter((s) => ALLOWED_SETTING.test(s)),
  }));
}

async function refs(client: pg.Client, sql: string, params: unknown[]): Promise<SupabaseObjectRef[]> {
  return (await client.query<SupabaseObjectRef>(sql, params)).rows.map((r) => ({ schema: r.schema, table: r.table, name: r.name }));
}

// Default privileges a restore replays: the platform admins' own ones are skipped by the
// restore (only they may set them), so the roles those name are not needed either.
const OWN_DEFAULT_ACL = `(pg_catalog.pg_get_userbyid(d.defaclrole) = 'postgres' OR NOT pg_catalog.pg_get_userbyid(d.defaclrole) = ANY ($2::text[]))`;

/** Reads everything the manifest records for a Supabase backup. Run it in the dump's snapshot. */
export async function captureSupabase(client: pg.Client): Promise<SupabaseCapture> {
  const excluded = likePatterns();
  const carried = [...SUPABASE_CARRIED_SCHEMAS];
  const roles = await captureRoles(client);
  const policies = await refs(
    client,
    `SELECT p.schemaname AS schema, p.tablename AS table, p.policyname AS name FROM pg_catalog.pg_policies p
       JOIN pg_catalog.pg_namespace n ON n.nspname = p.schemaname WHERE ${DUMPED_SCHEMA_SQL} ORDER BY 1, 2, 3`,
    [excluded],
  );
  const triggerSql = `SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name
       FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_proc f ON f.oid = t.tgfoid JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace
      WHERE NOT t.tgisinternal AND ${DUMPED_SCHEMA_SQL}`;
  const triggers = await refs(client, `${triggerSql} ORDER BY 1, 2, 3`, [excluded]);
  // A trigger on a platform table calling a function of a user schema is the user's.
  const platformTriggers = await refs(client, `${triggerSql} AND n.nspname = ANY ($2::text[]) AND NOT fn.nspname = ANY ($2::text[]) ORDER BY 1, 2, 3`, [
    excluded,
    carried,
  ]);
  const grants = (
    await client.query<{ schema: string; name: string; grantee: string; privilege: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, g.rolname AS grantee, a.privilege_type AS privilege
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${DUMPED_SCHEMA_SQL}
          AND NOT n.nspname = ANY ($2::text[]) AND g.rolname = ANY ($3::text[])
        ORDER BY 1, 2, 3, 4`,
      [excluded, carried, API_ROLES],
    )
  ).rows;
  // An owner's own entries are not grants pg_dump writes (--no-owner restores drop owners anyway).
  const referenced = await client.query<{ name: string }>(
    `SELECT DISTINCT g.rolname AS name FROM (
        SELECT a.grantee FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a WHERE ${DUMPED_SCHEMA_SQL} AND a.grantee <> c.relowner
        UNION SELECT a.grantee FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a WHERE ${DUMPED_SCHEMA_SQL} AND a.grantee <> n.nspowner
        UNION SELECT a.grantee FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
         CROSS JOIN LATERAL aclexplode(p.proacl) a WHERE ${DUMPED_SCHEMA_SQL} AND a.grantee <> p.proowner
        UNION SELECT unnest(p.polroles) FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ${DUMPED_SCHEMA_SQL}
        UNION SELECT d.defaclrole FROM pg_catalog.pg_default_acl d WHERE ${OWN_DEFAULT_ACL}
        UNION SELECT a.grantee FROM pg_catalog.pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a WHERE ${OWN_DEFAULT_ACL}
      ) AS x(oid) JOIN pg_catalog.pg_roles g ON g.oid = x.oid
      WHERE g.rolname !~ '^pg_' ORDER BY 1`,
    [excluded, SUPABASE_RESERVED_ROLES],
  );
  const extensions = await client.query<{ name: string; schema: string }>(
    `SELECT e.extname AS name, n.nspname AS schema FROM pg_catalog.pg_extension e
       JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1`,
  );
  const hasBuckets = await client.query<{ ok: boolean }>(`SELECT to_regclass('storage.buckets') IS NOT NULL AS ok`);
  const buckets = hasBuckets.rows[0]?.ok
    ? (await client.query<{ id: string }>('SELECT id::text AS id FROM storage.buckets ORDER BY 1')).rows.map((r) => r.id)
    : [];
  const eventTriggers = (await client.query<{ name: string }>('SELECT evtname AS name FROM pg_catalog.pg_event_trigger ORDER BY 1')).rows.map((r) => r.name);
  const publications = (
    await client.query<{ name: string }>(`SELECT pubname AS name FROM pg_catalog.pg_publication WHERE pubname LIKE 'supabase\\_%' ORDER BY 1`)
  ).rows.map((r) => r.name);
  const publicationTables = (
    await client.query<{ publication: string; schema: string; table: string }>(
      `SELECT pubname AS publication, schemaname AS schema, tablename AS table FROM pg_catalog.pg_publication_tables
        WHERE pubname = ANY ($1::text[]) ORDER BY 1, 2, 3`,
      [publications],
    )
  ).rows;
  return {
    roles,
    referencedRoles: referenced.rows.map((r) => r.name),
    extensions: extensions.rows,
    policies,
    triggers,
    platformTriggers,
    grants,
    buckets,
    eventTriggers,
    publications,
    publicationTables,
  };
}

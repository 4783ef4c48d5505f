// What the restore target already holds: its version, whether it has user objects, and
// which objects of the dump already exist there (they would make pg_restore --exit-on-error
// stop at the first CREATE, or with --clean be dropped first). Reads only.
import type pg from 'pg';
import type { RestoreConflict } from '../../contract/restore';
import type { DumpItem } from './dump-reader';

export interface TargetServer {
  serverVersion: string;
  serverMajor: number;
  /** The connected role may create databases (CREATEDB or superuser). */
  canCreateDatabase: boolean;
}

export async function readTargetServer(client: pg.Client): Promise<TargetServer> {
  const r = await client.query<{ v: string; num: string; can: boolean }>(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS num,
            COALESCE((SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false) AS can`,
  );
  const row = r.rows[0]!;
  return { serverVersion: row.v.split(' ')[0]!, serverMajor: Math.floor(Number(row.num) / 10_000), canCreateDatabase: row.can };
}

export async function databaseExists(client: pg.Client, database: string): Promise<boolean> {
  const r = await client.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [database]);
  return (r.rowCount ?? 0) > 0;
}

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** Tables, views, sequences and functions outside the system schemas that no extension owns. */
export async function userObjectCount(client: pg.Client): Promise<number> {
  const r = await client.query<{ n: string }>(`
    SELECT (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMA}
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'))
         + (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE ${USER_SCHEMA}
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')) AS n`);
  return Number(r.rows[0]!.n);
}

const CONFLICT_TYPES = new Set([
  'TABLE',
  'VIEW',
  'MATERIALIZED VIEW',
  'SEQUENCE',
  'FOREIGN TABLE',
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'TYPE',
  'DOMAIN',
  'SCHEMA',
]);

// Function entries are tagged "name(argtypes)" by pg_dump, the way oidvectortypes() prints them.
const CONFLICTS_SQL = `
  SELECT i.type, i.schema, i.name
    FROM json_to_recordset($1::json) AS i(type text, schema text, name text)
   WHERE CASE
     WHEN i.type IN ('TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE', 'FOREIGN TABLE') THEN EXISTS (
       SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = i.schema AND c.relname = i.name)
     WHEN i.type IN ('FUNCTION', 'PROCEDURE', 'AGGREGATE') THEN EXISTS (
       SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = i.schema AND p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' = i.name)
     WHEN i.type IN ('TYPE', 'DOMAIN') THEN EXISTS (
       SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = i.schema AND t.typname = i.name)
     WHEN i.type = 'SCHEMA' THEN i.name <> 'public' AND EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = i.name)
     ELSE false END
   ORDER BY 1, 2, 3`;

/** The dump's objects that already exist in the connected database. */
export async function findConflicts(client: pg.Client, items: DumpItem[]): Promise<RestoreConflict[]> {
  const wanted = items.filter((i) => CONFLICT_TYPES.has(i.type)).map((i) => ({ type: i.type, schema: i.schema, name: i.name }));
  if (wanted.length === 0) return [];
  const r = await client.query<{ type: string; schema: string | null; name: string }>(CONFLICTS_SQL, [JSON.stringify(wanted)]);
  return r.rows.map((row) => ({ type: row.type, schema: row.schema, name: row.name }));
}

export function describeConflicts(conflicts: RestoreConflict[], max = 5): string {
  const shown = conflicts.slice(0, max).map((c) => `${c.type.toLowerCase()} ${c.schema ? `${c.schema}.` : ''}${c.name}`);
  return conflicts.length > max ? `${shown.join(', ')} and ${conflicts.length - max} more` : shown.join(', ');
}

/**
 * Extensions of the dump the connected role could not create in the target: not there
 * yet, not trusted, and the role is no superuser (pg_stat_statements on a managed
 * server, for one). pg_restore would stop at their CREATE EXTENSION.
 */
export async function uncreatableExtensions(client: pg.Client, extensions: string[], targetExists: boolean): Promise<string[]> {
  if (extensions.length === 0) return [];
  const r = await client.query<{ name: string }>(
    `SELECT e.name FROM unnest($1::text[]) AS e(name)
      WHERE NOT COALESCE((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false)
        AND NOT ($2 AND EXISTS (SELECT 1 FROM pg_catalog.pg_extension x WHERE x.extname = e.name))
        AND NOT COALESCE((SELECT bool_or(v.trusted) FROM pg_catalog.pg_available_extension_versions v WHERE v.name = e.name), false)
      ORDER BY 1`,
    [extensions, targetExists],
  );
  return r.rows.map((row) => row.name);
}

// The ops toolkit migration: the server functions the runbook calls, as one idempotent,
// versioned SQL script (run in one transaction by toolkit.ts, shown to the user first).
//
// Layout, and why:
// - Everything lives in its own schema, `ops_toolkit`: its functions, the version
//   function, the install log and the backup_metadata table. A schema of its own is easy
//   to find, to grant on and to drop, and it is not one PostgREST exposes on Supabase.
// - The runbook calls the functions unqualified (`SELECT * FROM check_system_health();`),
//   so `public` gets thin wrappers with the runbook's names. A function of that name that
//   the toolkit did not create is left alone (reported by `toolkit status`): the database
//   may already have its own version, and replacing it silently would change what the
//   team's runbook does.
// - No SECURITY DEFINER anywhere: the functions need nothing beyond what a monitoring DBA
//   role has (pg_monitor for other sessions' activity; ownership of tables for ANALYZE).
//   EXECUTE is revoked from PUBLIC (and from Supabase's anon/authenticated API roles, which
//   get EXECUTE on new public functions through default privileges) so the cleanup is
//   not callable through the REST API. Grant EXECUTE to other DBA roles as needed.
// - Every function pins `search_path = pg_catalog, pg_temp` and names objects fully.
import { ANALYZE_INDEX_USAGE, CHECK_SYSTEM_HEALTH, FIND_UNUSED_INDEXES, GET_STORAGE_USAGE_STATS, PERFORM_ROUTINE_MAINTENANCE } from './toolkit-sql-health';
import { CLEANUP_ORPHANED_IMAGES, CREATE_BACKUP_METADATA, PREPARE_DISASTER_RECOVERY, VALIDATE_BACKUP_INTEGRITY, VALIDATE_RECOVERY } from './toolkit-sql-backup';

/** Bump with any change to the SQL below; recorded in the database by the install. */
// 1.1.0: the read functions (and their public wrappers) are STABLE, so the console's guard,
// which counts every VOLATILE function as a possible write, lets the checklists read them.
// 1.2.0: check_system_health() grades the cache hit ratio with the app's thresholds (CACHE_HIT_THRESHOLDS).
export const TOOLKIT_VERSION = '1.2.0';
export const TOOLKIT_SCHEMA = 'ops_toolkit';

/** A runbook function: its name, arguments and result as the public wrapper declares them. */
export interface ToolkitFunction {
  name: string;
  /** Argument declarations, e.g. `dry_run boolean DEFAULT true`. */
  args: string;
  /** Argument names passed through by the wrapper. */
  callArgs: string;
  returns: string;
  /** What it returns, for the CLI and the docs. */
  describes: string;
  sql: string;
}

export const TOOLKIT_FUNCTIONS: readonly ToolkitFunction[] = [
  {
    name: 'check_system_health',
    args: '',
    callArgs: '',
    returns: 'TABLE (check_name text, status text, value numeric, unit text, warning_threshold numeric, critical_threshold numeric, details text)',
    describes: 'one row per check (status ok|warning|critical|unknown) with its value and thresholds',
    sql: CHECK_SYSTEM_HEALTH,
  },
  {
    name: 'perform_routine_maintenance',
    args: '',
    callArgs: '',
    returns: 'TABLE (task text, target text, status text, details text, command text)',
    describes: 'ANALYZE of stale tables (done), VACUUM and idle sessions (commands to run outside), a summary row',
    sql: PERFORM_ROUTINE_MAINTENANCE,
  },
  {
    name: 'get_storage_usage_stats',
    args: '',
    callArgs: '',
    returns:
      'TABLE (kind text, schema_name text, object_name text, row_estimate bigint, object_count bigint, table_bytes bigint, index_bytes bigint, toast_bytes bigint, total_bytes bigint, total_size text, share_pct numeric, note text)',
    describes: 'the database, each table, and each storage bucket when storage.objects exists',
    sql: GET_STORAGE_USAGE_STATS,
  },
  {
    name: 'cleanup_orphaned_images',
    args: 'dry_run boolean DEFAULT true, buckets text[] DEFAULT NULL',
    callArgs: 'dry_run, buckets',
    returns: 'TABLE (kind text, bucket text, image_ref text, size_bytes bigint, created_at timestamptz, action text)',
    describes: 'orphaned storage objects (report only), dangling design previews (cleared when dry_run is false), a summary row',
    sql: CLEANUP_ORPHANED_IMAGES,
  },
  {
    name: 'analyze_index_usage',
    args: '',
    callArgs: '',
    returns:
      'TABLE (schema_name text, table_name text, index_name text, idx_scan bigint, idx_tup_read bigint, idx_tup_fetch bigint, index_bytes bigint, index_size text, table_seq_scan bigint, is_unique boolean, is_primary boolean, is_valid boolean, assessment text)',
    describes: 'every index, least scanned and largest first, with an assessment',
    sql: ANALYZE_INDEX_USAGE,
  },
  {
    name: 'find_unused_indexes',
    args: '',
    callArgs: '',
    returns:
      'TABLE (schema_name text, table_name text, index_name text, index_bytes bigint, index_size text, idx_scan bigint, index_definition text, stats_since timestamptz, drop_statement text)',
    describes: 'never-scanned indexes that enforce no constraint, with the DROP INDEX CONCURRENTLY to run',
    sql: FIND_UNUSED_INDEXES,
  },
  {
    name: 'validate_backup_integrity',
    args: '',
    callArgs: '',
    returns: 'TABLE (check_name text, status text, value text, details text)',
    describes: 'latest backup metadata, WAL archiving, checksums, unlogged tables, invalid indexes',
    sql: VALIDATE_BACKUP_INTEGRITY,
  },
  {
    name: 'create_backup_metadata',
    args: 'backup_type text, description text DEFAULT NULL',
    callArgs: 'backup_type, description',
    returns: 'ops_toolkit.backup_metadata',
    describes: 'records and returns a backup_metadata row: time, WAL LSN, size, row count per table',
    sql: CREATE_BACKUP_METADATA,
  },
  {
    name: 'validate_recovery',
    args: 'baseline_id bigint DEFAULT NULL',
    callArgs: 'baseline_id',
    returns: 'TABLE (check_name text, status text, expected text, actual text, details text)',
    describes: 'row counts against a backup_metadata baseline (latest by default), sequences, invalid indexes',
    sql: VALIDATE_RECOVERY,
  },
  {
    name: 'prepare_disaster_recovery',
    args: 'record_baseline boolean DEFAULT true',
    callArgs: 'record_baseline',
    returns: 'TABLE (item text, status text, value text, details text)',
    describes: 'records a dr_drill baseline and lists what a restore target needs',
    sql: PREPARE_DISASTER_RECOVERY,
  },
];

export const TOOLKIT_FUNCTION_NAMES = TOOLKIT_FUNCTIONS.map((f) => f.name);

/** Marks what the toolkit created, so an upgrade or a status check can tell ours from theirs. */
const MARK = `ops_toolkit ${TOOLKIT_VERSION}`;

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const PREAMBLE = `
-- Ops Console toolkit ${TOOLKIT_VERSION}: the server functions of the Timothie & Co runbook.
-- Idempotent; run it in one transaction. Needs no superuser.

-- Two installs at once would race on CREATE OR REPLACE ("tuple concurrently updated").
SELECT pg_advisory_xact_lock(hashtext('ops_toolkit install'));

CREATE SCHEMA IF NOT EXISTS ops_toolkit;
REVOKE ALL ON SCHEMA ops_toolkit FROM PUBLIC;

DO $guard$
DECLARE installed text;
BEGIN
  IF to_regprocedure('ops_toolkit.version()') IS NOT NULL THEN
    EXECUTE 'SELECT ops_toolkit.version()' INTO installed;
    IF string_to_array(installed, '.')::int[] > string_to_array(${literal(TOOLKIT_VERSION)}, '.')::int[] THEN
      RAISE EXCEPTION 'ops_toolkit % is installed, newer than %: not downgrading', installed, ${literal(TOOLKIT_VERSION)};
    END IF;
    IF installed <> ${literal(TOOLKIT_VERSION)} THEN
      -- An older version: drop its functions (ours only) so changed signatures can be recreated.
      PERFORM ops_toolkit.drop_own_functions();
    END IF;
  END IF;
END
$guard$;

CREATE TABLE IF NOT EXISTS ops_toolkit.installs (
  version      text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now(),
  installed_by text NOT NULL DEFAULT current_user
);

CREATE TABLE IF NOT EXISTS ops_toolkit.backup_metadata (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  backup_type      text NOT NULL,
  description      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL DEFAULT current_user,
  database_name    text NOT NULL DEFAULT current_database(),
  server_version   text NOT NULL,
  wal_lsn          pg_lsn,
  database_bytes   bigint NOT NULL,
  table_count      integer NOT NULL,
  total_rows       bigint NOT NULL,
  row_counts       jsonb NOT NULL,
  estimated_tables text[] NOT NULL DEFAULT '{}',
  skipped_tables   text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE ops_toolkit.backup_metadata IS
  'One row per create_backup_metadata(): time, WAL LSN and exact row count per table ("schema.table": n), for validate_recovery() to compare with after a restore.';

CREATE OR REPLACE FUNCTION ops_toolkit.version() RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $fn$ SELECT ${literal(TOOLKIT_VERSION)}::text $fn$;

-- Drops the functions this toolkit created (marked by their comment), in both schemas.
CREATE OR REPLACE FUNCTION ops_toolkit.drop_own_functions() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('ops_toolkit', 'public') AND obj_description(p.oid, 'pg_proc') LIKE 'ops_toolkit %'
       AND p.proname NOT IN ('version', 'drop_own_functions', 'install_wrapper')
  LOOP
    EXECUTE format('DROP FUNCTION %s', f);
  END LOOP;
END
$fn$;

-- "higher is worse" grading shared by the health checks.
CREATE OR REPLACE FUNCTION ops_toolkit.grade(value numeric, warning numeric, critical numeric) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT CASE WHEN value IS NULL THEN 'unknown' WHEN value > critical THEN 'critical'
              WHEN value > warning THEN 'warning' ELSE 'ok' END
$fn$;

-- Whether a table exists with all these columns (app tables and storage.objects are optional).
CREATE OR REPLACE FUNCTION ops_toolkit.has_columns(rel text, cols text[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT coalesce((SELECT count(DISTINCT a.attname) = cardinality(cols)
                     FROM pg_attribute a
                    WHERE a.attrelid = to_regclass(rel) AND a.attname = ANY (cols) AND NOT a.attisdropped), false)
$fn$;

-- Creates a public wrapper unless a function of that name that is not ours exists.
CREATE OR REPLACE FUNCTION ops_toolkit.install_wrapper(fn_name text, ddl text, mark text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE f regprocedure;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname = fn_name
               AND coalesce(obj_description(p.oid, 'pg_proc'), '') NOT LIKE 'ops_toolkit %') THEN
    RAISE NOTICE 'public.% exists and was not created by ops_toolkit: left as it is (call ops_toolkit.% instead)', fn_name, fn_name;
    RETURN;
  END IF;
  EXECUTE ddl;
  SELECT p.oid::regprocedure INTO f FROM pg_proc p
   WHERE p.pronamespace = 'public'::regnamespace AND p.proname = fn_name
   ORDER BY p.oid DESC LIMIT 1;
  EXECUTE format('COMMENT ON FUNCTION %s IS %L', f, mark);
END
$fn$;
`;

/** The wrapper declares what the function declares: a read stays STABLE through its wrapper. */
function volatilityOf(f: ToolkitFunction): string {
  return /\bLANGUAGE\s+\w+\s+(IMMUTABLE|STABLE|VOLATILE)\b/i.exec(f.sql)?.[1]?.toUpperCase() ?? 'VOLATILE';
}

function wrapperDdl(f: ToolkitFunction): string {
  const body = `SELECT * FROM ops_toolkit.${f.name}(${f.callArgs})`;
  return (
    `CREATE OR REPLACE FUNCTION public.${f.name}(${f.args}) RETURNS ${f.returns}\n` +
    `LANGUAGE sql ${volatilityOf(f)} SET search_path = pg_catalog, pg_temp\n` +
    `AS $w$ ${body} $w$`
  );
}

function functionSection(f: ToolkitFunction): string {
  const signature = `ops_toolkit.${f.name}(${f.args.replace(/ DEFAULT [^,]+/g, '')})`;
  return [
    f.sql.trim(),
    `COMMENT ON FUNCTION ${signature} IS ${literal(`${MARK}: ${f.describes}`)};`,
    `SELECT ops_toolkit.install_wrapper(${literal(f.name)}, $ddl$${wrapperDdl(f)}$ddl$, ${literal(`${MARK}: wrapper of ops_toolkit.${f.name}`)});`,
  ].join('\n');
}

const POSTAMBLE = `
-- Nobody but the installing role (and whom it grants) may run the toolkit; on Supabase,
-- default privileges also grant EXECUTE on public functions to the API roles.
DO $grants$
DECLARE f regprocedure; r text;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'ops_toolkit' OR (n.nspname = 'public' AND obj_description(p.oid, 'pg_proc') LIKE 'ops_toolkit %')
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM %I', f, r);
      END IF;
    END LOOP;
  END LOOP;
END
$grants$;

INSERT INTO ops_toolkit.installs (version) VALUES (${literal(TOOLKIT_VERSION)});
`;

/** The migration's body: everything between BEGIN and COMMIT. */
export const TOOLKIT_SQL_BODY = [PREAMBLE.trim(), ...TOOLKIT_FUNCTIONS.map(functionSection), POSTAMBLE.trim()].join('\n\n');

/** The whole script as shown before installing and as run: one transaction. */
export const TOOLKIT_SQL = `BEGIN;\n\n${TOOLKIT_SQL_BODY}\n\nCOMMIT;\n`;

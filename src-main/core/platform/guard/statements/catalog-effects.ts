// The catalog's half of the guard: which functions a statement may end up calling, and
// whether any of them may act outside the transaction. No list of dangerous names: the
// server's own catalog says what every function is (pg_proc.provolatile), in any schema,
// and what views, row-level-security policies, domain constraints and SQL-standard function
// bodies call in turn (pg_depend). A VOLATILE function is a possible write unless it is on
// the short reviewed list below of volatile functions that only observe or compute.
import type pg from 'pg';
import { parseSync } from 'libpg-query';
import { collectRefs, hasRefs, type EffectRefs, type NameRef } from './effects';
import { readPlpgsql } from './plpgsql-refs';
import type { PlannedStatement } from './classify';

/**
 * Volatile built-ins (schema pg_catalog) that change nothing outside the statement: clocks,
 * randomness, sizes, statistics, WAL positions, lock and wait views, directory listings,
 * session-local settings (set_config of a read-only or pinned setting is refused by its own
 * rule before this). Everything else volatile in pg_catalog — lo_*, pg_notify, advisory locks,
 * replication slots and origins, pg_terminate_backend, query_to_xml (runs the query text it
 * is given) … — stays a possible write.
 */
const OBSERVING_BUILTINS = new Set([
  'clock_timestamp',
  'timeofday',
  'random',
  'setseed',
  'gen_random_uuid',
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  'currval',
  'lastval',
  'current_query',
  'set_config',
  'pg_stat_clear_snapshot',
  'pg_blocking_pids',
  'pg_safe_snapshot_blocking_pids',
  'pg_isolation_test_session_is_blocked',
  'pg_lock_status',
  'pg_prepared_xact',
  'pg_database_size',
  'pg_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_total_relation_size',
  'pg_tablespace_size',
  'pg_is_in_recovery',
  'pg_is_wal_replay_paused',
  'pg_get_wal_replay_pause_state',
  'pg_current_wal_lsn',
  'pg_current_wal_insert_lsn',
  'pg_current_wal_flush_lsn',
  'pg_last_wal_receive_lsn',
  'pg_last_wal_replay_lsn',
  'pg_last_xact_replay_timestamp',
  'pg_last_committed_xact',
  'pg_control_checkpoint',
  'pg_control_init',
  'pg_control_recovery',
  'pg_control_system',
  'pg_current_logfile',
  'pg_stat_get_recovery_prefetch',
  'pg_stat_have_stats',
  'pg_notification_queue_usage',
  'pg_jit_available',
  'pg_get_backend_memory_contexts',
  'pg_get_shmem_allocations',
  'pg_get_multixact_members',
  'pg_get_wal_resource_managers',
  'pg_hba_file_rules',
  'pg_ident_file_mappings',
  'pg_show_all_file_settings',
  'pg_show_replication_origin_status',
  'pg_partition_ancestors',
  'pg_partition_tree',
  'pg_sequence_last_value',
  'pg_xact_commit_timestamp',
  'pg_xact_commit_timestamp_origin',
  'pg_xact_status',
  'txid_status',
  'pg_collation_actual_version',
  'pg_database_collation_actual_version',
  'pg_ls_dir',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalmapdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_replslotdir',
  'pg_stat_file',
]);

/** Volatile functions of reviewed extensions that only observe or compute (by extension). */
const OBSERVING_EXTENSION_FUNCTIONS: Record<string, ReadonlySet<string>> = {
  pg_stat_statements: new Set(['pg_stat_statements', 'pg_stat_statements_info']),
  pgcrypto: new Set(['gen_random_bytes', 'gen_random_uuid', 'gen_salt']),
  'uuid-ossp': new Set(['uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4']),
};

/** pg_stat_get_xact_*: this transaction's own counters. */
function observingBuiltin(name: string): boolean {
  return OBSERVING_BUILTINS.has(name) || name.startsWith('pg_stat_get_xact_');
}

interface VolatileRow {
  schema: string;
  name: string;
  args: string;
  extension: string | null;
  /** Reached through a view, policy, domain or function body rather than named. */
  via: string | null;
  volatile: boolean;
}

function allowed(row: VolatileRow): boolean {
  if (row.extension !== null) return OBSERVING_EXTENSION_FUNCTIONS[row.extension]?.has(row.name) ?? false;
  return row.schema === 'pg_catalog' && observingBuiltin(row.name);
}

/**
 * One round trip per level: the named functions and operators' functions, the named
 * relations and types, and what their views' rules, policies, domain constraints and
 * function bodies depend on in pg_depend (user objects; PostgreSQL records no dependency on
 * built-ins). Alongside, the text of every view, policy expression, domain CHECK and
 * SQL-language function body reached, which the caller parses for the built-ins they call.
 * An unqualified name matches in every schema (a later SET search_path could pick any).
 */
const CATALOG_SQL = `
WITH RECURSIVE
  fn_refs AS (SELECT * FROM unnest($1::text[], $2::text[]) AS r(schema, name)),
  op_refs AS (SELECT * FROM unnest($3::text[], $4::text[]) AS r(schema, name)),
  rel_refs AS (SELECT * FROM unnest($5::text[], $6::text[]) AS r(schema, name)),
  type_refs AS (SELECT * FROM unnest($7::text[], $8::text[]) AS r(schema, name)),
  seed(kind, oid, via) AS (
    SELECT 'f', p.oid, NULL::text FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      JOIN fn_refs r ON p.proname = r.name AND (r.schema IS NULL OR n.nspname = r.schema)
    UNION
    SELECT 'f', o.oprcode::oid, 'operator ' || o.oprname FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
      JOIN op_refs r ON o.oprname = r.name AND (r.schema IS NULL OR n.nspname = r.schema)
    UNION
    SELECT 'r', c.oid, format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN rel_refs r ON c.relname = r.name AND (r.schema IS NULL OR n.nspname = r.schema)
    UNION
    SELECT 't', t.oid, format('type %I.%I', n.nspname, t.typname) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      JOIN type_refs r ON t.typname = r.name AND (r.schema IS NULL OR n.nspname = r.schema)
  ),
  walk(kind, oid, via) AS (
    SELECT kind, oid, via FROM seed
    UNION
    SELECT CASE WHEN d.refclassid = 'pg_catalog.pg_proc'::regclass THEN 'f' WHEN d.refclassid = 'pg_catalog.pg_type'::regclass THEN 't' ELSE 'r' END,
           d.refobjid, COALESCE(w.via, 'function ' || w.oid::regprocedure::text)
    FROM walk w
    LEFT JOIN pg_catalog.pg_rewrite rw ON w.kind = 'r' AND rw.ev_class = w.oid
    LEFT JOIN pg_catalog.pg_policy pol ON w.kind = 'r' AND pol.polrelid = w.oid
    LEFT JOIN pg_catalog.pg_constraint con ON w.kind = 't' AND con.contypid = w.oid
    JOIN pg_catalog.pg_depend d
      ON (d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid)
      OR (d.classid = 'pg_catalog.pg_policy'::regclass AND d.objid = pol.oid)
      OR (d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid = con.oid)
      OR (w.kind = 'f' AND d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = w.oid)
    WHERE d.refclassid IN ('pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_class'::regclass, 'pg_catalog.pg_type'::regclass)
      AND d.deptype = 'n' AND d.refobjid <> w.oid
  )
SELECT 'f' AS what, n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
       e.extname AS extension, w.via, p.provolatile = 'v' AS volatile,
       CASE WHEN l.lanname = 'sql' AND p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_functiondef(p.oid)
            WHEN l.lanname = 'sql' THEN p.prosrc
            WHEN l.lanname = 'plpgsql' AND p.provolatile <> 'v' THEN pg_catalog.pg_get_functiondef(p.oid) END AS body,
       l.lanname AS lang
FROM walk w
JOIN pg_catalog.pg_proc p ON w.kind = 'f' AND p.oid = w.oid
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
LEFT JOIN pg_catalog.pg_depend ed ON ed.classid = 'pg_catalog.pg_proc'::regclass AND ed.objid = p.oid AND ed.deptype = 'e'
LEFT JOIN pg_catalog.pg_extension e ON e.oid = ed.refobjid
UNION ALL
SELECT 'v', NULL, NULL, NULL, NULL, w.via, false, pg_catalog.pg_get_viewdef(c.oid), NULL
FROM walk w JOIN pg_catalog.pg_class c ON w.kind = 'r' AND c.oid = w.oid AND c.relkind = 'v'
UNION ALL
SELECT 'p', NULL, NULL, NULL, NULL, w.via, false, 'SELECT ' || pg_catalog.pg_get_expr(x.expr, pol.polrelid), NULL
FROM walk w JOIN pg_catalog.pg_policy pol ON w.kind = 'r' AND pol.polrelid = w.oid
CROSS JOIN LATERAL (VALUES (pol.polqual), (pol.polwithcheck)) AS x(expr) WHERE x.expr IS NOT NULL
UNION ALL
SELECT 'd', NULL, NULL, NULL, NULL, w.via, false, 'SELECT ' || substr(pg_catalog.pg_get_constraintdef(con.oid), 7), NULL
FROM walk w JOIN pg_catalog.pg_constraint con ON w.kind = 't' AND con.contypid = w.oid AND con.contype = 'c'`;

interface CatalogRow extends VolatileRow {
  what: 'f' | 'v' | 'p' | 'd';
  body: string | null;
  lang: string | null;
}

/** How many levels of views in views (or functions in functions) are followed. */
const MAX_DEPTH = 6;

function columns(refs: NameRef[]): [Array<string | null>, string[]] {
  return [refs.map((r) => r.schema), refs.map((r) => r.name)];
}

const refKey = (r: NameRef) => `${r.schema ?? ''}.${r.name}`;

/** The names a definition's text uses (a view, a policy, a function body), from its parse tree. */
function refsOfText(sql: string): EffectRefs | null {
  try {
    return collectRefs(parseSync(sql));
  } catch {
    return null;
  }
}

/** The catalog's answer for one statement's names: the reasons it may write (empty: none). */
export async function volatileEffects(client: pg.Client, refs: EffectRefs): Promise<string[]> {
  const found = await catalogEffects(client, refs);
  return [...found.volatile, ...found.unknown];
}

/**
 * `volatile`: the volatile functions (not on the reviewed lists) it reaches; `unknown`: the
 * named functions the catalog does not know (created later in the script, or in a
 * transaction this connection cannot see), which may be anything.
 */
export async function catalogEffects(client: pg.Client, refs: EffectRefs): Promise<{ volatile: string[]; unknown: string[] }> {
  const volatile = new Set<string>();
  const unknown = new Set<string>();
  const asked = new Set<string>();
  let level: { refs: EffectRefs; via: string | null }[] = [{ refs, via: null }];
  for (let depth = 0; level.length > 0; depth++) {
    const next: typeof level = [];
    for (const item of level) {
      const fresh: EffectRefs = {
        functions: item.refs.functions.filter((r) => !asked.has(`f${refKey(r)}`)),
        operators: item.refs.operators.filter((r) => !asked.has(`o${refKey(r)}`)),
        relations: item.refs.relations.filter((r) => !asked.has(`r${refKey(r)}`)),
        types: item.refs.types.filter((r) => !asked.has(`t${refKey(r)}`)),
      };
      if (!hasRefs(fresh)) continue;
      if (depth >= MAX_DEPTH) {
        volatile.add(`reaches definitions nested more than ${MAX_DEPTH} deep${item.via ? ` through ${item.via}` : ''}, which the guard does not follow`);
        continue;
      }
      for (const r of fresh.functions) asked.add(`f${refKey(r)}`);
      for (const r of fresh.operators) asked.add(`o${refKey(r)}`);
      for (const r of fresh.relations) asked.add(`r${refKey(r)}`);
      for (const r of fresh.types) asked.add(`t${refKey(r)}`);
      const res = await client.query<CatalogRow>({
        text: CATALOG_SQL,
        values: [...columns(fresh.functions), ...columns(fresh.operators), ...columns(fresh.relations), ...columns(fresh.types)],
      });
      // The outermost name is the one the user wrote: report that.
      const via = (row: CatalogRow) => item.via ?? row.via;
      for (const row of res.rows) {
        if (row.what === 'f' && row.volatile && !allowed(row)) {
          const through = via(row);
          volatile.add(`calls volatile function ${row.schema}.${row.name}(${row.args})${through ? ` through ${through}` : ''}`);
        }
        if (row.body === null) continue;
        const through = row.what === 'f' ? (item.via ?? `function ${row.schema}.${row.name}(${row.args})`) : via(row);
        const reading = row.lang === 'plpgsql' ? readPlpgsql(row.body) : { refs: refsOfText(row.body), dynamic: false, unreadable: false };
        if (reading === null || reading.refs === null || reading.unreadable)
          volatile.add(`uses a definition the parser cannot read${through ? ` (${through})` : ''}`);
        if (reading !== null && reading.refs !== null) {
          if (reading.dynamic)
            volatile.add(
              `runs SQL built at run time (EXECUTE) in ${row.schema}.${row.name}(${row.args})${item.via ? ` through ${item.via}` : ''}, which the guard cannot read`,
            );
          next.push({ refs: reading.refs, via: through });
        }
      }
      if (depth === 0) {
        const named = new Set(res.rows.filter((r) => r.what === 'f' && r.via === null).map((r) => r.name));
        for (const ref of fresh.functions)
          if (!named.has(ref.name)) unknown.add(`calls ${ref.schema ? `${ref.schema}.` : ''}${ref.name}(), which the catalog does not know yet`);
      }
    }
    level = next;
  }
  return { volatile: [...volatile].sort(), unknown: [...unknown].sort() };
}

export interface ResolveOptions {
  /** The connection's transaction state: 'I' idle, 'T' open, 'E' failed. */
  txStatus: string | null;
}

const SAVEPOINT = 'ops_console_guard';

/**
 * Asks the catalog about every statement of a plan and turns the ones that may act outside
 * the transaction into writes. Runs on the connection that will run the script, so it sees
 * what that session's open transaction created; inside a transaction the lookups sit in a
 * savepoint, so their failure cannot abort it. In a failed transaction nothing can be asked:
 * every named function counts as a possible write.
 */
export async function resolveEffects(client: pg.Client, plans: PlannedStatement[], options: ResolveOptions): Promise<void> {
  // Only what the catalog could still turn into a write: writes and DDL already are one.
  const asking = plans.filter((p) => hasRefs(p.refs) && (p.kind === 'read' || p.kind === 'utility' || p.kind === 'transaction'));
  if (asking.length > 0) {
    if (options.txStatus === 'E') {
      for (const plan of asking) {
        plan.effects = plan.refs.functions.map((f) => `calls ${f.schema ? `${f.schema}.` : ''}${f.name}(), which cannot be looked up in a failed transaction`);
      }
    } else {
      const wrap = options.txStatus === 'T';
      if (wrap) await client.query(`SAVEPOINT ${SAVEPOINT}`);
      try {
        // A script of many alike statements asks once per distinct set of names.
        const memo = new Map<string, string[]>();
        for (const plan of asking) {
          const key = JSON.stringify(plan.refs);
          let effects = memo.get(key);
          if (!effects) {
            effects = await volatileEffects(client, plan.refs);
            memo.set(key, effects);
          }
          plan.effects = [...effects];
        }
      } finally {
        if (wrap) await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
      }
    }
  }
  for (const plan of plans) {
    const source = plan.inherits === null ? null : plans[plan.inherits];
    if (source && source.effects.length > 0) plan.effects = [...source.effects];
    if (source && source.kind === 'write' && plan.kind !== 'write') plan.kind = 'write';
    if (plan.effects.length > 0 && plan.kind !== 'ddl') plan.kind = 'write';
  }
}

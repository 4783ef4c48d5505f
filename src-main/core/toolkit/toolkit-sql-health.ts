// The ops toolkit's monitoring and maintenance functions, as SQL text (assembled into one
// migration by toolkit-sql.ts). Every function lives in the ops_toolkit schema, runs with
// the CALLER's rights (no SECURITY DEFINER: a DBA tool must not lend its owner's
// privileges to whoever may execute it), and pins search_path so an object planted in a
// schema on the caller's path cannot hijack an unqualified name.

import { CACHE_HIT_THRESHOLDS } from '../../contract/monitoring';

/** check_system_health(): one row per check, thresholds from the runbook's alert table (cache hit: the app's, one source). */
export const CHECK_SYSTEM_HEALTH = `
CREATE OR REPLACE FUNCTION ops_toolkit.check_system_health()
RETURNS TABLE (check_name text, status text, value numeric, unit text,
               warning_threshold numeric, critical_threshold numeric, details text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  max_conn integer := current_setting('max_connections')::integer;
  warn_conn numeric := least(60, floor(max_conn * 0.6));
  crit_conn numeric := least(80, floor(max_conn * 0.8));
  v numeric;
  n bigint;
  info text;
BEGIN
  -- Database size (runbook: warning above 8 GB, critical above 10 GB).
  v := round(pg_database_size(current_database()) / 1073741824.0, 3);
  RETURN QUERY SELECT 'database_size', ops_toolkit.grade(v, 8, 10), v, 'GB', 8::numeric, 10::numeric,
    pg_size_pretty(pg_database_size(current_database()));

  -- Client connections, cluster-wide: max_connections is a cluster limit.
  SELECT count(*) INTO n FROM pg_stat_activity WHERE backend_type = 'client backend';
  RETURN QUERY SELECT 'connections', ops_toolkit.grade(n, warn_conn, crit_conn), n::numeric, 'connections',
    warn_conn, crit_conn, format('%s of max_connections %s', n, max_conn);

  -- Longest running statement (runbook "Query Time": 5 s / 10 s).
  SELECT round(extract(epoch FROM now() - query_start)::numeric, 1), pid INTO v, n
    FROM pg_stat_activity
   WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
   ORDER BY query_start LIMIT 1;
  v := coalesce(v, 0);
  RETURN QUERY SELECT 'longest_query', ops_toolkit.grade(v, 5, 10), v, 'seconds', 5::numeric, 10::numeric,
    CASE WHEN n IS NULL THEN 'no other statement running' ELSE format('pid %s', n) END;

  -- Sessions idle in a transaction for over 10 minutes hold locks and block VACUUM.
  SELECT count(*) INTO n FROM pg_stat_activity
   WHERE state LIKE 'idle in transaction%' AND state_change < now() - interval '10 minutes';
  RETURN QUERY SELECT 'idle_in_transaction', ops_toolkit.grade(n, 0, 4), n::numeric, 'sessions', 0::numeric, 4::numeric,
    'sessions idle in a transaction for more than 10 minutes';

  SELECT count(*) INTO n FROM pg_stat_activity WHERE wait_event_type = 'Lock';
  RETURN QUERY SELECT 'blocked_queries', ops_toolkit.grade(n, 0, 5), n::numeric, 'sessions', 0::numeric, 5::numeric,
    'sessions waiting for a lock';

  -- Lower is worse here, so it is graded inline.
  SELECT round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2) INTO v
    FROM pg_stat_database WHERE datname = current_database();
  RETURN QUERY SELECT 'cache_hit_ratio',
    CASE WHEN v IS NULL THEN 'unknown' WHEN v < ${CACHE_HIT_THRESHOLDS.critical} THEN 'critical' WHEN v < ${CACHE_HIT_THRESHOLDS.warn} THEN 'warning' ELSE 'ok' END,
    v, '%', ${CACHE_HIT_THRESHOLDS.warn}::numeric, ${CACHE_HIT_THRESHOLDS.critical}::numeric, 'share of block reads served from shared buffers (warning below ${CACHE_HIT_THRESHOLDS.warn}, critical below ${CACHE_HIT_THRESHOLDS.critical}, as in the app)';

  SELECT age(datfrozenxid) INTO n FROM pg_database WHERE datname = current_database();
  RETURN QUERY SELECT 'transaction_id_age', ops_toolkit.grade(n, 500000000, 1000000000), n::numeric, 'transactions',
    500000000::numeric, 1000000000::numeric, 'age of the oldest unfrozen transaction id (wraparound at about 2.1 billion)';

  SELECT count(*), string_agg(format('%I.%I', schemaname, relname), ', ' ORDER BY n_dead_tup DESC)
    INTO n, info
    FROM pg_stat_user_tables WHERE n_dead_tup > 1000 AND n_dead_tup > 0.2 * n_live_tup;
  RETURN QUERY SELECT 'tables_needing_vacuum', ops_toolkit.grade(n, 0, 5), n::numeric, 'tables', 0::numeric, 5::numeric,
    coalesce('over 20% dead rows: ' || info, 'no table has over 20% dead rows');

  SELECT count(*), string_agg(slot_name::text, ', ') INTO n, info FROM pg_replication_slots WHERE NOT active;
  RETURN QUERY SELECT 'inactive_replication_slots', ops_toolkit.grade(n, 0, NULL), n::numeric, 'slots', 0::numeric, NULL::numeric,
    coalesce('inactive slots keep WAL on disk: ' || info, 'none');

  -- The shop's own alert (runbook "Low Stock": 5 / 10 items), when its inventory table exists.
  IF ops_toolkit.has_columns('public.inventory', ARRAY['status', 'is_active']) THEN
    EXECUTE 'SELECT count(*) FROM public.inventory WHERE status = ''low_stock'' AND is_active' INTO n;
    RETURN QUERY SELECT 'low_stock_items', ops_toolkit.grade(n, 5, 10), n::numeric, 'items', 5::numeric, 10::numeric,
      'active inventory rows with status low_stock';
  END IF;
END
$fn$;
`;

/** perform_routine_maintenance(): what a function may do (ANALYZE), and what it may not (VACUUM). */
export const PERFORM_ROUTINE_MAINTENANCE = `
CREATE OR REPLACE FUNCTION ops_toolkit.perform_routine_maintenance()
RETURNS TABLE (task text, target text, status text, details text, command text)
LANGUAGE plpgsql VOLATILE
-- ANALYZE waits for conflicting locks: give up on a busy table rather than queue DDL behind us.
SET search_path = pg_catalog, pg_temp SET lock_timeout = '3s'
AS $fn$
DECLARE
  t record;
  analyzed integer := 0;
  skipped integer := 0;
  to_vacuum integer := 0;
  db_owner oid := (SELECT datdba FROM pg_database WHERE datname = current_database());
BEGIN
  -- Statistics: tables changed by more than autovacuum's own threshold, or never analyzed.
  FOR t IN
    SELECT s.relid, format('%I.%I', s.schemaname, s.relname) AS name, s.n_mod_since_analyze, c.relowner
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE c.relkind = 'r'
       AND (s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
            OR (coalesce(s.last_analyze, s.last_autoanalyze) IS NULL AND s.n_live_tup > 0))
     ORDER BY s.n_mod_since_analyze DESC
  LOOP
    IF NOT (pg_has_role(t.relowner, 'USAGE') OR pg_has_role(db_owner, 'USAGE')) THEN
      skipped := skipped + 1;
      RETURN QUERY SELECT 'analyze', t.name, 'skipped', 'only the table or database owner may analyze it', format('ANALYZE %s;', t.name);
      CONTINUE;
    END IF;
    BEGIN
      EXECUTE format('ANALYZE %s', t.name);
      analyzed := analyzed + 1;
      RETURN QUERY SELECT 'analyze', t.name, 'done', format('%s rows changed since the last analyze', t.n_mod_since_analyze), NULL::text;
    EXCEPTION WHEN lock_not_available THEN
      skipped := skipped + 1;
      RETURN QUERY SELECT 'analyze', t.name, 'skipped', 'table busy (lock wait over 3 s); run it later', format('ANALYZE %s;', t.name);
    END;
  END LOOP;

  -- VACUUM cannot run inside a function (it needs its own transactions): list it instead.
  FOR t IN
    SELECT format('%I.%I', s.schemaname, s.relname) AS name, s.n_dead_tup, s.n_live_tup, age(c.relfrozenxid) AS xid_age
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE (s.n_dead_tup > 1000 AND s.n_dead_tup > 0.2 * s.n_live_tup)
        OR age(c.relfrozenxid) > 0.8 * current_setting('autovacuum_freeze_max_age')::bigint
     ORDER BY s.n_dead_tup DESC
  LOOP
    to_vacuum := to_vacuum + 1;
    RETURN QUERY SELECT 'vacuum', t.name, 'run outside a transaction',
      format('%s dead rows, %s live rows, oldest transaction id age %s', t.n_dead_tup, t.n_live_tup, t.xid_age),
      format('VACUUM (ANALYZE) %s;', t.name);
  END LOOP;

  -- Idle transactions hold back VACUUM everywhere; ending them is a decision for a person.
  RETURN QUERY
    SELECT 'idle_in_transaction', format('pid %s', a.pid), 'to review',
           format('%s on %s idle in a transaction since %s', a.usename, a.datname, a.state_change),
           format('SELECT pg_terminate_backend(%s);', a.pid)
      FROM pg_stat_activity a
     WHERE a.state LIKE 'idle in transaction%' AND a.state_change < now() - interval '10 minutes';

  RETURN QUERY SELECT 'summary', current_database()::text, 'done',
    format('analyzed %s table(s), skipped %s; %s table(s) need VACUUM, which cannot run inside a function: run the listed commands', analyzed, skipped, to_vacuum),
    NULL::text;
END
$fn$;
`;

/** get_storage_usage_stats(): the database, each table, and each storage bucket. */
export const GET_STORAGE_USAGE_STATS = `
CREATE OR REPLACE FUNCTION ops_toolkit.get_storage_usage_stats()
RETURNS TABLE (kind text, schema_name text, object_name text, row_estimate bigint, object_count bigint,
               table_bytes bigint, index_bytes bigint, toast_bytes bigint, total_bytes bigint,
               total_size text, share_pct numeric, note text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  db_bytes bigint := pg_database_size(current_database());
BEGIN
  RETURN QUERY SELECT 'database', NULL::text, current_database()::text, NULL::bigint, NULL::bigint,
    NULL::bigint, NULL::bigint, NULL::bigint, db_bytes, pg_size_pretty(db_bytes), 100::numeric, NULL::text;

  RETURN QUERY
    SELECT 'table', n.nspname::text, c.relname::text, greatest(c.reltuples, 0)::bigint, NULL::bigint,
           pg_relation_size(c.oid), pg_indexes_size(c.oid),
           CASE WHEN c.reltoastrelid = 0 THEN 0::bigint ELSE pg_total_relation_size(c.reltoastrelid) END,
           pg_total_relation_size(c.oid), pg_size_pretty(pg_total_relation_size(c.oid)),
           round(100.0 * pg_total_relation_size(c.oid) / nullif(db_bytes, 0), 2),
           CASE c.relkind WHEN 'm' THEN 'materialized view' END
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
       AND n.nspname NOT LIKE 'pg_temp%'
     ORDER BY pg_total_relation_size(c.oid) DESC;

  -- Supabase Storage keeps file metadata in storage.objects; the files themselves live
  -- outside the database, so their bytes are not part of the database size.
  IF ops_toolkit.has_columns('storage.objects', ARRAY['bucket_id', 'metadata']) THEN
    BEGIN
      RETURN QUERY EXECUTE $q$
        SELECT 'bucket', 'storage', bucket_id::text, NULL::bigint, count(*),
               NULL::bigint, NULL::bigint, NULL::bigint, sum(coalesce((metadata->>'size')::bigint, 0))::bigint,
               pg_size_pretty(sum(coalesce((metadata->>'size')::bigint, 0))), NULL::numeric,
               'file bytes held by the storage service, outside the database'
          FROM storage.objects GROUP BY bucket_id ORDER BY 9 DESC$q$;
    EXCEPTION WHEN insufficient_privilege THEN
      RETURN QUERY SELECT 'bucket', 'storage', NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
        NULL::bigint, NULL::bigint, NULL::text, NULL::numeric, 'storage.objects exists but this role may not read it';
    END;
  END IF;
END
$fn$;
`;

/** analyze_index_usage(): every index, least used (and largest) first. */
export const ANALYZE_INDEX_USAGE = `
CREATE OR REPLACE FUNCTION ops_toolkit.analyze_index_usage()
RETURNS TABLE (schema_name text, table_name text, index_name text, idx_scan bigint, idx_tup_read bigint,
               idx_tup_fetch bigint, index_bytes bigint, index_size text, table_seq_scan bigint,
               is_unique boolean, is_primary boolean, is_valid boolean, assessment text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT s.schemaname::text, s.relname::text, s.indexrelname::text, s.idx_scan, s.idx_tup_read, s.idx_tup_fetch,
         pg_relation_size(s.indexrelid), pg_size_pretty(pg_relation_size(s.indexrelid)), t.seq_scan,
         i.indisunique, i.indisprimary, i.indisvalid,
         CASE
           WHEN NOT i.indisvalid THEN 'invalid (a failed concurrent build): drop and rebuild it'
           WHEN s.idx_scan = 0 AND (i.indisunique OR i.indisprimary) THEN 'never scanned, but it enforces uniqueness'
           WHEN s.idx_scan = 0 AND EXISTS (SELECT 1 FROM pg_constraint fk
                           WHERE fk.contype = 'f' AND fk.conrelid = i.indrelid
                             AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(fk.conkey)] = fk.conkey)
             THEN 'never scanned, but it serves a foreign key (deletes and updates of the referenced rows)'
           WHEN s.idx_scan = 0 THEN 'never scanned since statistics were reset: candidate to drop'
           WHEN s.idx_scan < 100 THEN 'rarely used'
           ELSE 'in use'
         END
    FROM pg_stat_user_indexes s
    JOIN pg_index i ON i.indexrelid = s.indexrelid
    JOIN pg_stat_user_tables t ON t.relid = s.relid
   ORDER BY s.idx_scan, pg_relation_size(s.indexrelid) DESC, 1, 2, 3
$fn$;
`;

/** find_unused_indexes(): never-scanned indexes that enforce nothing, with the DROP to run. */
export const FIND_UNUSED_INDEXES = `
CREATE OR REPLACE FUNCTION ops_toolkit.find_unused_indexes()
RETURNS TABLE (schema_name text, table_name text, index_name text, index_bytes bigint, index_size text,
               idx_scan bigint, index_definition text, stats_since timestamptz, drop_statement text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT s.schemaname::text, s.relname::text, s.indexrelname::text,
         pg_relation_size(s.indexrelid), pg_size_pretty(pg_relation_size(s.indexrelid)), s.idx_scan,
         pg_get_indexdef(s.indexrelid),
         (SELECT coalesce(d.stats_reset, pg_postmaster_start_time()) FROM pg_stat_database d WHERE d.datname = current_database()),
         format('DROP INDEX CONCURRENTLY %I.%I;', s.schemaname, s.indexrelname)
    FROM pg_stat_user_indexes s
    JOIN pg_index i ON i.indexrelid = s.indexrelid
   WHERE s.idx_scan = 0
     AND i.indisvalid AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
     -- An index on a foreign key's columns keeps deletes of referenced rows from scanning
     -- the whole table: unused until the day it matters.
     AND NOT EXISTS (SELECT 1 FROM pg_constraint fk
                         WHERE fk.contype = 'f' AND fk.conrelid = i.indrelid
                           AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(fk.conkey)] = fk.conkey)
   ORDER BY pg_relation_size(s.indexrelid) DESC, 1, 2, 3
$fn$;
`;

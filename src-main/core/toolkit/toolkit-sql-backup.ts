// The ops toolkit's backup, recovery and storage-cleanup functions, as SQL text (see
// toolkit-sql-health.ts for the rules every toolkit function follows).

/** Shared by create_backup_metadata and validate_recovery: which tables are counted. */
const USER_TABLES = `
  SELECT c.oid, n.nspname, c.relname, c.reltuples
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND c.relpersistence = 'p'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'ops_toolkit')
     AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

/** Tables above this many estimated rows are recorded by estimate, not counted. */
const EXACT_COUNT_LIMIT = 5_000_000;

/** create_backup_metadata(type, description): a row restore validation can compare against. */
export const CREATE_BACKUP_METADATA = `
CREATE OR REPLACE FUNCTION ops_toolkit.create_backup_metadata(backup_type text, description text DEFAULT NULL)
RETURNS ops_toolkit.backup_metadata
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  t record;
  counts jsonb := '{}'::jsonb;
  estimated text[] := '{}';
  skipped text[] := '{}';
  total bigint := 0;
  n bigint;
  name text;
  result ops_toolkit.backup_metadata;
BEGIN
  IF coalesce(btrim(backup_type), '') = '' THEN
    RAISE EXCEPTION 'backup_type must not be empty' USING HINT = 'for example ''pre_operation'', ''daily'', ''dr_drill''';
  END IF;
  FOR t IN ${USER_TABLES} ORDER BY 2, 3 LOOP
    name := format('%I.%I', t.nspname, t.relname);
    IF NOT has_table_privilege(t.oid, 'SELECT') THEN
      skipped := skipped || name;
      CONTINUE;
    END IF;
    IF t.reltuples > ${EXACT_COUNT_LIMIT} THEN
      n := t.reltuples::bigint;
      estimated := estimated || name;
    ELSE
      EXECUTE format('SELECT count(*) FROM %s', name) INTO n;
    END IF;
    counts := counts || jsonb_build_object(name, n);
    total := total + n;
  END LOOP;
  INSERT INTO ops_toolkit.backup_metadata
    (backup_type, description, server_version, wal_lsn, database_bytes, table_count, total_rows,
     row_counts, estimated_tables, skipped_tables)
  VALUES
    (btrim(backup_type), description, current_setting('server_version'),
     CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,
     pg_database_size(current_database()), (SELECT count(*) FROM jsonb_object_keys(counts)), total,
     counts, estimated, skipped)
  RETURNING * INTO result;
  RETURN result;
END
$fn$;
`;

/** validate_backup_integrity(): what the server can tell about the backups it feeds. */
export const VALIDATE_BACKUP_INTEGRITY = `
CREATE OR REPLACE FUNCTION ops_toolkit.validate_backup_integrity()
RETURNS TABLE (check_name text, status text, value text, details text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m ops_toolkit.backup_metadata;
  a record;
  n bigint;
  info text;
BEGIN
  SELECT * INTO m FROM ops_toolkit.backup_metadata ORDER BY created_at DESC, id DESC LIMIT 1;
  IF m.id IS NULL THEN
    RETURN QUERY SELECT 'latest_backup_metadata', 'warning', NULL::text,
      'no backup metadata recorded: run SELECT create_backup_metadata(''pre_operation'', ''…'') before each backup';
  ELSE
    RETURN QUERY SELECT 'latest_backup_metadata',
      CASE WHEN m.created_at < now() - interval '7 days' THEN 'warning' ELSE 'ok' END,
      m.created_at::text,
      format('#%s %s (%s), LSN %s, %s rows in %s tables', m.id, m.backup_type, coalesce(m.description, 'no description'),
             m.wal_lsn, m.total_rows, m.table_count);
  END IF;

  IF current_setting('archive_mode') = 'off' THEN
    RETURN QUERY SELECT 'wal_archiving', 'warning', 'off',
      'archive_mode is off: this server keeps no WAL archive for point-in-time recovery (managed platforms such as Supabase archive outside the server''s settings: check their dashboard)';
  ELSE
    SELECT * INTO a FROM pg_stat_archiver;
    RETURN QUERY SELECT 'wal_archiving',
      CASE WHEN a.last_failed_time IS NOT NULL AND (a.last_archived_time IS NULL OR a.last_failed_time > a.last_archived_time)
           THEN 'critical' ELSE 'ok' END,
      coalesce(a.last_archived_time::text, 'never'),
      format('%s WAL files archived, %s failures (last failure %s on %s)', a.archived_count, a.failed_count,
             coalesce(a.last_failed_time::text, 'never'), coalesce(a.last_failed_wal, '-'));
  END IF;

  RETURN QUERY SELECT 'data_checksums',
    CASE WHEN current_setting('data_checksums') = 'on' THEN 'ok' ELSE 'warning' END,
    current_setting('data_checksums'),
    CASE WHEN current_setting('data_checksums') = 'on' THEN 'page checksums are verified on read'
         ELSE 'no page checksums: a corrupted page would be copied into backups unnoticed' END;

  SELECT coalesce(checksum_failures, 0) INTO n FROM pg_stat_database WHERE datname = current_database();
  RETURN QUERY SELECT 'checksum_failures', CASE WHEN n > 0 THEN 'critical' ELSE 'ok' END, n::text,
    'page checksum failures detected in this database';

  SELECT count(*), string_agg(format('%I.%I', n2.nspname, c.relname), ', ') INTO n, info
    FROM pg_class c JOIN pg_namespace n2 ON n2.oid = c.relnamespace
   WHERE c.relkind = 'r' AND c.relpersistence = 'u';
  RETURN QUERY SELECT 'unlogged_tables', CASE WHEN n > 0 THEN 'warning' ELSE 'ok' END, n::text,
    coalesce('not in WAL, so absent from point-in-time recovery and replicas: ' || info, 'none');

  SELECT count(*), string_agg(i.indexrelid::regclass::text, ', ') INTO n, info
    FROM pg_index i WHERE NOT i.indisvalid;
  RETURN QUERY SELECT 'invalid_indexes', CASE WHEN n > 0 THEN 'warning' ELSE 'ok' END, n::text,
    coalesce('left by failed concurrent builds; not usable and not dumped: ' || info, 'none');
END
$fn$;
`;

/** validate_recovery(baseline): compares the database now with a backup metadata row. */
export const VALIDATE_RECOVERY = `
CREATE OR REPLACE FUNCTION ops_toolkit.validate_recovery(baseline_id bigint DEFAULT NULL)
RETURNS TABLE (check_name text, status text, expected text, actual text, details text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m ops_toolkit.backup_metadata;
  t record;
  s record;
  n bigint;
  mx numeric;
  behind text[] := '{}';
BEGIN
  IF baseline_id IS NULL THEN
    SELECT * INTO m FROM ops_toolkit.backup_metadata ORDER BY created_at DESC, id DESC LIMIT 1;
  ELSE
    SELECT * INTO m FROM ops_toolkit.backup_metadata WHERE id = baseline_id;
  END IF;

  RETURN QUERY SELECT 'recovery_mode', CASE WHEN pg_is_in_recovery() THEN 'warning' ELSE 'ok' END,
    'false', pg_is_in_recovery()::text,
    CASE WHEN pg_is_in_recovery() THEN 'the server is still replaying WAL or is a standby' ELSE 'accepting writes' END;

  IF m.id IS NULL THEN
    RETURN QUERY SELECT 'baseline', 'warning', NULL::text, NULL::text,
      CASE WHEN baseline_id IS NULL THEN 'no backup metadata: row counts cannot be compared (record one with create_backup_metadata before the next backup)'
           ELSE format('backup metadata #%s does not exist', baseline_id) END;
  ELSE
    RETURN QUERY SELECT 'baseline', 'ok', format('#%s', m.id), m.created_at::text,
      format('%s (%s) at LSN %s on %s', m.backup_type, coalesce(m.description, 'no description'), m.wal_lsn, m.database_name);
    -- Every table of the baseline: still there, and how its row count moved.
    FOR t IN
      SELECT b.key AS name, b.value::bigint AS expected, to_regclass(b.key) AS rel,
             b.key = ANY (m.estimated_tables) AS estimated
        FROM jsonb_each_text(m.row_counts) b ORDER BY 1
    LOOP
      IF t.rel IS NULL THEN
        RETURN QUERY SELECT 'row_count:' || t.name, 'critical', t.expected::text, NULL::text, 'table missing';
        CONTINUE;
      END IF;
      IF t.estimated THEN
        SELECT greatest(reltuples, 0)::bigint INTO n FROM pg_class WHERE oid = t.rel;
      ELSE
        EXECUTE format('SELECT count(*) FROM %s', t.rel) INTO n;
      END IF;
      RETURN QUERY SELECT 'row_count:' || t.name,
        CASE WHEN n = 0 AND t.expected > 0 THEN 'critical' WHEN n < t.expected AND NOT t.estimated THEN 'warning' ELSE 'ok' END,
        t.expected::text, n::text,
        CASE WHEN t.estimated THEN 'estimated (large table)'
             WHEN n = t.expected THEN 'same as the baseline'
             WHEN n > t.expected THEN format('%s more rows than the baseline', n - t.expected)
             ELSE format('%s fewer rows than the baseline', t.expected - n) END;
    END LOOP;
  END IF;

  -- Sequences behind their column's data (a data-only restore that skipped setval) make
  -- the next INSERT fail on a duplicate key.
  FOR s IN
    SELECT d.objid::regclass AS seq, d.refobjid::regclass AS tbl, a.attname
      FROM pg_depend d
      JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
      JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      JOIN pg_namespace n2 ON n2.oid = sc.relnamespace
     WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       AND n2.nspname NOT IN ('pg_catalog', 'information_schema')
       AND has_sequence_privilege(d.objid, 'SELECT') AND has_table_privilege(d.refobjid, 'SELECT')
  LOOP
    EXECUTE format('SELECT max(%I)::numeric FROM %s', s.attname, s.tbl) INTO mx;
    EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s', s.seq) INTO n;
    IF mx IS NOT NULL AND mx > n THEN
      behind := behind || format('%s (at %s, %s.%I reaches %s): SELECT setval(%L, %s);', s.seq, n, s.tbl, s.attname, mx, s.seq::text, mx);
    END IF;
  END LOOP;
  RETURN QUERY SELECT 'sequences', CASE WHEN cardinality(behind) > 0 THEN 'critical' ELSE 'ok' END,
    '0', cardinality(behind)::text,
    coalesce(nullif(array_to_string(behind, ' '), ''), 'every owned sequence is ahead of its column');

  SELECT count(*) INTO n FROM pg_index WHERE NOT indisvalid;
  RETURN QUERY SELECT 'invalid_indexes', CASE WHEN n > 0 THEN 'critical' ELSE 'ok' END, '0', n::text,
    'indexes left unusable by a failed build';

  SELECT count(*) INTO n FROM pg_constraint c JOIN pg_namespace n2 ON n2.oid = c.connamespace
   WHERE NOT c.convalidated AND n2.nspname NOT IN ('pg_catalog', 'information_schema');
  RETURN QUERY SELECT 'unvalidated_constraints', CASE WHEN n > 0 THEN 'warning' ELSE 'ok' END, '0', n::text,
    'constraints marked NOT VALID: existing rows were never checked';
END
$fn$;
`;

/** prepare_disaster_recovery(): a baseline for the drill and what the target will need. */
export const PREPARE_DISASTER_RECOVERY = `
CREATE OR REPLACE FUNCTION ops_toolkit.prepare_disaster_recovery(record_baseline boolean DEFAULT true)
RETURNS TABLE (item text, status text, value text, details text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  m ops_toolkit.backup_metadata;
  worst text;
BEGIN
  IF record_baseline THEN
    m := ops_toolkit.create_backup_metadata('dr_drill', 'baseline recorded by prepare_disaster_recovery()');
  ELSE
    SELECT * INTO m FROM ops_toolkit.backup_metadata ORDER BY created_at DESC, id DESC LIMIT 1;
  END IF;
  RETURN QUERY SELECT 'baseline', CASE WHEN m.id IS NULL THEN 'warning' ELSE 'ok' END,
    CASE WHEN m.id IS NULL THEN NULL ELSE format('#%s', m.id) END,
    CASE WHEN m.id IS NULL THEN 'no baseline: validate_recovery() will have nothing to compare with'
         ELSE format('LSN %s, %s rows in %s tables: after the drill run SELECT * FROM validate_recovery(%s)', m.wal_lsn, m.total_rows, m.table_count, m.id) END;

  RETURN QUERY SELECT 'server_version', 'info', current_setting('server_version'),
    'the restore target needs this major version or a newer one';
  RETURN QUERY SELECT 'database_size', 'info', pg_size_pretty(pg_database_size(current_database())),
    'restore time grows with this; compare with the RTO';

  RETURN QUERY SELECT 'extension:' || e.extname, 'info', e.extversion, 'must be available on the target'
    FROM pg_extension e WHERE e.extname <> 'plpgsql' ORDER BY e.extname;

  RETURN QUERY SELECT 'object_owners', 'info', string_agg(DISTINCT pg_get_userbyid(c.relowner), ', '),
    'create these roles on the target, or restore with --no-owner'
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%';

  RETURN QUERY SELECT 'replication_slot:' || s.slot_name, 'warning', s.slot_type,
    'slots are not part of a backup: recreate them on the new primary'
    FROM pg_replication_slots s WHERE s.database IS NULL OR s.database = current_database();

  SELECT CASE WHEN bool_or(v.status = 'critical') THEN 'critical' WHEN bool_or(v.status = 'warning') THEN 'warning' ELSE 'ok' END
    INTO worst FROM ops_toolkit.validate_backup_integrity() v;
  RETURN QUERY SELECT 'backup_integrity', worst, worst, 'worst result of validate_backup_integrity()';
END
$fn$;
`;

/**
 * cleanup_orphaned_images(dry_run, buckets): storage objects no design points to, and
 * design previews pointing at objects that are gone. Storage objects are only ever
 * REPORTED: deleting storage.objects rows with SQL leaves the file in the bucket
 * (Supabase: "always delete via the Storage API"). Only dangling references are cleared,
 * and only when dry_run is false.
 */
export const CLEANUP_ORPHANED_IMAGES = `
CREATE OR REPLACE FUNCTION ops_toolkit.cleanup_orphaned_images(dry_run boolean DEFAULT true, buckets text[] DEFAULT NULL)
RETURNS TABLE (kind text, bucket text, image_ref text, size_bytes bigint, created_at timestamptz, action text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  has_designs boolean := ops_toolkit.has_columns('public.designs', ARRAY['preview_image_url']);
  has_storage boolean := ops_toolkit.has_columns('storage.objects', ARRAY['bucket_id', 'name', 'metadata', 'created_at']);
  orphans bigint := 0;
  dangling bigint := 0;
  cleared bigint := 0;
BEGIN
  IF has_designs AND has_storage THEN
    -- A design refers to "bucket/name" through a Storage URL (…/storage/v1/object/public/bucket/name?…).
    CREATE TEMP TABLE IF NOT EXISTS ops_toolkit_image_refs (ref text PRIMARY KEY) ON COMMIT DROP;
    TRUNCATE ops_toolkit_image_refs;
    INSERT INTO ops_toolkit_image_refs
      SELECT DISTINCT regexp_replace(split_part(preview_image_url, '?', 1), '^.*/storage/v1/object/(public|sign|authenticated)/', '')
        FROM public.designs WHERE preview_image_url LIKE '%/storage/v1/object/%'
      ON CONFLICT DO NOTHING;
    -- Default buckets: those the designs' images live in; other buckets (avatars…) are not ours to judge.
    buckets := coalesce(buckets, (SELECT array_agg(DISTINCT split_part(ref, '/', 1)) FROM ops_toolkit_image_refs), '{}');

    RETURN QUERY EXECUTE $q$
      SELECT 'orphaned_object', o.bucket_id::text, o.name::text, (o.metadata->>'size')::bigint, o.created_at,
             format('no design refers to it: delete it with the Storage API, e.g. supabase.storage.from(%L).remove([%L]); never with SQL', o.bucket_id, o.name)
        FROM storage.objects o
       WHERE o.bucket_id = ANY ($1)
         AND NOT EXISTS (SELECT 1 FROM ops_toolkit_image_refs r WHERE r.ref = o.bucket_id || '/' || o.name)
       ORDER BY o.created_at$q$ USING buckets;
    GET DIAGNOSTICS orphans = ROW_COUNT;

    RETURN QUERY EXECUTE $q$
      SELECT 'dangling_reference', split_part(r.ref, '/', 1), d.preview_image_url, NULL::bigint, d.created_at,
             CASE WHEN $1 THEN format('design %s points to a missing object: would set preview_image_url to NULL', d.id)
                  ELSE format('design %s pointed to a missing object: preview_image_url set to NULL', d.id) END
        FROM public.designs d
        JOIN ops_toolkit_image_refs r
          ON r.ref = regexp_replace(split_part(d.preview_image_url, '?', 1), '^.*/storage/v1/object/(public|sign|authenticated)/', '')
       WHERE split_part(r.ref, '/', 1) = ANY ($2)
         AND NOT EXISTS (SELECT 1 FROM storage.objects o WHERE o.bucket_id || '/' || o.name = r.ref)
       ORDER BY d.created_at$q$ USING dry_run, buckets;
    GET DIAGNOSTICS dangling = ROW_COUNT;

    IF NOT dry_run AND dangling > 0 THEN
      EXECUTE $q$
        UPDATE public.designs d SET preview_image_url = NULL
         WHERE regexp_replace(split_part(d.preview_image_url, '?', 1), '^.*/storage/v1/object/(public|sign|authenticated)/', '') IN (
               SELECT r.ref FROM ops_toolkit_image_refs r
                WHERE split_part(r.ref, '/', 1) = ANY ($1)
                  AND NOT EXISTS (SELECT 1 FROM storage.objects o WHERE o.bucket_id || '/' || o.name = r.ref))$q$ USING buckets;
      GET DIAGNOSTICS cleared = ROW_COUNT;
    END IF;
  END IF;

  RETURN QUERY SELECT 'summary', NULL::text, NULL::text, NULL::bigint, now(),
    CASE
      WHEN NOT has_designs THEN 'nothing checked: no public.designs.preview_image_url column'
      WHEN NOT has_storage THEN 'nothing checked: no storage.objects table (images are not stored in this database)'
      ELSE format('%s: %s orphaned object(s) in %s (report only: remove them with the Storage API); %s dangling reference(s)%s',
                  CASE WHEN dry_run THEN 'dry run, nothing changed' ELSE 'cleanup' END,
                  orphans, coalesce(nullif(array_to_string(buckets, ', '), ''), 'no bucket'), dangling,
                  CASE WHEN dry_run THEN ' (run with dry_run => false to clear them)' ELSE format(', %s cleared', cleared) END)
    END;
END
$fn$;
`;

// Tables and storage: sizes split into heap, indexes and TOAST, row estimates, dead tuples
// (the cheap bloat estimate: no pgstattuple scan), last (auto)vacuum/analyze, sequences by
// how much of their range is spent, and Supabase Storage buckets when storage.objects exists.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { TableReport, TableStats } from '../../contract/monitoring';
import { isoOrNull, num, numOrNull, optionalPart, readReport, type ReportDeps } from './report-read';

/** The fullest sequences only: the rest are far from their end and only make the list long. */
const SEQUENCE_LIMIT = 200;

interface TableRow {
  schema: string;
  table: string;
  table_bytes: string;
  index_bytes: string;
  toast_bytes: string;
  row_estimate: string;
  dead_tuples: string;
  dead_pct: number;
  last_vacuum: Date | null;
  last_autovacuum: Date | null;
  last_analyze: Date | null;
  last_autoanalyze: Date | null;
}

interface SequenceRow {
  schema: string;
  sequence: string;
  last_value: string | null;
  max_value: string;
  pct_used: number;
}

interface StorageRow {
  objects_table: boolean;
  has_bucket: boolean;
  has_metadata: boolean;
}

/**
 * heap = everything of the table but its TOAST (main fork, free space and visibility maps);
 * TOAST = the TOAST table and its index; the three add up to pg_total_relation_size.
 * reltuples is -1 before the first VACUUM/ANALYZE (14+): the statistics' live count then.
 */
// Each size function runs once per table (LATERAL): with thousands of tables the file
// system calls behind them are most of the report's cost (bench/monitoring.ts), and
// pg_total_relation_size in ORDER BY would measure every file again.
const TABLES_SQL = `
SELECT s.schemaname AS schema, s.relname AS "table",
       z.with_toast - z.toast AS table_bytes,
       z.indexes AS index_bytes,
       z.toast AS toast_bytes,
       (CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples END)::int8 AS row_estimate,
       s.n_dead_tup AS dead_tuples,
       COALESCE(round(100.0 * s.n_dead_tup / NULLIF(s.n_live_tup + s.n_dead_tup, 0), 1), 0)::float8 AS dead_pct,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
CROSS JOIN LATERAL (
  SELECT pg_table_size(s.relid) AS with_toast,
         pg_indexes_size(s.relid) AS indexes,
         COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS toast
) z
ORDER BY z.with_toast + z.indexes DESC, s.schemaname, s.relname`;

/** Share of the range already used, in the sequence's own direction. */
const SEQUENCES_SQL = `
SELECT schemaname AS schema, sequencename AS sequence, last_value, max_value,
       COALESCE(round(100.0 * CASE WHEN increment_by > 0 THEN (last_value::numeric - min_value) ELSE (max_value::numeric - last_value) END
                      / NULLIF(max_value::numeric - min_value, 0), 2), 0)::float8 AS pct_used
FROM pg_sequences
ORDER BY pct_used DESC, schemaname, sequencename
LIMIT ${SEQUENCE_LIMIT}`;

const STORAGE_SQL = `
SELECT to_regclass('storage.objects') IS NOT NULL AS objects_table,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('storage.objects') AND attname = 'bucket_id' AND NOT attisdropped) AS has_bucket,
       EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('storage.objects') AND attname = 'metadata' AND NOT attisdropped) AS has_metadata`;

/** Supabase keeps an object's size in metadata.size (text in JSON); anything not a plain integer counts as 0. */
function bucketsSql(hasMetadata: boolean): string {
  const bytes = hasMetadata ? `COALESCE(sum(CASE WHEN o.metadata->>'size' ~ '^[0-9]{1,18}$' THEN (o.metadata->>'size')::int8 END), 0)` : '0';
  return `SELECT o.bucket_id::text AS bucket, count(*) AS objects, ${bytes} AS bytes FROM storage.objects o GROUP BY o.bucket_id ORDER BY 3 DESC, 1`;
}

function toTableStats(r: TableRow): TableStats {
  return {
    schema: r.schema,
    table: r.table,
    tableBytes: num(r.table_bytes),
    indexBytes: num(r.index_bytes),
    toastBytes: num(r.toast_bytes),
    rowEstimate: num(r.row_estimate),
    deadTuples: num(r.dead_tuples),
    deadPct: r.dead_pct,
    lastVacuum: isoOrNull(r.last_vacuum),
    lastAutovacuum: isoOrNull(r.last_autovacuum),
    lastAnalyze: isoOrNull(r.last_analyze),
    lastAutoanalyze: isoOrNull(r.last_autoanalyze),
  };
}

async function readBuckets(client: pg.Client): Promise<TableReport['buckets']> {
  const storage = (await client.query<StorageRow>(STORAGE_SQL)).rows[0];
  if (!storage?.objects_table || !storage.has_bucket) return null;
  // A role without SELECT on storage.objects sees no buckets rather than no report.
  return optionalPart(
    client,
    async () => {
      const rows = (await client.query<{ bucket: string | null; objects: string; bytes: string }>(bucketsSql(storage.has_metadata))).rows;
      return rows.map((r) => ({ bucket: r.bucket ?? '(none)', objects: num(r.objects), bytes: num(r.bytes) }));
    },
    () => null,
  );
}

async function readTableReport(client: pg.Client): Promise<TableReport> {
  const tables = (await client.query<TableRow>(TABLES_SQL)).rows.map(toTableStats);
  const sequences = (await client.query<SequenceRow>(SEQUENCES_SQL)).rows.map((r) => ({
    schema: r.schema,
    sequence: r.sequence,
    lastValue: numOrNull(r.last_value),
    maxValue: num(r.max_value),
    pctUsed: r.pct_used,
  }));
  return { tables, sequences, buckets: await readBuckets(client) };
}

export function getTableReport(deps: ReportDeps, profile: Profile, password?: string): Promise<TableReport> {
  return readReport(deps, profile, password, 'table statistics', readTableReport);
}

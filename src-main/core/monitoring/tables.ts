// Tables and storage: sizes split into heap, indexes and TOAST, row estimates, dead tuples
// (the cheap bloat estimate: no pgstattuple scan), last (auto)vacuum/analyze, sequences by
// how much of their range is spent, and Supabase Storage buckets when storage.objects exists.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { TableReport, TableStats } from '../../contract/monitoring';
import { isPlatformSchema } from '../../contract/platform-schemas';
import { isoOrNull, num, numOrNull, optionalPart, readCatalogReport, type ReportDeps } from './report-read';

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
  column_name: string | null;
  column_type: string | null;
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
// Each file is measured once per table (LATERAL): with thousands of tables the file system
// calls behind the size functions are most of the report's cost (bench/monitoring.ts). The
// heap is the sum of its forks, not pg_table_size minus the TOAST: pg_table_size measures the
// TOAST table and its index too, and they were measured a second time for the TOAST column.
export const TABLES_SQL = `
SELECT s.schemaname AS schema, s.relname AS "table",
       z.heap AS table_bytes,
       z.indexes AS index_bytes,
       z.toast AS toast_bytes,
       (CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples END)::int8 AS row_estimate,
       s.n_dead_tup AS dead_tuples,
       COALESCE(round(100.0 * s.n_dead_tup / NULLIF(s.n_live_tup + s.n_dead_tup, 0), 1), 0)::float8 AS dead_pct,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
CROSS JOIN LATERAL (
  SELECT pg_relation_size(s.relid, 'main') + pg_relation_size(s.relid, 'fsm') + pg_relation_size(s.relid, 'vm') + pg_relation_size(s.relid, 'init') AS heap,
         pg_indexes_size(s.relid) AS indexes,
         COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0) AS toast
) z
ORDER BY z.heap + z.toast + z.indexes DESC, s.schemaname, s.relname`;

/**
 * Share of the range already used, in the sequence's own direction, measured against what
 * the columns it feeds can hold (as PgHero does): a bigint sequence (CREATE SEQUENCE's
 * default) behind an int4 column fails inserts at 2^31-1, long before its own maximum.
 * The columns are found in pg_depend, not from default expressions' text: OWNED BY ('a')
 * and identity ('i') sequences depend on their column; a column default calling nextval()
 * depends on the sequence, whoever owns it. The column whose type ends the range soonest
 * is reported; domains are read through to their base type.
 */
export const SEQUENCES_SQL = `
WITH used_by AS (
  SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS attnum
  FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
  UNION
  SELECT d.refobjid, ad.adrelid, ad.adnum
  FROM pg_depend d
  JOIN pg_attrdef ad ON ad.oid = d.objid
  WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
), fed AS (
  SELECT u.seq, format('%I.%I.%I', n.nspname, c.relname, a.attname) AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type,
         CASE COALESCE(NULLIF(t.typbasetype, 0), t.oid)
           WHEN 'int2'::regtype THEN 32767::numeric WHEN 'int4'::regtype THEN 2147483647::numeric WHEN 'int8'::regtype THEN 9223372036854775807::numeric END AS type_max,
         CASE COALESCE(NULLIF(t.typbasetype, 0), t.oid)
           WHEN 'int2'::regtype THEN -32768::numeric WHEN 'int4'::regtype THEN -2147483648::numeric WHEN 'int8'::regtype THEN -9223372036854775808::numeric END AS type_min
  FROM used_by u
  JOIN pg_class c ON c.oid = u.rel
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = u.rel AND a.attnum = u.attnum AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
), seqs AS (
  SELECT n.nspname AS schema, c.relname AS sequence, q.seqincrement AS inc, q.seqmin::numeric AS lo, q.seqmax::numeric AS hi,
         CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(c.oid) END AS last_value, lim.*
  FROM pg_sequence q
  JOIN pg_class c ON c.oid = q.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
    SELECT f.column_name, f.column_type, f.type_max, f.type_min FROM fed f
    WHERE f.seq = c.oid AND (CASE WHEN q.seqincrement > 0 THEN f.type_max < q.seqmax ELSE f.type_min > q.seqmin END)
    ORDER BY CASE WHEN q.seqincrement > 0 THEN f.type_max ELSE -f.type_min END
    LIMIT 1
  ) lim ON true
  WHERE NOT pg_is_other_temp_schema(c.relnamespace)
), bounded AS (
  SELECT s.*, CASE WHEN s.inc > 0 THEN COALESCE(s.type_max, s.hi) ELSE s.hi END AS end_hi, CASE WHEN s.inc > 0 THEN s.lo ELSE COALESCE(s.type_min, s.lo) END AS end_lo
  FROM seqs s
)
SELECT schema, sequence, last_value, end_hi AS max_value, column_name, column_type,
       COALESCE(round(100.0 * CASE WHEN inc > 0 THEN (last_value::numeric - end_lo) ELSE (end_hi - last_value::numeric) END
                      / NULLIF(end_hi - end_lo, 0), 2), 0)::float8 AS pct_used
FROM bounded
ORDER BY pct_used DESC, schema, sequence
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
    platform: isPlatformSchema(r.schema),
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
    lastValueText: r.last_value === null ? null : String(r.last_value),
    maxValueText: String(r.max_value),
    pctUsed: r.pct_used,
    column: r.column_name,
    columnType: r.column_type,
  }));
  return { tables, sequences, buckets: await readBuckets(client) };
}

export function getTableReport(deps: ReportDeps, profile: Profile, password?: string): Promise<TableReport> {
  return readCatalogReport(deps, profile, password, 'table statistics', readTableReport);
}

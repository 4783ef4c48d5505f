// Index health, PgHero-style: usage per index, unused / duplicate / overlapping / invalid
// indexes and tables that look like they miss one. Two catalog reads in one read-only
// transaction (cheap even with thousands of indexes); the comparisons run here, on the
// catalog's own key representation (indkey, opclasses, collations, sort options,
// expressions, predicate), never on index names or definitions' text. Indexes in
// platform-managed schemas (auth, storage… see contract/platform-schemas.ts) are listed
// but never advised for dropping.
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import type { IndexReport, IndexUsage } from '../../contract/monitoring';
import { isPlatformSchema } from '../../contract/platform-schemas';
import { isoOrNull, num, readCatalogReport, type ReportDeps } from './report-read';

/**
 * "Missing index" hints: a table qualifies when it has at least this many live rows (below
 * that a sequential scan is as cheap as an index), is scanned sequentially more often than
 * through its indexes, and its sequential scans have read it in full at least this many
 * times over (seq_tup_read ≥ factor × rows) — a table scanned once by a nightly report does
 * not need an index.
 */
export const SEQ_SCAN_MIN_ROWS = 10_000;
export const SEQ_SCAN_READ_FACTOR = 10;
const SEQ_SCAN_LIMIT = 50;

interface IndexRow {
  schema: string;
  table: string;
  index: string;
  table_oid: number;
  am: string;
  scans: string | null;
  tuples_read: string | null;
  tuples_fetched: string | null;
  bytes: string;
  unique: boolean;
  primary: boolean;
  constraint: boolean;
  valid: boolean;
  definition: string;
  key_atts: number;
  indkey: string;
  indclass: string;
  indcollation: string;
  indoption: string;
  exprs: string | null;
  pred: string | null;
}

interface SeqScanRow {
  schema: string;
  table: string;
  seq_scans: string;
  seq_tuples_read: string;
  index_scans: string | null;
  rows: string;
}

/** One row per index of a user table, with what it is built on. */
export const INDEXES_SQL = `
SELECT s.schemaname AS schema, s.relname AS "table", s.indexrelname AS "index", i.indrelid::int8 AS table_oid, am.amname AS am,
       s.idx_scan AS scans, s.idx_tup_read AS tuples_read, s.idx_tup_fetch AS tuples_fetched, pg_relation_size(s.indexrelid) AS bytes,
       i.indisunique AS "unique", i.indisprimary AS "primary",
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) AS "constraint",
       i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition, i.indnkeyatts AS key_atts,
       i.indkey::text AS indkey, i.indclass::text AS indclass, i.indcollation::text AS indcollation, i.indoption::text AS indoption,
       pg_get_expr(i.indexprs, i.indrelid) AS exprs, pg_get_expr(i.indpred, i.indrelid) AS pred
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
JOIN pg_class c ON c.oid = s.indexrelid
JOIN pg_am am ON am.oid = c.relam
ORDER BY s.schemaname, s.relname, s.indexrelname`;

const SEQ_SCAN_SQL = `
SELECT schemaname AS schema, relname AS "table", seq_scan AS seq_scans, seq_tup_read AS seq_tuples_read, idx_scan AS index_scans, n_live_tup AS rows
FROM pg_stat_user_tables
WHERE n_live_tup >= $1 AND seq_scan > COALESCE(idx_scan, 0) AND seq_tup_read >= $2::float8 * n_live_tup
ORDER BY seq_tup_read DESC
LIMIT ${SEQ_SCAN_LIMIT}`;

const STATS_RESET_SQL = 'SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()';

/** An index with what the comparisons need (not part of the contract). */
export interface IndexShape {
  usage: IndexUsage;
  tableOid: number;
  am: string;
  /** Key columns (attnums, 0 = expression) then INCLUDE columns. */
  keys: string[];
  keyCount: number;
  opclasses: string[];
  collations: string[];
  /** Per key column: pg_index.indoption bits (1 = DESC, 2 = NULLS FIRST). */
  options: string[];
  exprs: string | null;
  pred: string | null;
}

function toShape(r: IndexRow): IndexShape {
  return {
    usage: {
      schema: r.schema,
      table: r.table,
      index: r.index,
      scans: num(r.scans),
      tuplesRead: num(r.tuples_read),
      tuplesFetched: num(r.tuples_fetched),
      bytes: num(r.bytes),
      unique: r.unique,
      primary: r.primary,
      constraint: r.constraint,
      valid: r.valid,
      definition: r.definition,
      platform: isPlatformSchema(r.schema),
    },
    tableOid: Number(r.table_oid),
    am: r.am,
    keys: r.indkey.trim().split(/\s+/),
    keyCount: r.key_atts,
    opclasses: r.indclass.trim().split(/\s+/),
    collations: r.indcollation.trim().split(/\s+/),
    options: r.indoption.trim().split(/\s+/),
    exprs: r.exprs,
    pred: r.pred,
  };
}

/** May be dropped without giving up a rule the database enforces. */
function droppable(u: IndexUsage): boolean {
  return !u.unique && !u.primary && !u.constraint;
}

export function isUnused(s: IndexShape): boolean {
  return s.usage.valid && s.usage.scans === 0 && droppable(s.usage) && !s.usage.platform;
}

/** Key column `i` of both indexes: same column, opclass, collation and sort options. */
function sameKey(a: IndexShape, b: IndexShape, i: number): boolean {
  return a.keys[i] === b.keys[i] && a.opclasses[i] === b.opclasses[i] && a.collations[i] === b.collations[i] && a.options[i] === b.options[i];
}

/**
 * Same table, method, columns (keys and INCLUDE), opclasses, collations, sort options,
 * expressions and predicate. A DESC (or NULLS FIRST) key is a different index on purpose
 * (an ORDER BY with mixed directions needs it), as is another collation or opclass
 * (text_pattern_ops serves LIKE 'x%', COLLATE "C" another sort order).
 */
export function sameIndex(a: IndexShape, b: IndexShape): boolean {
  if (a.tableOid !== b.tableOid || a.am !== b.am || a.keyCount !== b.keyCount || a.keys.length !== b.keys.length) return false;
  for (let i = 0; i < a.keyCount; i += 1) if (!sameKey(a, b, i)) return false;
  return a.keys.slice(a.keyCount).join(' ') === b.keys.slice(b.keyCount).join(' ') && a.exprs === b.exprs && a.pred === b.pred;
}

/**
 * Every lookup `narrow` serves, `wide` serves too: on the same table, both plain-column
 * btrees with the same predicate, `narrow`'s key columns a leading prefix of `wide`'s (same
 * opclasses, collations and sort options on them), and every INCLUDE column of `narrow`
 * somewhere in `wide` (index-only scans stay possible). With the same keys, `wide` must
 * hold more columns: a plain index on the primary key's columns beside a primary key with
 * INCLUDE (…) is redundant, two indexes with the same columns are duplicates, not this.
 */
export function coveredBy(narrow: IndexShape, wide: IndexShape): boolean {
  if (narrow.tableOid !== wide.tableOid || narrow.am !== 'btree' || wide.am !== 'btree') return false;
  if (narrow.exprs !== null || wide.exprs !== null || narrow.pred !== wide.pred) return false;
  if (narrow.keyCount > wide.keyCount) return false;
  for (let i = 0; i < narrow.keyCount; i += 1) if (!sameKey(narrow, wide, i)) return false;
  const wideColumns = new Set(wide.keys);
  if (!narrow.keys.slice(narrow.keyCount).every((k) => wideColumns.has(k))) return false;
  return narrow.keyCount < wide.keyCount || wideColumns.size > new Set(narrow.keys).size;
}

/** Of two identical indexes, the one to keep: the one enforcing something, else the busier, else the first by name. */
function keeperOf(a: IndexShape, b: IndexShape): IndexShape {
  const rank = (s: IndexShape): number => (s.usage.primary ? 3 : s.usage.constraint ? 2 : s.usage.unique ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) > rank(b) ? a : b;
  if (a.usage.scans !== b.usage.scans) return a.usage.scans > b.usage.scans ? a : b;
  return a.usage.index <= b.usage.index ? a : b;
}

function findInTable(table: IndexShape[], found: IndexReport['duplicates']): void {
  const dropped = new Set<IndexShape>();
  for (let i = 0; i < table.length; i += 1) {
    for (let j = i + 1; j < table.length; j += 1) {
      const a = table[i]!;
      const b = table[j]!;
      if (!sameIndex(a, b)) continue;
      const keep = keeperOf(a, b);
      const drop = keep === a ? b : a;
      if (dropped.has(drop)) continue;
      dropped.add(drop);
      found.push({ kind: 'duplicate', keep: keep.usage, drop: drop.usage });
    }
  }
  // Overlaps among what is left: the narrower goes unless it enforces uniqueness (the wider one does not).
  const left = table.filter((s) => !dropped.has(s));
  for (const narrow of left) {
    if (!droppable(narrow.usage)) continue;
    const wide = left.filter((w) => w !== narrow && coveredBy(narrow, w)).sort((x, y) => x.keyCount - y.keyCount)[0];
    if (wide) found.push({ kind: 'overlapping', keep: wide.usage, drop: narrow.usage });
  }
}

/** Compared table by table: thousands of indexes stay cheap. Invalid indexes are reported apart. */
export function findDuplicates(shapes: IndexShape[]): IndexReport['duplicates'] {
  const byTable = new Map<number, IndexShape[]>();
  for (const s of shapes) {
    // The platform's tables are its own: their indexes are never advised for dropping.
    if (!s.usage.valid || s.usage.platform) continue;
    const list = byTable.get(s.tableOid) ?? [];
    list.push(s);
    byTable.set(s.tableOid, list);
  }
  const found: IndexReport['duplicates'] = [];
  for (const table of byTable.values()) findInTable(table, found);
  return found;
}

function toSeqScan(r: SeqScanRow): IndexReport['seqScanHeavy'][number] {
  return {
    schema: r.schema,
    table: r.table,
    seqScans: num(r.seq_scans),
    seqTuplesRead: num(r.seq_tuples_read),
    indexScans: num(r.index_scans),
    rows: num(r.rows),
  };
}

async function readIndexReport(client: pg.Client): Promise<IndexReport> {
  const reset = (await client.query<{ stats_reset: Date | null }>(STATS_RESET_SQL)).rows[0];
  const shapes = (await client.query<IndexRow>(INDEXES_SQL)).rows.map(toShape);
  const seq = (await client.query<SeqScanRow>(SEQ_SCAN_SQL, [SEQ_SCAN_MIN_ROWS, SEQ_SCAN_READ_FACTOR])).rows;
  return {
    statsReset: isoOrNull(reset?.stats_reset),
    indexes: shapes.map((s) => s.usage),
    unused: shapes
      .filter(isUnused)
      .map((s) => s.usage)
      .sort((a, b) => b.bytes - a.bytes),
    duplicates: findDuplicates(shapes),
    invalid: shapes.filter((s) => !s.usage.valid).map((s) => s.usage),
    seqScanHeavy: seq.map(toSeqScan),
  };
}

export function getIndexReport(deps: ReportDeps, profile: Profile, password?: string): Promise<IndexReport> {
  return readCatalogReport(deps, profile, password, 'index statistics', readIndexReport);
}

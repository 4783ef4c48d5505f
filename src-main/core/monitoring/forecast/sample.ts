// What the overview's snapshot adds for the forecast (issue #23): the fullest sequence's % used
// (every snapshot) and, at most once an hour, the sizes of the largest tables and indexes.
// Both are optional: a failure (an old server, a relation locked by a migration) leaves the
// figure out of this snapshot and never fails the overview.
import { QUERY_MS, type QueryMeter } from '../overview-row';
import type { RelationSize } from './history';
import { SEQUENCES_SQL } from './sequences';

/** How many tables and how many indexes each hourly set keeps. */
export const TOP_RELATIONS = 10;

// Total size of tables and materialized views (heap, TOAST, indexes), and of indexes alone,
// outside the system schemas. A partitioned table's size is in its partitions (each listed).
// pg_total_relation_size takes an AccessShareLock: behind a migration's exclusive lock it would
// wait out the statement timeout, so the statement's own lock_timeout (set_config local to its
// implicit transaction, evaluated once as an InitPlan before any size is read) gives up after a
// second and the sizes are tried again at the next snapshot.
const RELATIONS_WHERE = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' AND (SELECT set_config('lock_timeout', '1000', true)) IS NOT NULL`;
export const TOP_RELATIONS_SQL = `
(SELECT 'table' AS kind, format('%I.%I', n.nspname, c.relname) AS name, pg_total_relation_size(c.oid)::float8 AS bytes
 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'm') AND ${RELATIONS_WHERE}
 ORDER BY 3 DESC, 2 LIMIT ${TOP_RELATIONS})
UNION ALL
(SELECT 'index', format('%I.%I', n.nspname, c.relname), pg_relation_size(c.oid)::float8
 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'i' AND ${RELATIONS_WHERE}
 ORDER BY 3 DESC, 2 LIMIT ${TOP_RELATIONS})`;

export interface CapacitySample {
  sequenceMaxPct?: number;
  relations?: RelationSize[];
}

interface SampleRow {
  pct: number | null;
  relations: RelationSize[] | null;
  query_ms: number;
}

/** One statement: the fullest sequence, and the largest relations when they are due. */
export async function readCapacitySample(meter: QueryMeter, relationsDue: boolean): Promise<CapacitySample> {
  const relations = relationsDue ? `(SELECT coalesce(json_agg(r), '[]') FROM (${TOP_RELATIONS_SQL}) r)` : 'NULL::json';
  const rows = await meter
    .rows<SampleRow>(`SELECT (SELECT max(pct) FROM (${SEQUENCES_SQL}) s) AS pct, ${relations} AS relations, ${QUERY_MS}`, [1])
    .catch(() => []);
  const row = rows[0];
  if (!row) return {};
  // No sequence at all is 0 % used, not a missing figure.
  const sample: CapacitySample = { sequenceMaxPct: row.pct ?? 0 };
  if (row.relations) sample.relations = row.relations.map((r) => ({ kind: r.kind, name: r.name, bytes: Number(r.bytes) }));
  return sample;
}

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
export const TOP_RELATIONS_SQL = `
(SELECT 'table' AS kind, format('%I.%I', n.nspname, c.relname) AS name, pg_total_relation_size(c.oid)::float8 AS bytes
 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
 ORDER BY 3 DESC, 2 LIMIT $1)
UNION ALL
(SELECT 'index', format('%I.%I', n.nspname, c.relname), pg_relation_size(c.oid)::float8
 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'i' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
 ORDER BY 3 DESC, 2 LIMIT $1)`;

export interface CapacitySample {
  sequenceMaxPct?: number;
  relations?: RelationSize[];
}

export async function readCapacitySample(meter: QueryMeter, relationsDue: boolean): Promise<CapacitySample> {
  const sample: CapacitySample = {};
  const seq = await meter.rows<{ pct: number | null; query_ms: number }>(`SELECT max(pct) AS pct, ${QUERY_MS} FROM (${SEQUENCES_SQL}) s`, [1]).catch(() => []);
  // No sequence at all is 0 % used, not a missing figure.
  if (seq[0]) sample.sequenceMaxPct = seq[0].pct ?? 0;
  if (relationsDue) {
    // pg_total_relation_size takes an AccessShareLock: behind a migration's exclusive lock it
    // would wait out the statement timeout, so it gives up after a second and tries next time.
    await meter.send('SET lock_timeout = 1000');
    const rows = await meter
      .rows<RelationSize & { query_ms: number }>(`SELECT r.*, ${QUERY_MS} FROM (${TOP_RELATIONS_SQL}) r`, [TOP_RELATIONS])
      .catch(() => null);
    await meter.send('RESET lock_timeout');
    if (rows) sample.relations = rows.map((r) => ({ kind: r.kind, name: r.name, bytes: Number(r.bytes) }));
  }
  return sample;
}

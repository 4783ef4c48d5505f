// How full the sequences are: last_value against the range it may still use. A sequence that
// feeds a column (owned by it: serial, or an identity) is limited by the column's type too —
// the classic outage is an int4 id whose bigint sequence is fine while inserts fail at
// 2,147,483,647. CYCLE sequences never run out and are left out; a sequence this role may not
// read shows last_value NULL in pg_sequences and counts as unused.
export const SEQUENCES_SQL = `
WITH seq AS (
  SELECT s.schemaname, s.sequencename, s.last_value, s.min_value, s.max_value, s.increment_by,
         (SELECT CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 END
          FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE d.classid = 'pg_class'::regclass AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1) AS column_max,
         (SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname)
          FROM pg_depend d JOIN pg_class c ON c.oid = d.refobjid JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE d.classid = 'pg_class'::regclass AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1) AS owner_column
  FROM pg_sequences s
  WHERE NOT s.cycle
),
used AS (
  SELECT format('%I.%I', schemaname, sequencename) AS name, owner_column, last_value,
         CASE WHEN increment_by > 0 THEN least(max_value, coalesce(column_max, max_value)) ELSE min_value END AS limit_value,
         CASE WHEN last_value IS NULL THEN 0
              WHEN increment_by > 0 THEN (last_value - min_value)::numeric / nullif(least(max_value, coalesce(column_max, max_value)) - min_value, 0) * 100
              ELSE (max_value - last_value)::numeric / nullif(max_value - min_value, 0) * 100 END::float8 AS pct
  FROM seq
)
SELECT name, owner_column, last_value::text AS last_value, limit_value::text AS limit_value, coalesce(pct, 0) AS pct
FROM used ORDER BY pct DESC, name LIMIT $1`;

export interface SequenceRow {
  name: string;
  owner_column: string | null;
  last_value: string | null;
  limit_value: string;
  pct: number;
}

/**
 * Ours: the runbook has no sequence threshold. Past three quarters the column needs widening
 * (ALTER … TYPE bigint rewrites the table: plan it); past 90 % it is urgent.
 */
export const SEQUENCE_LIMITS = { warn: 75, critical: 90 } as const;

/**
 * PostgreSQL stops assigning transaction IDs 3 million short of wraparound (2^31 − 1 − 3,000,000;
 * 1 million before version 14): as an age, the point where writes stop.
 */
export const XID_STOP_AGE = 2_147_483_647 - 3_000_000;

// Post-restore validation: is what came back what the backup held? Row counts per table
// against the manifest (or the plain script's COPY blocks), sequences not behind their
// columns, constraints and indexes valid, object counts by type against the dump's table
// of contents, and the toolkit's own validate_recovery() / check_system_health() when the
// restored database carries them. Reads only.
import type pg from 'pg';
import type { BackupContents, ValidationCheck, ValidationReport } from '../../contract/restore';
import { judged, worstVerdict, type CheckVerdict } from '../../contract/verdict';
import { errorText } from '../platform/tools/tool-process';
import { quoteIdent } from '../platform/postgres/sql-text';
import { supabaseChecks } from './supabase-validate';

/** Estimated row counts (big tables at dump time) may drift this much. */
const ESTIMATE_TOLERANCE = 0.1;
const MAX_LISTED = 10;

function listed(items: string[]): string {
  return items.length > MAX_LISTED ? `${items.slice(0, MAX_LISTED).join('; ')}; and ${items.length - MAX_LISTED} more` : items.join('; ');
}

async function rowChecks(client: pg.Client, contents: BackupContents): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = [];
  for (const t of contents.tables) {
    const name = `rows ${t.schema}.${t.name}`;
    const rel = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
    const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [rel]);
    if (!exists.rows[0]?.present) {
      checks.push(judged(name, 'fail', `table ${t.schema}.${t.name} is missing from the restored database`));
      continue;
    }
    const actual = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${rel}`)).rows[0]!.n);
    if (t.rows === null) {
      // Nothing to compare with: not a failure, but not a pass either.
      checks.push(judged(name, 'warning', `${actual} rows, not compared: the dump records no count to compare with`));
    } else if (t.exact === false) {
      const ok = Math.abs(actual - t.rows) <= Math.max(1, t.rows * ESTIMATE_TOLERANCE);
      checks.push(judged(name, ok ? 'pass' : 'fail', `${actual} rows; about ${t.rows} expected (an estimate at backup time, ±${ESTIMATE_TOLERANCE * 100} %)`));
    } else {
      checks.push(
        judged(name, actual === t.rows ? 'pass' : 'fail', actual === t.rows ? `${actual} rows, as backed up` : `${actual} rows; the backup holds ${t.rows}`),
      );
    }
  }
  return checks;
}

// Every sequence a column draws from, whichever way: OWNED BY (serial: 'a', identity: 'i')
// or a column default calling nextval() on it, owned or not (pg_attrdef depends on the
// sequence 'n'). One row per sequence and column; system schemas left out.
const COLUMN_SEQUENCES = `
  SELECT DISTINCT sn.nspname AS seq_schema, sc.relname AS seq_name, tn.nspname AS tbl_schema, tc.relname AS tbl_name,
         a.attname AS col, s.seqincrement::float8 AS step
    FROM (
      SELECT d.objid AS seq, d.refobjid AS tbl, d.refobjsubid AS attnum
        FROM pg_catalog.pg_depend d
       WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
         AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
      UNION
      SELECT d.refobjid, ad.adrelid, ad.adnum
        FROM pg_catalog.pg_attrdef ad
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.objid = ad.oid
                                   AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n'
    ) AS u
    JOIN pg_catalog.pg_class sc ON sc.oid = u.seq AND sc.relkind = 'S'
    JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
    JOIN pg_catalog.pg_sequence s ON s.seqrelid = sc.oid
    JOIN pg_catalog.pg_class tc ON tc.oid = u.tbl
    JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = u.tbl AND a.attnum = u.attnum
   WHERE sn.nspname NOT IN ('pg_catalog', 'information_schema')
   ORDER BY 1, 2, 3, 4, 5`;

async function sequenceCheck(client: pg.Client, contents: BackupContents): Promise<ValidationCheck> {
  const all = await client.query<{ seq_schema: string; seq_name: string; tbl_schema: string; tbl_name: string; col: string; step: number }>(COLUMN_SEQUENCES);
  // The backup's tables only: a target that already held others (a platform's own, which the
  // restoring role may not even read) is not what this restore is judged by.
  const restored = new Set(contents.tables.map((t) => `${t.schema}.${t.name}`));
  const seqs = { rows: restored.size === 0 ? all.rows : all.rows.filter((r) => restored.has(`${r.tbl_schema}.${r.tbl_name}`)) };
  const behind: string[] = [];
  for (const s of seqs.rows) {
    const seq = `${quoteIdent(s.seq_schema)}.${quoteIdent(s.seq_name)}`;
    const state = (await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${seq}`)).rows[0]!;
    const maxRow = (
      await client.query<{ mx: string | null; mn: string | null }>(
        `SELECT max(${quoteIdent(s.col)})::text AS mx, min(${quoteIdent(s.col)})::text AS mn FROM ${quoteIdent(s.tbl_schema)}.${quoteIdent(s.tbl_name)}`,
      )
    ).rows[0]!;
    // The value nextval() would hand out next; ascending sequences must be past the max, descending below the min.
    // Exact integers: near the bigint maximum a float cannot tell the last value from the next.
    const last = BigInt(state.last_value);
    const step = BigInt(Math.round(s.step));
    const next = state.is_called ? last + step : last;
    const ascending = s.step > 0;
    const edge = ascending ? maxRow.mx : maxRow.mn;
    if (edge === null || !/^-?\d+$/.test(edge)) continue;
    if (ascending ? next <= BigInt(edge) : next >= BigInt(edge)) {
      behind.push(`${s.seq_schema}.${s.seq_name} would hand out ${next} but ${s.tbl_schema}.${s.tbl_name}.${s.col} already reaches ${edge}`);
    }
  }
  return behind.length === 0
    ? judged('sequences', 'pass', `${seqs.rows.length} sequence(s) feeding columns (owned, identity or nextval() defaults), none behind its column`)
    : judged('sequences', 'fail', `behind their columns (the next INSERT would collide): ${listed(behind)}`);
}

async function validityCheck(client: pg.Client): Promise<ValidationCheck> {
  const r = await client.query<{ what: string }>(`
    SELECT format('constraint %s on %s is NOT VALID', c.conname, c.conrelid::regclass) AS what
      FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
     WHERE NOT c.convalidated AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT format('index %s is not valid', i.indexrelid::regclass)
      FROM pg_catalog.pg_index i WHERE NOT i.indisvalid OR NOT i.indisready`);
  const problems = r.rows.map((row) => row.what);
  return problems.length === 0
    ? judged('constraints and indexes', 'pass', 'every constraint is validated and every index is valid')
    : judged('constraints and indexes', 'fail', listed(problems));
}

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
const NOT_EXT = (cls: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

// The object types pg_dump lists one TOC entry per object for, counted the same way here.
const OBJECT_COUNTS = `
  SELECT 'TABLE' AS type, count(*) AS n FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND ${USER_NS} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
  UNION ALL
  SELECT 'VIEW', count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'v' AND ${USER_NS} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
  UNION ALL
  SELECT 'MATERIALIZED VIEW', count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'm' AND ${USER_NS} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
  UNION ALL
  SELECT 'SEQUENCE', count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'S' AND ${USER_NS} AND ${NOT_EXT('pg_catalog.pg_class', 'c.oid')}
  UNION ALL
  SELECT 'INDEX', count(*) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE ${USER_NS} AND ${NOT_EXT('pg_catalog.pg_class', 'i.indrelid')}
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, count(*)
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE p.prokind IN ('f', 'p', 'a') AND ${USER_NS} AND ${NOT_EXT('pg_catalog.pg_proc', 'p.oid')}
   GROUP BY 1`;

const COUNTED_TYPES = ['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'SEQUENCE', 'INDEX', 'FUNCTION', 'PROCEDURE', 'AGGREGATE'];

async function objectCheck(client: pg.Client, contents: BackupContents): Promise<ValidationCheck> {
  const expected = contents.objects;
  const from = contents.manifest ? 'the backup' : 'the dump itself (no manifest)';
  const types = COUNTED_TYPES.filter((t) => (expected[t] ?? 0) > 0);
  if (types.length === 0) return judged('objects by type', 'pass', `${from} lists no objects to count`);
  const r = await client.query<{ type: string; n: string }>(OBJECT_COUNTS);
  const actual = new Map<string, number>();
  for (const row of r.rows) actual.set(row.type, (actual.get(row.type) ?? 0) + Number(row.n));
  // At least as many: a restore into a database that already held other objects keeps them.
  const short = types.filter((t) => (actual.get(t) ?? 0) < expected[t]!);
  const summary = types.map((t) => `${t} ${actual.get(t) ?? 0}/${expected[t]}`).join(', ');
  return short.length === 0
    ? judged('objects by type', 'pass', `restored/in ${from}: ${summary}`)
    : judged(
        'objects by type',
        'fail',
        `missing ${short.map((t) => `${t} (${actual.get(t) ?? 0} of ${expected[t]})`).join(', ')}; restored/in ${from}: ${summary}`,
      );
}

type Cell = string | number | boolean | null;

/** Runs a toolkit function when the restored database has it; null when it does not. */
async function toolkitRows(client: pg.Client, signature: string, call: string): Promise<Array<Record<string, Cell>> | null> {
  const present = await client.query<{ ok: boolean }>('SELECT to_regprocedure($1) IS NOT NULL AS ok', [signature]);
  if (!present.rows[0]?.ok) return null;
  return (await client.query<Record<string, Cell>>(call)).rows;
}

// Right after a restore the cache is cold and statistics are empty: these say nothing about the copy.
const HEALTH_NOT_MEANINGFUL = new Set(['cache_hit_ratio']);

/** A toolkit row's status as a verdict: critical fails, warning and unknown warn, ok passes. */
function rowVerdict(status: Cell): CheckVerdict {
  if (status === 'critical') return 'fail';
  return status === 'ok' ? 'pass' : 'warning';
}

async function toolkitChecks(client: pg.Client): Promise<ValidationCheck[]> {
  const checks: ValidationCheck[] = [];
  const runs: Array<{ name: string; signature: string; call: string; ignored: Set<string> }> = [
    {
      name: 'validate_recovery()',
      signature: 'ops_toolkit.validate_recovery(bigint)',
      call: 'SELECT * FROM ops_toolkit.validate_recovery()',
      ignored: new Set(),
    },
    {
      name: 'check_system_health()',
      signature: 'ops_toolkit.check_system_health()',
      call: 'SELECT * FROM ops_toolkit.check_system_health()',
      ignored: HEALTH_NOT_MEANINGFUL,
    },
  ];
  for (const run of runs) {
    try {
      const rows = await toolkitRows(client, run.signature, run.call);
      if (rows === null) continue;
      const judgedRows = rows.map((row) => ({ row, verdict: run.ignored.has(String(row.check_name)) ? ('pass' as const) : rowVerdict(row.status ?? null) }));
      const status = worstVerdict(judgedRows.map((r) => r.verdict));
      // The rows that decided the verdict come first, so the detail says why it is not a pass.
      const line = ({ row }: { row: Record<string, Cell> }): string =>
        `${String(row.check_name)}: ${String(row.status)}${row.details ? ` (${String(row.details)})` : ''}${run.ignored.has(String(row.check_name)) ? ' — not judged right after a restore' : ''}`;
      const notPass = judgedRows.filter((r) => r.verdict !== 'pass');
      const detail = status === 'pass' ? listed(judgedRows.map(line)) : `${status === 'fail' ? 'failing' : 'warnings'}: ${listed(notPass.map(line))}`;
      checks.push(judged(run.name, status, detail));
    } catch (err) {
      checks.push(judged(run.name, 'fail', `could not run: ${errorText(err)}`));
    }
  }
  return checks;
}

/** Every check, in order; `status` the worst of them, `ok` when none failed (a warning does not fail a restore). */
export async function validateRestore(client: pg.Client, contents: BackupContents): Promise<ValidationReport> {
  const checks: ValidationCheck[] = [
    ...(await rowChecks(client, contents)),
    await sequenceCheck(client, contents),
    await validityCheck(client),
    await objectCheck(client, contents),
    ...(await toolkitChecks(client)),
    ...(contents.manifest?.supabase
      ? await supabaseChecks(client, contents.manifest.supabase, [...new Set([...contents.schemas, ...contents.tables.map((t) => t.schema)])])
      : []),
  ];
  const status = worstVerdict(checks.map((c) => c.status));
  return { ok: status !== 'fail', status, checks };
}

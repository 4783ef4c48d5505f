// Reads which version of the ops toolkit a database has, and installs it: the migration of
// toolkit-sql.ts, run as shown, in one transaction, on a connection the caller provides
// (a short one from withClient, or the sandbox seed's own).
import type pg from 'pg';
import type { ToolkitStatus } from '../../contract/runbook';
import { TOOLKIT_FUNCTION_NAMES, TOOLKIT_SCHEMA, TOOLKIT_SQL, TOOLKIT_VERSION } from './toolkit-sql';

interface ProcRow {
  proname: string;
  nspname: string;
  ours: boolean;
}

/** The version and the runbook functions present on the database `client` is connected to. */
export async function readToolkitStatus(client: pg.Client): Promise<ToolkitStatus> {
  const versionFn = await client.query<{ present: boolean }>(`SELECT to_regprocedure('ops_toolkit.version()') IS NOT NULL AS present`);
  let version: string | null = null;
  if (versionFn.rows[0]?.present) {
    const res = await client.query<{ version: string }>('SELECT ops_toolkit.version() AS version');
    version = res.rows[0]?.version ?? null;
  }
  const procs = await client.query<ProcRow>(
    `SELECT p.proname, n.nspname, coalesce(obj_description(p.oid, 'pg_proc'), '') LIKE 'ops_toolkit %' AS ours
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname IN ($1, 'public') AND p.proname = ANY ($2::text[])`,
    [TOOLKIT_SCHEMA, TOOLKIT_FUNCTION_NAMES],
  );
  const functions = TOOLKIT_FUNCTION_NAMES.map((name) => {
    const rows = procs.rows.filter((r) => r.proname === name);
    const impl = rows.some((r) => r.nspname === TOOLKIT_SCHEMA);
    const wrapper = rows.some((r) => r.nspname === 'public' && r.ours);
    const foreign = rows.some((r) => r.nspname === 'public' && !r.ours);
    return {
      name,
      present: impl && wrapper,
      ...(foreign
        ? { conflict: `public.${name} exists and was not created by the toolkit: the runbook's unqualified call runs it, not ops_toolkit.${name}` }
        : {}),
    };
  });
  return {
    installed: version !== null && functions.every((f) => f.present),
    version,
    latest: TOOLKIT_VERSION,
    functions,
    sql: TOOLKIT_SQL,
  };
}

/**
 * Runs the migration exactly as shown (BEGIN … COMMIT in one simple-protocol call). If a
 * statement fails, the server skips the rest and leaves the transaction aborted: roll it
 * back so the connection is usable and nothing half-installed remains.
 */
export async function installToolkitOn(client: pg.Client): Promise<ToolkitStatus> {
  try {
    await client.query(TOOLKIT_SQL);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return readToolkitStatus(client);
}

/** 1.2.0 vs 1.10.0 compared as numbers; null when either is not dotted digits. */
export function compareVersions(a: string, b: string): number | null {
  const parse = (v: string) => (/^\d+(\.\d+)*$/.test(v) ? v.split('.').map(Number) : null);
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return null;
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

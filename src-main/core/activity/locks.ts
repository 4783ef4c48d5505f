// Every lock on the server (issue #19), not only those in a blocking chain: pg_locks joined to
// pg_stat_activity, with relation names resolved in the profile's database, the lock's mode,
// whether it is granted, and its age. One read-only statement under the snapshot's short
// timeout (the screen polls it like the sessions), waiting locks first, capped so a server
// with a huge lock table answers quickly.
import type { LockRow, LocksSnapshot } from '../../contract/activity';
import { LOCKS_LIMIT } from '../../contract/activity';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { toOpsError } from '../platform/postgres/pg-errors';
import { HIDDEN_QUERY, SNAPSHOT_TIMEOUT_MS, snapshotError, withTimeout } from './snapshot';

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels' | 'store'>;

/**
 * waitstart (PostgreSQL 14+) read through to_jsonb so older servers answer too (null there).
 * regclass names only make sense in the database we are connected to; elsewhere the oid.
 */
export const LOCKS_SQL = `
WITH here AS (SELECT oid FROM pg_database WHERE datname = current_database()),
l AS (
  SELECT l.*, (to_jsonb(l) ->> 'waitstart')::timestamptz AS wait_start
  FROM pg_locks l
  WHERE l.pid IS DISTINCT FROM pg_backend_pid()
)
SELECT l.pid, l.locktype, l.mode, l.granted,
  d.datname AS database,
  CASE WHEN l.relation IS NULL THEN NULL
       WHEN l.database = (SELECT oid FROM here) THEN l.relation::regclass::text
       ELSE l.relation::text END AS relation,
  CASE l.locktype
    WHEN 'tuple' THEN 'row (' || l.page || ',' || l.tuple || ')'
    WHEN 'page' THEN 'page ' || l.page
    WHEN 'transactionid' THEN 'transaction ' || l.transactionid::text
    WHEN 'virtualxid' THEN 'virtual transaction ' || l.virtualxid
    WHEN 'advisory' THEN 'advisory ' || CASE WHEN l.objsubid = 1 THEN ((l.classid::bigint << 32) | l.objid::bigint)::text ELSE l.classid || ',' || l.objid END
    WHEN 'object' THEN CASE WHEN l.database IS NULL OR l.database = (SELECT oid FROM here) THEN pg_describe_object(l.classid, l.objid, l.objsubid) ELSE 'object ' || l.objid END
    ELSE NULL END AS target,
  a.usename AS user, a.application_name AS application, a.state, a.query,
  round(extract(epoch FROM now() - CASE WHEN l.granted THEN a.xact_start ELSE l.wait_start END) * 1000)::float8 AS age_ms,
  CASE WHEN l.granted THEN '{}'::int[] ELSE pg_blocking_pids(l.pid) END AS blocked_by,
  count(*) OVER () AS total
FROM l
LEFT JOIN pg_stat_activity a ON a.pid = l.pid
LEFT JOIN pg_database d ON d.oid = l.database
ORDER BY l.granted, age_ms DESC NULLS LAST, l.pid, l.locktype
LIMIT ${LOCKS_LIMIT}`;

interface RawLock {
  pid: number | null;
  locktype: string;
  mode: string;
  granted: boolean;
  database: string | null;
  relation: string | null;
  target: string | null;
  user: string | null;
  application: string | null;
  state: string | null;
  query: string | null;
  age_ms: number | null;
  blocked_by: number[] | null;
  total: string;
}

export function toLockRow(r: RawLock): LockRow {
  const query = r.query ?? '';
  return {
    pid: r.pid,
    locktype: r.locktype,
    mode: r.mode,
    granted: r.granted,
    database: r.database,
    relation: r.relation,
    target: r.target,
    user: r.user,
    application: r.application,
    state: r.state,
    query: query === HIDDEN_QUERY ? '' : query,
    hidden: query === HIDDEN_QUERY,
    ageMs: r.age_ms,
    blockedBy: r.blocked_by ?? [],
  };
}

export async function listLocks(deps: Deps, profile: Profile, password?: string): Promise<LocksSnapshot> {
  const rows = await withClient(
    deps,
    profile,
    async (client) => {
      try {
        return await withTimeout(client, SNAPSHOT_TIMEOUT_MS, async () => (await client.query<RawLock>(LOCKS_SQL)).rows);
      } catch (err) {
        throw snapshotError(err, profile);
      }
    },
    password !== undefined ? { password } : {},
  ).catch((err: unknown) => {
    throw toOpsError(err, profile);
  });
  const total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  return { at: new Date().toISOString(), locks: rows.map(toLockRow), truncated: total > rows.length };
}

// The live activity snapshot: one read-only statement per refresh (sessions, who blocks
// whom, the locks blockers hold that their waiters want, limits, size, the role's rights),
// under a short statement timeout, so polling a struggling server every few seconds costs
// it one cheap query and never queues behind anything. The app's own snapshot backend is
// left out (it is always "active" and is not something anyone should act on).
import type pg from 'pg';
import type { ActivityPrivileges, ActivitySnapshot, SessionRow } from '../../contract/activity';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { APPLICATION_NAME, withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { profileThresholds } from '../runbook';
import { judge } from '../runbook';
import { buildBlockingTree } from './blocking';

export const SNAPSHOT_TIMEOUT_MS = 5000;
/** What pg_stat_activity shows in place of another role's query without pg_read_all_stats. */
export const HIDDEN_QUERY = '<insufficient privilege>';

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels' | 'store'>;

/**
 * pg_blocking_pids only for sessions waiting on a lock (it takes the lock manager's locks),
 * and pg_locks read once, only for the waiters and their blockers.
 */
export const SNAPSHOT_SQL = `
WITH a AS (
  SELECT pid, usename, datname, application_name, client_addr::text AS client_addr, backend_type, state,
         wait_event_type, wait_event, backend_start, xact_start, query_start, state_change, query,
         CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) ELSE '{}'::int[] END AS blocked_by
  FROM pg_stat_activity
  WHERE pid <> pg_backend_pid()
),
w AS (
  SELECT l.*, b.blocker
  FROM pg_locks l
  JOIN a ON a.pid = l.pid AND cardinality(a.blocked_by) > 0
  CROSS JOIN LATERAL unnest(a.blocked_by) AS b(blocker)
  WHERE NOT l.granted
),
held AS (
  SELECT DISTINCT w.blocker,
    g.mode || ' on ' || CASE g.locktype
      WHEN 'relation' THEN 'relation ' || CASE WHEN g.database = (SELECT oid FROM pg_database WHERE datname = current_database()) THEN g.relation::regclass::text ELSE g.relation::text END
      WHEN 'transactionid' THEN 'transactionid ' || g.transactionid::text || COALESCE((
          SELECT ' (row in ' || t.relation::regclass::text || ')' FROM pg_locks t
          WHERE t.pid = w.pid AND t.locktype = 'tuple' AND t.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1), '')
      WHEN 'tuple' THEN 'row (' || g.page || ',' || g.tuple || ') of ' || g.relation::regclass::text
      WHEN 'virtualxid' THEN 'virtual transaction ' || g.virtualxid
      ELSE g.locktype
    END AS lock
  FROM w
  JOIN pg_locks g ON g.pid = w.blocker AND g.granted
   AND g.locktype = w.locktype
   AND g.database IS NOT DISTINCT FROM w.database AND g.relation IS NOT DISTINCT FROM w.relation
   AND g.page IS NOT DISTINCT FROM w.page AND g.tuple IS NOT DISTINCT FROM w.tuple
   AND g.virtualxid IS NOT DISTINCT FROM w.virtualxid AND g.transactionid IS NOT DISTINCT FROM w.transactionid
   AND g.classid IS NOT DISTINCT FROM w.classid AND g.objid IS NOT DISTINCT FROM w.objid AND g.objsubid IS NOT DISTINCT FROM w.objsubid
),
snap AS (
  SELECT
    current_setting('server_version') AS server_version,
    current_setting('max_connections')::int AS max_connections,
    pg_database_size(current_database()) AS database_size,
    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
    pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal_backend,
    pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats,
    (SELECT COALESCE(json_agg(json_build_object(
        'pid', pid, 'user', usename, 'database', datname, 'application', application_name, 'clientAddr', client_addr,
        'backendType', backend_type, 'state', state, 'waitEventType', wait_event_type, 'waitEvent', wait_event,
        'backendStart', backend_start, 'xactStart', xact_start, 'queryStart', query_start, 'stateChange', state_change,
        'xactDurationMs', round(extract(epoch FROM now() - xact_start) * 1000),
        'queryDurationMs', round(extract(epoch FROM now() - query_start) * 1000),
        'stateDurationMs', round(extract(epoch FROM now() - state_change) * 1000),
        'query', query, 'blockedBy', blocked_by) ORDER BY pid), '[]') FROM a) AS sessions,
    (SELECT COALESCE(json_agg(json_build_object('blocker', blocker, 'lock', lock)), '[]') FROM held) AS held,
    now() AS at
  OFFSET 0
)
SELECT snap.*, round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000, 1)::float8 AS query_ms FROM snap`;

interface RawSession {
  pid: number;
  user: string | null;
  database: string | null;
  application: string | null;
  clientAddr: string | null;
  backendType: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  backendStart: string | null;
  xactStart: string | null;
  queryStart: string | null;
  stateChange: string | null;
  xactDurationMs: number | null;
  queryDurationMs: number | null;
  stateDurationMs: number | null;
  query: string | null;
  blockedBy: number[] | null;
}

interface SnapshotRow {
  server_version: string;
  max_connections: number;
  database_size: string;
  superuser: boolean | null;
  signal_backend: boolean;
  read_all_stats: boolean;
  sessions: RawSession[];
  held: Array<{ blocker: number; lock: string }>;
  at: Date;
  query_ms: number;
}

export function isOwnApplication(application: string | null): boolean {
  return (application ?? '').startsWith(APPLICATION_NAME);
}

export function toSessionRow(r: RawSession): SessionRow {
  const query = r.query ?? '';
  return {
    pid: r.pid,
    user: r.user,
    database: r.database,
    application: r.application ?? '',
    clientAddr: r.clientAddr,
    backendType: r.backendType ?? 'unknown',
    state: r.state,
    waitEventType: r.waitEventType,
    waitEvent: r.waitEvent,
    backendStart: r.backendStart ?? '',
    xactStart: r.xactStart,
    queryStart: r.queryStart,
    stateChange: r.stateChange,
    xactDurationMs: r.xactDurationMs,
    queryDurationMs: r.queryDurationMs,
    stateDurationMs: r.stateDurationMs,
    query,
    blockedBy: r.blockedBy ?? [],
    own: isOwnApplication(r.application),
    hidden: query === HIDDEN_QUERY,
  };
}

export function privilegesNote(p: Omit<ActivityPrivileges, 'note'>): string | null {
  if (p.superuser) return null;
  const missing: string[] = [];
  if (!p.signalBackend) {
    missing.push(
      "cannot cancel or terminate other roles' sessions (grant it pg_signal_backend, or act as the session's own role); it can still end its own role's sessions",
    );
  } else {
    missing.push("can end other roles' sessions (pg_signal_backend) but not a superuser's");
  }
  if (!p.readAllStats) missing.push("does not see other roles' query text (grant it pg_read_all_stats or pg_monitor)");
  return `This role is not a superuser: it ${missing.join('; it ')}.`;
}

/** Runs `fn` with a short statement timeout, so a refresh never hangs on a sick server. */
export async function withTimeout<T>(client: pg.Client, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await client.query(`SET statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  return fn();
}

function lockHolds(held: SnapshotRow['held']): Map<number, string[]> {
  const holds = new Map<number, string[]>();
  for (const h of held) {
    const list = holds.get(h.blocker) ?? [];
    if (!list.includes(h.lock)) list.push(h.lock);
    holds.set(h.blocker, list);
  }
  return holds;
}

export function snapshotError(err: unknown, profile: Profile): Error {
  if (isServerError(err)) {
    const timedOut = err.code === '57014';
    return new OpsError(
      'QUERY_FAILED',
      timedOut
        ? `Reading pg_stat_activity took more than ${SNAPSHOT_TIMEOUT_MS / 1000} s on ${profile.name}; the server is struggling (try the Emergency panel or again in a moment).`
        : `Reading the server's activity failed: ${err.message} (SQLSTATE ${err.code})`,
      { sqlstate: err.code },
    );
  }
  return toOpsError(err, profile);
}

export async function takeSnapshot(deps: Deps, profile: Profile, password?: string): Promise<ActivitySnapshot> {
  const thresholdOf = profileThresholds(deps, profile.id);
  const row = await withClient(
    deps,
    profile,
    async (client) => {
      try {
        return await withTimeout(client, SNAPSHOT_TIMEOUT_MS, async () => (await client.query<SnapshotRow>(SNAPSHOT_SQL)).rows[0]);
      } catch (err) {
        throw snapshotError(err, profile);
      }
    },
    password !== undefined ? { password } : {},
  ).catch((err: unknown) => {
    throw toOpsError(err, profile);
  });
  if (!row) throw new OpsError('QUERY_FAILED', 'The activity query returned nothing.');
  const sessions = row.sessions.map(toSessionRow);
  const clients = sessions.filter((s) => s.backendType === 'client backend');
  const byState: Record<string, number> = {};
  for (const s of clients) byState[s.state ?? 'unknown'] = (byState[s.state ?? 'unknown'] ?? 0) + 1;
  // Our own snapshot connection holds a slot too: counted against max_connections, and as
  // the active session it is while the snapshot runs, so the states add up to the total.
  byState.active = (byState.active ?? 0) + 1;
  const connections = clients.length + 1;
  const connThreshold = thresholdOf('connections');
  const queryThreshold = thresholdOf('queryTime');
  const queryWarnMs = queryThreshold.warn * 1000;
  const base = {
    superuser: row.superuser === true,
    signalBackend: row.signal_backend || row.superuser === true,
    readAllStats: row.read_all_stats || row.superuser === true,
  };
  return {
    at: row.at.toISOString(),
    profile: profile.name,
    serverVersion: row.server_version,
    maxConnections: row.max_connections,
    connections,
    byState,
    connectionStatus: judge(connections, connThreshold).status,
    connectionWarn: connThreshold.warn,
    connectionCritical: connThreshold.critical,
    queryWarnMs,
    queryCriticalMs: queryThreshold.critical === null ? null : queryThreshold.critical * 1000,
    sessions,
    blocking: buildBlockingTree(sessions, lockHolds(row.held)),
    longRunning: sessions
      .filter((s) => s.state === 'active' && s.queryDurationMs !== null && s.queryDurationMs > queryWarnMs)
      .sort((a, b) => (b.queryDurationMs ?? 0) - (a.queryDurationMs ?? 0))
      .map((s) => s.pid),
    lockWaits: sessions.filter((s) => s.waitEventType === 'Lock').length,
    databaseSizeBytes: Number(row.database_size),
    privileges: { ...base, note: privilegesNote(base) },
    queryMs: row.query_ms,
  };
}

// VACUUM (ANALYZE) of one table with live progress. VACUUM cannot run inside a transaction
// block, so it gets its own connection in autocommit; a second connection watches
// pg_stat_progress_vacuum (pg_stat_progress_cluster for FULL, pg_stat_progress_analyze for
// the ANALYZE that follows) by the first one's pid about once a second and pushes
// `vacuum.progress` events. Read-only profiles are refused, FULL on production needs the
// profile's name typed (it rewrites the table under an ACCESS EXCLUSIVE lock).
import crypto from 'node:crypto';
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { VacuumProgressEvent, VacuumResult } from '../../contract/monitoring';
import { clip, refuseReadOnly, refuseReadOnlyUnconfirmed } from '../platform/guard/signals';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote } from '../platform/kernel/dispatch';
import { log } from '../platform/kernel/log';
import type { Job, JobRegistry } from '../platform/jobs/registry';
import { withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { qualifiedName } from '../platform/postgres/sql-text';
import { num, REPORT_TIMEOUT_MS } from './report-read';

export const PROGRESS_INTERVAL_MS = 1000;
/** The first look comes sooner, so even a short VACUUM shows where it is. */
const FIRST_POLL_MS = 200;
/**
 * How long VACUUM may wait for its table lock. Waiting is not harmless: a queued lock
 * request blocks every later conflicting one — for FULL's ACCESS EXCLUSIVE that is every
 * reader of the table — so it gives up and says who is in the way instead.
 */
export const VACUUM_LOCK_TIMEOUT_MS = 5000;

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels' | 'events'>;

export interface VacuumRequest {
  schema: string;
  table: string;
  analyze: boolean;
  full: boolean;
  confirmName?: string | undefined;
  jobId?: string | undefined;
  password?: string | undefined;
}

interface TargetRow {
  relkind: string;
  owner: string;
  dead: string | null;
  pid: number;
  version: number;
}

const TARGET_SQL = `
SELECT c.relkind, pg_get_userbyid(c.relowner) AS owner, s.n_dead_tup AS dead, pg_backend_pid() AS pid,
       current_setting('server_version_num')::int AS version
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
WHERE n.nspname = $1 AND c.relname = $2`;

const DEAD_SQL = 'SELECT n_dead_tup AS dead FROM pg_stat_all_tables WHERE schemaname = $1 AND relname = $2';

export function vacuumSql(req: Pick<VacuumRequest, 'schema' | 'table' | 'analyze' | 'full'>): string {
  const options = [...(req.full ? ['FULL'] : []), ...(req.analyze ? ['ANALYZE'] : [])];
  return `VACUUM ${options.length > 0 ? `(${options.join(', ')}) ` : ''}${qualifiedName(req.schema, req.table)}`;
}

/** One statement for whatever the pid is doing: vacuum, rewrite (FULL) or the ANALYZE after it. */
export function progressSql(version: number): string {
  const parts = [
    `SELECT 'vacuum' AS kind, phase, heap_blks_total AS total, heap_blks_scanned AS done FROM pg_stat_progress_vacuum WHERE pid = $1`,
    ...(version >= 120000 ? [`SELECT 'cluster', phase, heap_blks_total, heap_blks_scanned FROM pg_stat_progress_cluster WHERE pid = $1`] : []),
    ...(version >= 130000 ? [`SELECT 'analyze', phase, sample_blks_total, sample_blks_scanned FROM pg_stat_progress_analyze WHERE pid = $1`] : []),
  ];
  return `SELECT p.phase, p.total, p.done, (SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1) AS wait
FROM (SELECT NULL::text AS phase, NULL::int8 AS total, NULL::int8 AS done) dummy
LEFT JOIN (${parts.join(' UNION ALL ')}) p ON true
LIMIT 1`;
}

interface ProgressRow {
  phase: string | null;
  total: string | null;
  done: string | null;
  wait: string | null;
}

export function toProgressEvent(jobId: string, row: ProgressRow | undefined, elapsedMs: number): VacuumProgressEvent {
  const total = row?.total === null || row?.total === undefined ? null : num(row.total);
  const done = row?.done === null || row?.done === undefined ? null : num(row.done);
  const phase = row?.phase ?? (row?.wait === 'Lock' ? 'waiting for the table lock' : 'starting');
  const percent = total !== null && done !== null && total > 0 ? Math.min(100, Math.round((1000 * done) / total) / 10) : null;
  return { type: 'vacuum.progress', jobId, phase, done, total, percent, elapsedMs };
}

/** Polls the progress views by pid until stopped; failures to poll only cost the progress display. */
function watchProgress(watcher: pg.Client, deps: Deps, jobId: string, pid: number, version: number, started: number): () => Promise<void> {
  const sql = progressSql(version);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = (): void => {
    inFlight = watcher
      .query<ProgressRow>(sql, [pid])
      .then((res) => {
        if (!stopped) deps.events.emit(toProgressEvent(jobId, res.rows[0], Date.now() - started));
      })
      .catch((err: unknown) => log.warn('vacuum progress poll failed', err instanceof Error ? err.message : String(err)))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, PROGRESS_INTERVAL_MS);
      });
  };
  timer = setTimeout(tick, FIRST_POLL_MS);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await inFlight;
  };
}

function vacuumError(err: unknown, profile: Profile, target: string): Error {
  if (!isServerError(err)) return toOpsError(err, profile);
  if (err.code === '55P03') {
    return new OpsError(
      'QUERY_FAILED',
      `VACUUM of ${target} could not get its lock within ${VACUUM_LOCK_TIMEOUT_MS / 1000} s: another session holds a conflicting lock (a running autovacuum, DDL or a long transaction). See the Activity screen, then try again.`,
      { sqlstate: err.code },
    );
  }
  return new OpsError('QUERY_FAILED', `VACUUM of ${target} failed: ${err.message} (SQLSTATE ${err.code})`, { sqlstate: err.code });
}

async function lookUp(client: pg.Client, profile: Profile, req: VacuumRequest, target: string): Promise<TargetRow> {
  const row = (await client.query<TargetRow>(TARGET_SQL, [req.schema, req.table])).rows[0];
  if (!row) throw new OpsError('NOT_FOUND', `There is no table ${target} in database "${profile.database}" (names are case-sensitive, give them unquoted).`);
  if (!['r', 'm', 't', 'p'].includes(row.relkind)) {
    throw new OpsError('INVALID_INPUT', `${target} is not a table or materialized view: VACUUM only applies to those.`);
  }
  return row;
}

/** Dead tuples after VACUUM; before 15 the statistics arrive a moment later, through the collector. */
async function deadAfter(client: pg.Client, req: VacuumRequest, version: number, before: number): Promise<number> {
  const read = async (): Promise<number> => num((await client.query<{ dead: string | null }>(DEAD_SQL, [req.schema, req.table])).rows[0]?.dead);
  let dead = await read();
  for (let i = 0; version < 150000 && dead === before && before > 0 && i < 10; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    dead = await read();
  }
  return dead;
}

/** Runs as a job of `jobs`: closing the core cancels it (pg_cancel_backend of the VACUUM) and waits for it. */
export async function runVacuum(deps: Deps, profile: Profile, req: VacuumRequest, audit: AuditNote, jobs: JobRegistry<VacuumResult>): Promise<VacuumResult> {
  audit.profile = profile.name;
  const what = req.full ? 'VACUUM FULL' : 'VACUUM';
  const target = qualifiedName(req.schema, req.table);
  if (req.full) refuseReadOnlyUnconfirmed(profile, what, req.confirmName, audit);
  else refuseReadOnly(profile, what, audit);
  const jobId = req.jobId ?? crypto.randomUUID();
  const sql = vacuumSql(req);
  audit.detail = sql;
  const options = req.password !== undefined ? { password: req.password } : {};
  return jobs.start({ id: jobId, jobId }, (job) => vacuumJob(deps, profile, req, audit, job, { what, target, sql, options })).done;
}

async function vacuumJob(
  deps: Deps,
  profile: Profile,
  req: VacuumRequest,
  audit: AuditNote,
  job: Job,
  { what, target, sql, options }: { what: string; target: string; sql: string; options: { password?: string } },
): Promise<VacuumResult> {
  const jobId = job.jobId;
  try {
    return await withClient(
      deps,
      profile,
      async (main) => {
        const skipped: string[] = [];
        main.on('notice', (n) => {
          if (/^skipping /i.test(n.message ?? '')) skipped.push(n.message ?? '');
        });
        await main.query(`SET statement_timeout = ${REPORT_TIMEOUT_MS}`);
        const found = await lookUp(main, profile, req, target);
        const before = num(found.dead);
        // A maintenance command the DBA started on purpose, with its progress on screen:
        // the profile's console statement timeout would throw away the work half-done.
        await main.query(`SET statement_timeout = 0; SET lock_timeout = ${VACUUM_LOCK_TIMEOUT_MS}`);
        const started = Date.now();
        await withClient(
          deps,
          profile,
          async (watcher) => {
            await watcher.query(`SET statement_timeout = ${REPORT_TIMEOUT_MS}`);
            const stop = watchProgress(watcher, deps, jobId, found.pid, found.version, started);
            // A cancel stops the VACUUM on the server, not only our wait for it.
            job.onCancel(() => void watcher.query('SELECT pg_cancel_backend($1)', [found.pid]).catch(() => undefined));
            try {
              if (job.cancelled) throw new Error('cancelled before it started');
              await main.query(sql);
            } finally {
              await stop();
            }
          },
          options,
        );
        const durationMs = Date.now() - started;
        if (skipped.length > 0) {
          // PostgreSQL only warns and does nothing when the role may not vacuum the table.
          throw new OpsError(
            'QUERY_FAILED',
            `VACUUM skipped ${target}: only its owner ("${found.owner}"), the database owner or a superuser may vacuum it, and "${profile.user}" is none of these. (${clip(skipped[0] ?? '', 200)})`,
            { sqlstate: '42501' },
          );
        }
        await main.query(`SET statement_timeout = ${REPORT_TIMEOUT_MS}`);
        const after = await deadAfter(main, req, found.version, before);
        deps.events.emit({ type: 'vacuum.progress', jobId, phase: 'completed', done: null, total: null, percent: 100, elapsedMs: durationMs });
        audit.summary = `${what}${req.analyze ? ' ANALYZE' : ''} ${target} on ${profile.name}: ${(durationMs / 1000).toFixed(1)} s, dead tuples ${before} → ${after}`;
        return { schema: req.schema, table: req.table, full: req.full, analyze: req.analyze, durationMs, deadTuplesBefore: before, deadTuplesAfter: after };
      },
      options,
    );
  } catch (err) {
    const error = job.cancelled
      ? new OpsError('QUERY_FAILED', `${what} of ${target} was stopped: ${job.cancelReason}.`, { cancelled: true })
      : err instanceof OpsError
        ? err
        : vacuumError(err, profile, target);
    deps.events.emit({ type: 'vacuum.progress', jobId, phase: 'failed', done: null, total: null, percent: null, elapsedMs: 0 });
    audit.summary ??= `${what} ${target} on ${profile.name} failed: ${clip(error.message, 200)}`;
    throw error;
  }
}

// Timed restore drills: a backup restored into a fresh local scratch PostgreSQL, validated,
// timed against the runbook's recovery objectives and thrown away. Nothing here needs the
// source server: its prepare_disaster_recovery() output is read when it answers, and
// when it does not the drill goes on and the report says so. The scratch cluster is always
// removed, whatever happened; the record, the audit entry and `job.done` say how it went.
import crypto from 'node:crypto';
import pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import { RECOVERY_OBJECTIVES, type BackupContents, type DrillRecord, type RestoreProgressEvent } from '../../contract/restore';
import type { CoreDeps } from '../platform/kernel/deps';
import { errorText } from '../platform/tools/tool-process';
import { log } from '../platform/kernel/log';
import { JobRegistry, type Job } from '../platform/jobs/registry';
import { withClient } from '../platform/postgres/connect';
import { formatDuration } from './drill-report';
import { withReport, type DrillStore, type StoredDrill } from './drill-store';
import { replicaEnv, restoreArgs, type RestoreConnection } from './plan';
import { listArchive } from '../platform/tools/archive';
import {
  applyCapturedGrants,
  drillNotes,
  standInForDrill,
  supabaseCaptureOf,
  supabaseRestoreArgs,
  writeRestoreList,
  type SupabasePrep,
} from './supabase-restore';
import { runRestoreProcess } from './runner';
import { createScratchCluster, type ScratchCluster } from './scratch';
import { validateRestore } from './validate';
import type { PreparedDrill } from './drill-prepare';
import { explainRefusal, prepareUnprivileged, runsUnprivileged } from './unprivileged';
import { quoteIdent } from '../platform/postgres/sql-text';
import { releaseStaged } from './offsite-source';

export interface DrillContext {
  actor: string;
  via: string;
  jobId?: string;
}

/** Its id is the drill id. */
type RunningDrill = Job;

type Progress = Pick<RestoreProgressEvent, 'phase' | 'done' | 'total' | 'unit' | 'current'>;

const DR_CONNECT_TIMEOUT_MS = 5_000;

function cellOf(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/**
 * prepare_disaster_recovery(false) on the source: read-only (no baseline is recorded, the
 * drill changes nothing on the server). Never throws: an unreachable server is a note.
 */
async function readDisasterRecovery(deps: CoreDeps, profile: Profile | null, notes: string[]): Promise<DrillRecord['disasterRecovery']> {
  if (!profile) {
    notes.push('prepare_disaster_recovery() was not read: the backup is not linked to a profile.');
    return null;
  }
  try {
    return await withClient(
      deps,
      profile,
      async (client) => {
        const present = await client.query<{ present: boolean }>(
          `SELECT to_regprocedure('ops_toolkit.prepare_disaster_recovery(boolean)') IS NOT NULL AS present`,
        );
        if (!present.rows[0]?.present) {
          notes.push(`prepare_disaster_recovery() was not read: the ops toolkit is not installed on ${profile.name}.`);
          return null;
        }
        const res = await client.query<unknown[]>({ text: 'SELECT * FROM ops_toolkit.prepare_disaster_recovery(false)', rowMode: 'array' });
        return { columns: res.fields.map((f) => f.name), rows: res.rows.map((row) => row.map(cellOf)) };
      },
      { connectTimeoutMs: DR_CONNECT_TIMEOUT_MS },
    );
  } catch (err) {
    notes.push(`prepare_disaster_recovery() could not be read from ${profile.name} (${errorText(err)}); the drill itself needs no server.`);
    return null;
  }
}

async function onScratch<T>(connection: RestoreConnection, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password ?? undefined,
    database,
    ssl: false,
    application_name: 'ops-console drill',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The restored database is named like the source's, so its toolkit functions see the same name. */
function drillDatabase(contents: BackupContents): string {
  return contents.manifest?.profile.database ?? 'restore_drill';
}

/**
 * Met only when the drill ended ok. A failed drill misses what it measured (the backup's
 * age proves nothing about a backup that did not restore); what it never got to measure,
 * like the restore time of a restore that broke off, stays unmeasured. A cancelled drill
 * measured nothing.
 */
export function objectiveMet(status: DrillRecord['status'], measured: number | null, target: number): boolean | null {
  if (measured === null || (status !== 'ok' && status !== 'failed')) return null;
  return status === 'ok' && measured <= target;
}

/**
 * A fresh cluster already holds `postgres`, `template0` and `template1`, and every
 * Supabase project's database is `postgres`: a name the cluster holds is dropped and made
 * again from template0 (from template1's side, since one cannot drop the database one is
 * on). Templates cannot be dropped: a dump of one is restored under another name.
 */
async function freshDrillDatabase(admin: RestoreConnection, wanted: string): Promise<string> {
  return onScratch(admin, 'template1', async (c) => {
    const found = await c.query<{ template: boolean }>('SELECT datistemplate AS template FROM pg_catalog.pg_database WHERE datname = $1', [wanted]);
    const existing = found.rows[0];
    const database = existing?.template ? `${wanted}_drill` : wanted;
    if (existing && !existing.template) await c.query(`DROP DATABASE ${quoteIdent(database)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(database)} TEMPLATE template0`);
    return database;
  });
}

/** One registry per core: starts drills, cancels them, and ends them all when the core closes. */
export class DrillJobs {
  private readonly running = new JobRegistry<StoredDrill>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly store: DrillStore,
  ) {}

  /** Records the drill as running and starts it; answers at once. */
  start(prepared: PreparedDrill, ctx: DrillContext): { drillId: string; jobId: string; done: Promise<StoredDrill> } {
    const id = crypto.randomUUID();
    const jobId = ctx.jobId ?? crypto.randomUUID();
    const initial = this.initialRecord(id, prepared);
    this.store.insert(initial);
    const { done } = this.running.start({ id, jobId }, (job) => this.run(job, prepared, initial, ctx));
    return { drillId: id, jobId, done };
  }

  /** By drill id or job id; false when it is not running (any more). */
  cancel(id: string, reason = 'cancelled by the user'): boolean {
    return this.running.cancel(id, reason);
  }

  disposeAll(): Promise<void> {
    return this.running.disposeAll('the app closed while the drill ran');
  }

  private initialRecord(id: string, p: PreparedDrill): StoredDrill {
    const { corruption } = RECOVERY_OBJECTIVES;
    return withReport({
      id,
      profileId: p.profileId,
      profileName: p.profileName,
      backupId: p.backupId,
      backupPath: p.backupPath,
      backupCreatedAt: p.backupCreatedAt,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      status: 'running',
      restoreMs: null,
      totalMs: null,
      validation: null,
      rtoTargetMs: corruption.rtoMs,
      rtoMet: null,
      backupAgeMs: null,
      rpoTargetMs: corruption.rpoMs,
      rpoMet: null,
      scratchVersion: null,
      disasterRecovery: null,
      error: null,
      notes: [...p.notes],
    });
  }

  private checkCancelled(job: RunningDrill): void {
    if (job.cancelReason !== null) throw new OpsError('CANCELLED', `Drill cancelled: ${job.cancelReason}.`);
  }

  private async run(job: RunningDrill, p: PreparedDrill, initial: StoredDrill, ctx: DrillContext): Promise<StoredDrill> {
    const started = Date.parse(initial.startedAt);
    const notes = [...initial.notes];
    const backupAgeMs = p.backupCreatedAt ? started - Date.parse(p.backupCreatedAt) : null;
    const auditId = this.deps.audit.begin({
      actor: ctx.actor,
      action: 'drill.run',
      profile: p.profileName,
      summary: `restore drill of ${p.backupPath} into a local scratch PostgreSQL ${p.scratchMajor > 0 ? `${p.scratchMajor}+ ` : ''}(via ${ctx.via})`,
      detail: null,
    });
    let progress: Progress = { phase: 'preparing', done: 0, total: 0, unit: 'items', current: 'starting a scratch PostgreSQL' };
    let restoreStarted: number | null = null;
    const emit = () => this.emitProgress(job, progress, started, restoreStarted);
    emit();
    // At least once a second, also while initdb or a long table copy says nothing.
    const ticker = setInterval(emit, 1_000);
    const disasterRecovery = readDisasterRecovery(this.deps, p.profile, notes);
    let scratch: ScratchCluster | null = null;
    let restoreMs: number | null = null;
    let validation: DrillRecord['validation'] = null;
    let status: DrillRecord['status'] = 'ok';
    let error: string | null = null;
    try {
      scratch = await createScratchCluster(this.deps, p.scratchMajor, job.id);
      this.checkCancelled(job);
      const database = await freshDrillDatabase(scratch.connection, drillDatabase(p.contents));
      let connection: RestoreConnection = { ...scratch.connection, database };
      let unprivilegedList: string | null = null;
      if (runsUnprivileged(p.contents)) {
        const admin = connection;
        const run = await prepareUnprivileged(this.deps.home, p.tool, p.contents, admin, (as, db, fn) =>
          onScratch(as, db, (c) => fn((sql, values) => c.query(sql, values))),
        );
        connection = run.connection;
        unprivilegedList = run.listFile;
        notes.push(...run.notes);
      }
      let { args } = restoreArgs(p.contents, { jobs: p.jobs, noOwner: true, noPrivileges: true, clean: false }, connection);
      if (unprivilegedList !== null) args.splice(args.length - 1, 0, '-L', unprivilegedList);
      const capture = p.contents.format === 'plain' ? null : supabaseCaptureOf(p.contents.manifest);
      let supabasePrep: SupabasePrep | null = null;
      if (capture) {
        // A Supabase backup drills offline: the scratch database stands in for the platform first.
        const toc = (await listArchive(p.tool, p.contents.path)).toc;
        const prep = await onScratch(connection, database, (c) => standInForDrill(c, toc, capture));
        supabasePrep = prep;
        args = supabaseRestoreArgs(args, await writeRestoreList(this.deps.home, p.contents.path, prep.listText));
        connection = { ...connection, env: { ...connection.env, ...replicaEnv(prep) } };
        notes.push(...drillNotes(prep));
      }
      progress = { phase: 'restoring', done: 0, total: p.contents.tocEntries ?? 0, unit: p.contents.format === 'plain' ? 'bytes' : 'items', current: null };
      restoreStarted = Date.now();
      emit();
      await runRestoreProcess(this.deps, p.contents, connection, p.tool, args, {
        signal: job.abort.signal,
        onProgress: (update) => {
          progress = { phase: 'restoring', ...update };
        },
      });
      if (supabasePrep) await onScratch(connection, database, (c) => applyCapturedGrants(c, supabasePrep!));
      restoreMs = Date.now() - restoreStarted;
      this.checkCancelled(job);
      progress = { ...progress, phase: 'validating', current: 'row counts, sequences, constraints, objects' };
      emit();
      validation = await onScratch(connection, database, (c) => validateRestore(c, p.contents));
      if (!validation.ok) {
        status = 'failed';
        error = `The restore finished but validation failed: ${validation.checks
          .filter((c) => !c.ok)
          .map((c) => `${c.name} (${c.detail})`)
          .join('; ')}`;
      }
    } catch (err) {
      status = job.cancelReason !== null ? 'cancelled' : 'failed';
      error =
        job.cancelReason !== null ? `Drill cancelled: ${job.cancelReason}.` : runsUnprivileged(p.contents) ? explainRefusal(errorText(err)) : errorText(err);
    } finally {
      progress = { ...progress, phase: 'cleaning-up', current: 'stopping and deleting the scratch PostgreSQL' };
      emit();
      releaseStaged(this.deps.store.db, p.contents.path);
      await scratch?.destroy();
      clearInterval(ticker);
    }
    const dr = await disasterRecovery;
    const finished = Date.now();
    const record = withReport({
      ...initial,
      finishedAt: new Date(finished).toISOString(),
      status,
      restoreMs,
      totalMs: finished - started,
      validation,
      // A failed drill recovered nothing: neither objective is met, whatever the clock says.
      rtoMet: objectiveMet(status, restoreMs, initial.rtoTargetMs),
      backupAgeMs,
      rpoMet: objectiveMet(status, backupAgeMs, initial.rpoTargetMs),
      scratchVersion: scratch?.version ?? null,
      disasterRecovery: dr,
      error,
      notes,
    });
    return this.finish(job, record, auditId, progress);
  }

  private finish(job: RunningDrill, record: StoredDrill, auditId: number, last: Progress): StoredDrill {
    try {
      this.store.update(record);
    } catch (err) {
      log.error('could not record the finished drill', err);
    }
    const ok = record.status === 'ok';
    const summary = ok
      ? `drill of ${record.backupPath}: restored in ${formatDuration(record.restoreMs)} (RTO ${formatDuration(record.rtoTargetMs)} ${record.rtoMet ? 'met' : 'MISSED'}), backup age ${formatDuration(record.backupAgeMs)}, validation passed`
      : `drill of ${record.backupPath} ${record.status}: ${record.error ?? 'unknown error'}`;
    const durationMs = record.totalMs ?? 0;
    if (ok) this.deps.audit.complete(auditId, { outcome: 'ok', durationMs, summary });
    else
      this.deps.audit.complete(auditId, {
        outcome: 'error',
        durationMs,
        error: `${record.status === 'cancelled' ? 'CANCELLED' : 'BACKUP_FAILED'}: ${record.error ?? record.status}`,
      });
    this.emitProgress(job, { ...last, phase: 'done', current: null }, Date.parse(record.startedAt), null, !ok);
    this.deps.events.emit({ type: 'job.done', jobId: job.jobId, kind: 'drill', ok, message: summary, at: record.finishedAt ?? new Date().toISOString() });
    return record;
  }

  private emitProgress(job: RunningDrill, p: Progress, started: number, restoreStarted: number | null, failed = false): void {
    const now = Date.now();
    const percent = p.phase === 'done' ? (failed ? null : 100) : p.total > 0 ? Math.min(100, (p.done / p.total) * 100) : null;
    let etaMs: number | null = null;
    if (p.phase === 'restoring' && restoreStarted !== null && p.done > 0 && p.total > 0)
      etaMs = Math.max(0, Math.round(((now - restoreStarted) / p.done) * (p.total - p.done)));
    this.deps.events.emit({
      type: 'restore.progress',
      jobId: job.jobId,
      restoreId: job.id,
      phase: p.phase,
      done: p.done,
      total: p.total,
      unit: p.unit,
      percent,
      elapsedMs: now - started,
      etaMs,
      current: p.current,
    });
  }
}

// Runs a prepared restore as a job: the pre-restore backup of a production target, CREATE
// DATABASE for a new one, pg_restore/psql (restore-process.ts), validation, the `restores`
// row, one audit entry from start to end, `restore.progress` events and `job.done`. A new
// database whose restore failed is dropped again; a plain script runs in one transaction,
// so a failure leaves an existing target as it was.
import crypto from 'node:crypto';
import path from 'node:path';
import { backupOptionsSchema, type BackupEntry } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { RestoreProgressEvent, RestoreRecord, ValidationReport } from '../../contract/restore';
import type { CoreDeps } from '../platform/kernel/deps';
import type { BackupDomain } from '../backup';
import { errorText } from '../platform/tools/tool-process';
import { prepareBackup } from '../backup';
import { log } from '../platform/kernel/log';
import { JobRegistry, type Job } from '../platform/jobs/registry';
import { withClient } from '../platform/postgres/connect';
import type { PreparedRestore } from './plan';
import { runRestoreProcess } from './restore-process';
import type { RestoreStore } from './restore-store';
import { validateRestore } from './validate';
import { applyCapturedGrants, dropRolesQuietly, preparePlatform } from './supabase-restore';
import { quoteIdent } from '../platform/postgres/sql-text';
import { startTicker } from '../platform/tools/progress';
import { releaseStaged } from './offsite-source';

export { runRestoreProcess, type RestoreProcessHooks, type RestoreProcessProgress } from './restore-process';

export interface RestoreJobContext {
  actor: string;
  via: string;
  jobId?: string;
}

/** The item (or byte) counts pg_restore/psql reported last: later phases keep showing them. */
type Counts = Pick<RestoreProgressEvent, 'done' | 'total' | 'unit'>;
type RestoreJobState = { preBackupId: string | null; counts: Counts | null };

/** Its id is the restore id; the backup taken before it, once started. */
type RunningRestoreJob = Job<RestoreJobState>;

/** A profile name for the restored scratch copy: the database name, numbered when taken. */
function freeProfileName(deps: CoreDeps, base: string): string {
  for (let n = 1; n < 1000; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!deps.profiles.getByName(name)) return name;
  }
  return `${base}-${crypto.randomBytes(3).toString('hex')}`;
}

export class RestoreJobs {
  private readonly running = new JobRegistry<RestoreRecord, RestoreJobState>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly backup: BackupDomain,
    private readonly store: RestoreStore,
  ) {}

  /** Records the restore as running and starts it; the outcome comes through `done`, events and the store. */
  async start(prepared: PreparedRestore, ctx: RestoreJobContext): Promise<{ restoreId: string; jobId: string; done: Promise<RestoreRecord> }> {
    const restoreId = crypto.randomUUID();
    const jobId = ctx.jobId ?? crypto.randomUUID();
    const { plan } = prepared;
    this.store.insertRunning({
      id: restoreId,
      backupId: prepared.contents.backupId,
      sourcePath: prepared.contents.path,
      targetKind: plan.target.kind,
      profileId: plan.target.kind === 'scratch' ? null : (prepared.profile?.id ?? null),
      target: plan.target.profile,
      database: plan.target.database,
      startedAt: new Date().toISOString(),
      command: plan.command,
    });
    const { done } = this.running.start({ id: restoreId, jobId }, (job) => this.run(job, prepared, ctx), { preBackupId: null, counts: null });
    return { restoreId, jobId, done };
  }

  /** By restore id or job id; false when it is not running. */
  cancel(id: string, reason = 'cancelled by the user'): boolean {
    return this.running.cancel(id, reason);
  }

  isRunning(id: string): boolean {
    return this.running.isRunning(id);
  }

  get(id: string): RestoreRecord | null {
    return this.store.get(id);
  }

  list(filter: { profileId?: string; limit: number }): RestoreRecord[] {
    return this.store.list(filter);
  }

  disposeAll(): Promise<void> {
    return this.running.disposeAll('stopped because the app closed');
  }

  private emit(job: RunningRestoreJob, e: Omit<RestoreProgressEvent, 'type' | 'jobId' | 'restoreId'>): void {
    this.deps.events.emit({ type: 'restore.progress', jobId: job.jobId, restoreId: job.id, ...e });
  }

  // Validation and clean-up keep the restore's own counts in view ("112 of 112 items"), not 0 of 0.
  private phase(job: RunningRestoreJob, phase: RestoreProgressEvent['phase'], started: number): void {
    const counts = job.state.counts ?? { done: 0, total: 0, unit: 'items' };
    this.emit(job, { phase, ...counts, percent: null, elapsedMs: Date.now() - started, etaMs: null, current: null });
  }

  private async run(job: RunningRestoreJob, prepared: PreparedRestore, ctx: RestoreJobContext): Promise<RestoreRecord> {
    const { plan, contents, connection } = prepared;
    const started = Date.now();
    const targetText = `${plan.target.profile} / ${plan.target.database}`;
    const auditId = this.deps.audit.begin({
      actor: ctx.actor,
      action: 'restore.run',
      profile: plan.target.kind === 'scratch' ? null : plan.target.profile,
      summary: `restore of ${path.basename(contents.path)} into ${targetText} (${plan.target.kind}, via ${ctx.via})`,
      detail: plan.command,
    });
    this.phase(job, 'preparing', started);
    let created = false;
    let restoring = false;
    let rolesMade: string[] = [];
    try {
      if (plan.preRestoreBackup) await this.preRestoreBackup(job, prepared, ctx, started);
      this.throwIfCancelled(job);
      if (prepared.createDatabase) {
        await this.admin(prepared, (c) => c.query(`CREATE DATABASE ${quoteIdent(connection.database)} TEMPLATE template0`));
        created = true;
      }
      this.throwIfCancelled(job);
      // Supabase backups: part one, the roles (and stand-ins) in their own transaction.
      const supabase = prepared.supabase;
      if (supabase) {
        await this.target(prepared, (c) => preparePlatform(c, supabase));
        rolesMade = supabase.rolesToCreate.map((r) => r.name);
      }
      const restoreStarted = Date.now();
      restoring = true;
      await runRestoreProcess(this.deps, contents, connection, plan.tool, plan.args, {
        signal: job.abort.signal,
        onProgress: (p) => {
          const elapsedMs = Date.now() - restoreStarted;
          const fraction = p.total > 0 ? p.done / p.total : 0;
          const etaMs = fraction >= 0.01 && fraction < 1 && elapsedMs >= 1000 ? Math.round((elapsedMs * (1 - fraction)) / fraction) : fraction >= 1 ? 0 : null;
          job.state.counts = { done: p.done, total: p.total, unit: p.unit };
          this.emit(job, {
            phase: 'restoring',
            done: p.done,
            total: p.total,
            unit: p.unit,
            percent: Math.round(fraction * 1000) / 10,
            elapsedMs: Date.now() - started,
            etaMs,
            current: p.current,
          });
        },
      });
      // The archive part committed: its roles are in use from here on, a later failure keeps them.
      rolesMade = [];
      // Part three: the API roles' grants exactly as captured (the target's default privileges add to pg_dump's).
      if (supabase) await this.target(prepared, (c) => applyCapturedGrants(c, supabase));
      this.throwIfCancelled(job);
      this.phase(job, 'validating', started);
      // Counting a big table's rows takes seconds: the progress view keeps hearing from us.
      const validatingTicker = startTicker(async () => this.phase(job, 'validating', started));
      const validation = await this.target(prepared, (c) => validateRestore(c, contents)).finally(() => validatingTicker.stop());
      if (validation.ok && plan.target.kind === 'scratch') this.addScratchProfile(prepared);
      return this.succeed(job, prepared, { started, auditId, validation });
    } catch (err) {
      return this.fail(job, prepared, { err, started, auditId, created, restoring, rolesMade });
    } finally {
      releaseStaged(this.deps.store.db, contents.path);
    }
  }

  private throwIfCancelled(job: RunningRestoreJob): void {
    if (job.cancelReason !== null) throw new OpsError('CANCELLED', `Restore ${job.cancelReason}.`);
  }

  /** A connection to the profile's own database (CREATE/DROP DATABASE). */
  private admin<T>(prepared: PreparedRestore, fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
    const profile = this.requireProfile(prepared);
    return withClient(this.deps, profile, fn, this.connectOptions(prepared));
  }

  /** A connection to the restored database. */
  private target<T>(prepared: PreparedRestore, fn: (c: import('pg').Client) => Promise<T>): Promise<T> {
    const profile = this.requireProfile(prepared);
    return withClient(this.deps, { ...profile, database: prepared.connection.database, statementTimeoutMs: null }, fn, this.connectOptions(prepared));
  }

  private requireProfile(prepared: PreparedRestore): Profile {
    if (!prepared.profile) throw new OpsError('INTERNAL', 'The restore target has no profile to connect with.');
    return prepared.profile;
  }

  private connectOptions(prepared: PreparedRestore): { password?: string; endpoint?: { host: string; port: number } } {
    const { connection, profile } = prepared;
    return {
      ...(connection.password !== null ? { password: connection.password } : {}),
      ...(profile?.ssh ? { endpoint: { host: connection.env.PGHOSTADDR ?? '127.0.0.1', port: connection.port } } : {}),
    };
  }

  private async preRestoreBackup(job: RunningRestoreJob, prepared: PreparedRestore, ctx: RestoreJobContext, started: number): Promise<void> {
    const profile = this.requireProfile(prepared);
    this.phase(job, 'pre-backup', started);
    const options = backupOptionsSchema.parse({
      profileId: profile.id,
      format: 'custom',
      description: `taken before restore ${job.id}`,
      ...(prepared.options.password ? { password: prepared.options.password } : {}),
    });
    const backupPrepared = await prepareBackup(this.deps, profile, options);
    this.throwIfCancelled(job);
    const startedBackup = await this.backup.jobs.start(backupPrepared, { actor: ctx.actor, via: ctx.via });
    job.state.preBackupId = startedBackup.backupId;
    // Cancelling the restore cancels the backup taken for it (at once if that happened meanwhile).
    job.onCancel((reason) => this.backup.jobs.cancel(startedBackup.backupId, `the restore it was taken for was ${reason}`));
    this.store.setPreRestoreBackup(job.id, startedBackup.backupId);
    const entry: BackupEntry = await startedBackup.done;
    this.throwIfCancelled(job);
    if (entry.status !== 'ok') {
      throw new OpsError(
        'BACKUP_FAILED',
        `The backup of ${profile.name} taken before the restore ${entry.status === 'cancelled' ? 'was cancelled' : 'failed'}${entry.error ? ` (${entry.error})` : ''}; nothing was restored.`,
        { backupId: entry.id },
      );
    }
  }

  private addScratchProfile(prepared: PreparedRestore): void {
    const sandbox = this.requireProfile(prepared);
    try {
      this.deps.profiles.create({
        name: freeProfileName(this.deps, prepared.connection.database),
        host: sandbox.host,
        port: sandbox.port,
        database: prepared.connection.database,
        user: sandbox.user,
        sslmode: sandbox.sslmode,
        sslRootCert: sandbox.sslRootCert,
        env: 'sandbox',
        readOnly: false,
        statementTimeoutMs: null,
        notes: `Restored from ${prepared.contents.path}`,
        contacts: [],
        escalationLevel: null,
        ssh: null,
        storage: null,
      });
    } catch (err) {
      log.warn('could not add a profile for the restored scratch database', errorText(err));
    }
  }

  private succeed(job: RunningRestoreJob, prepared: PreparedRestore, r: { started: number; auditId: number; validation: ValidationReport }): RestoreRecord {
    const durationMs = Date.now() - r.started;
    const finishedAt = new Date().toISOString();
    const failed = r.validation.checks.filter((c) => !c.ok);
    const target = `${prepared.plan.target.profile} / ${prepared.plan.target.database}`;
    const error = failed.length === 0 ? null : `Restored, but validation failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`;
    this.store.finish(job.id, { status: error === null ? 'ok' : 'failed', finishedAt, durationMs, error, validation: r.validation });
    const summary = `restore of ${path.basename(prepared.contents.path)} into ${target}: ${error === null ? `ok, ${r.validation.checks.length} checks passed` : `${failed.length} of ${r.validation.checks.length} checks failed`} in ${(durationMs / 1000).toFixed(1)} s`;
    this.deps.audit.complete(
      r.auditId,
      error === null ? { outcome: 'ok', durationMs, summary } : { outcome: 'error', durationMs, summary, error: `VALIDATION_FAILED: ${error}` },
    );
    job.finished = true;
    // The real count of what pg_restore did (its TOC items) or psql read, never a stand-in "1 of 1".
    const counts = job.state.counts ?? { done: 0, total: 0, unit: 'items' };
    this.emit(job, { phase: 'done', ...counts, percent: 100, elapsedMs: durationMs, etaMs: 0, current: null });
    this.deps.events.emit({ type: 'job.done', jobId: job.jobId, kind: 'restore', ok: error === null, message: error ?? summary, at: finishedAt });
    return this.store.get(job.id)!;
  }

  private async fail(
    job: RunningRestoreJob,
    prepared: PreparedRestore,
    f: { err: unknown; started: number; auditId: number; created: boolean; restoring: boolean; rolesMade: string[] },
  ): Promise<RestoreRecord> {
    const cancelled = job.cancelReason !== null;
    this.phase(job, 'cleaning-up', f.started);
    let reason = cancelled ? `Restore ${job.cancelReason}.` : errorText(f.err);
    const stderr =
      f.err instanceof OpsError && typeof f.err.detail === 'object' && f.err.detail !== null ? (f.err.detail as { stderr?: unknown }).stderr : undefined;
    if (typeof stderr === 'string' && stderr !== '' && !reason.includes(stderr)) reason = `${reason}\n${stderr}`;
    if (f.created) {
      const dropped = await this.admin(prepared, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(prepared.connection.database)} WITH (FORCE)`)).then(
        () => true,
        (err: unknown) => {
          log.warn(`could not drop ${prepared.connection.database} after the failed restore`, errorText(err));
          return false;
        },
      );
      reason += dropped
        ? ` The new database ${prepared.connection.database} was dropped again.`
        : ` The new database ${prepared.connection.database} could not be dropped: drop it by hand.`;
    } else if (prepared.contents.format !== 'plain' && f.restoring && !prepared.supabase) {
      reason += ` ${prepared.connection.database} may hold part of the restore${job.state.preBackupId ? `; backup ${job.state.preBackupId} holds what it held before` : ''}.`;
    }
    // The roles part committed on its own: a failed restore takes its roles back (after a new database is dropped).
    if (f.rolesMade.length > 0) {
      const left = await this.admin(prepared, (c) => dropRolesQuietly(c, f.rolesMade)).catch(() => f.rolesMade);
      reason +=
        left.length > 0
          ? ` The role(s) ${left.join(', ')} it created could not be dropped: drop them by hand.`
          : ` The role(s) ${f.rolesMade.join(', ')} it created were dropped again.`;
    }
    const durationMs = Date.now() - f.started;
    const finishedAt = new Date().toISOString();
    try {
      this.store.finish(job.id, { status: cancelled ? 'cancelled' : 'failed', finishedAt, durationMs, error: reason });
    } catch (err) {
      log.error('could not record the failed restore', err);
    }
    const code = cancelled ? 'CANCELLED' : f.err instanceof OpsError ? f.err.code : 'BACKUP_FAILED';
    this.deps.audit.complete(f.auditId, { outcome: 'error', durationMs, error: `${code}: ${reason}` });
    job.finished = true;
    // How far it got stays in view beside the failure.
    const counts = job.state.counts ?? { done: 0, total: 0, unit: 'items' };
    this.emit(job, { phase: 'done', ...counts, percent: null, elapsedMs: durationMs, etaMs: null, current: null });
    this.deps.events.emit({ type: 'job.done', jobId: job.jobId, kind: 'restore', ok: false, message: reason, at: finishedAt });
    return this.store.get(job.id)!;
  }
}

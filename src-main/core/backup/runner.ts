// Runs a prepared backup as a job: pg_dump spawned without a shell into `<name>.partial`,
// progress pushed at least once a second, then verified, hashed, described by a manifest
// and only then published under its final name by its destination (platform/destinations:
// never replacing a backup). Any failure or a cancel discards the partial, so nothing named
// like a good backup is ever left behind; the catalog and the audit trail record the
// outcome (and the backup's location) either way.
import crypto from 'node:crypto';
import { version as appVersion } from '../../../package.json';
import type { BackupEntry, BackupManifest, BackupProgressEvent, ClientTool, ManifestTable } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import { log } from '../platform/kernel/log';
import { EventGate } from '../platform/jobs/event-gate';
import { JobRegistry, type Job } from '../platform/jobs/registry';
import type { BackupCatalog } from './catalog';
import { discoverClientTools, pickTool, shortVersion } from '../platform/tools/client-tools';
import { ToolRun } from '../platform/tools/run-record';
import { formatBytes } from '../platform/text/bytes';
import { artifactText, formatLocation } from '../platform/destinations';
import { syncDump, syncsItself, toolEnv } from './dump-process';
import { errorText, spawnTool, StderrTail } from '../platform/tools/tool-process';
import { killTree } from '../platform/jobs/process-tree';
import { countTableRows, manifestPathFor, writeManifestTo } from './manifest';
import type { PreparedBackup } from './plan';
import { DumpProgress, outputBytes, startTicker } from '../platform/tools/progress';
import { openSnapshotSession, type SnapshotSession } from './snapshot-session';
import { hashArtifact, listArchive, plainDumpCompleteAt, type HashedBackup } from '../platform/tools/archive';
import { captureSupabase } from './supabase';

export interface JobContext {
  actor: string;
  via: string;
  /** The caller's id for the job (so it can listen for events before the start answers). */
  jobId?: string;
}

export interface StartedJob {
  backupId: string;
  jobId: string;
  /** Settles with the catalog entry once the job ended, whatever the outcome; never rejects. */
  done: Promise<BackupEntry>;
}

/** Its id is the backup id. */
type RunningJob = Job;

/** One registry per core: starts jobs, cancels them, and stops them all when the core closes. */
export class BackupJobs {
  private readonly running = new JobRegistry<BackupEntry>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly catalog: BackupCatalog,
  ) {}

  /** Answers once pg_dump has been launched; a failure before that is recorded and thrown. */
  async start(prepared: PreparedBackup, ctx: JobContext): Promise<StartedJob> {
    const backupId = crypto.randomUUID();
    const jobId = ctx.jobId ?? crypto.randomUUID();
    let launched!: () => void;
    let failedEarly!: (err: unknown) => void;
    const launch = new Promise<void>((resolve, reject) => {
      launched = resolve;
      failedEarly = reject;
    });
    const { done } = this.running.start({ id: backupId, jobId }, (job) => this.run(job, prepared, ctx, launched, failedEarly));
    await launch;
    return { backupId, jobId, done };
  }

  /** By backup id or job id; false when it is not running (any more). */
  cancel(id: string, reason = 'cancelled by the user'): boolean {
    return this.running.cancel(id, reason);
  }

  isRunning(id: string): boolean {
    return this.running.isRunning(id);
  }

  /** pg_dump's process id while it runs (tests kill it to simulate a crash). */
  pidOf(id: string): number | null {
    return this.running.pidOf(id);
  }

  /** Finished ones too: their cleanup (temporary pgpass file) must end before the store closes. */
  disposeAll(): Promise<void> {
    return this.running.disposeAll('the app closed while the backup ran');
  }

  private emit(event: Omit<BackupProgressEvent, 'type'>): void {
    this.deps.events.emit({ type: 'backup.progress', ...event });
  }

  private async run(
    job: RunningJob,
    prepared: PreparedBackup,
    ctx: JobContext,
    launched: () => void,
    failedEarly: (err: unknown) => void,
  ): Promise<BackupEntry> {
    const { plan, profile } = prepared;
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    this.catalog.insertRunning({
      id: job.id,
      profileId: profile.id,
      profileName: profile.name,
      kind: plan.kind,
      format: plan.format,
      path: plan.path,
      location: formatLocation(prepared.destination.location(prepared.name)),
      startedAt,
      command: plan.command,
    });
    const auditId = this.deps.audit.begin({
      actor: ctx.actor,
      action: 'backup.run',
      profile: profile.name,
      summary: `backup of ${profile.name} (${plan.kind}, ${plan.format}) to ${plan.path} (via ${ctx.via})`,
      detail: plan.command,
    });
    const base = { jobId: job.jobId, backupId: job.id, tablesTotal: prepared.tables.length };
    this.emit({ ...base, phase: 'preparing', percent: null, bytesWritten: 0, elapsedMs: 0, etaMs: null, currentTable: null, tablesDone: 0 });

    const stderr = new StderrTail();
    let session: SnapshotSession | null = null;
    let releaseSession: (() => void) | null = null;
    let run: ToolRun | null = null;
    let manifestWritten: string | null = null;
    let notes: string[] = [];
    let isLaunched = false;
    try {
      // First, so a crash from here on leaves a record the next start cleans up (tool-runs/sweep.ts).
      run = await ToolRun.create(this.deps.home, 'backup', job.id, plan.partialPath);
      if (plan.kind !== 'roles') {
        const opened = await openSnapshotSession(this.deps, prepared);
        session = opened.session;
        releaseSession = opened.release;
        notes = opened.notes;
      }
      const env = toolEnv(prepared, job.id, await run.writePassFile(prepared.password));
      await prepared.destination.createPartial(prepared.name, plan.format === 'directory' ? 'directory' : 'file');
      const args = session?.snapshot ? [...plan.args, `--snapshot=${session.snapshot}`] : [...plan.args];
      if (!args.includes('-w') && !args.includes('--no-password')) args.push('--no-password');
      // A single file: we fsync it ourselves, beside the verification reads (syncDump below),
      // instead of pg_dump doing it alone before it exits.
      const weSync = syncsItself(plan.tool, plan.format);
      if (weSync) args.push('--no-sync');
      // Looked up now, while the plan's discovery is still cached (it expires after 30 s, and
      // a dump takes longer); a missing pg_restore still fails the verification, as before.
      const pgRestore = this.pgRestoreFor(prepared);
      pgRestore.catch(() => undefined);

      const progress = new DumpProgress(prepared.tables, {
        parallel: plan.format === 'directory' && prepared.options.jobs > 1,
        compressed: plan.format !== 'plain' && prepared.options.compression !== 0,
        dataless: plan.kind === 'schema' || plan.kind === 'roles',
      });
      const gate = new EventGate();
      const emitDumping = (bytesWritten: number) => {
        const elapsedMs = Date.now() - started;
        this.emit({ ...base, phase: 'dumping', bytesWritten, elapsedMs, ...progress.snapshot(elapsedMs) });
      };
      let bytesWritten = 0;
      const toolRun = run;
      const exit = await spawnTool(plan.tool.path, args, env, {
        setChild: (child) => {
          job.adopt(child);
          if (child.pid !== undefined) toolRun.recordChild(child.pid, plan.tool.path);
        },
        cancelled: () => job.cancelReason !== null,
        onLine: (line) => {
          stderr.add(line);
          if (progress.line(line) && gate.pass()) emitDumping(bytesWritten);
        },
        onSpawn: () => {
          isLaunched = true;
          launched();
        },
        onTick: async () => {
          bytesWritten = await outputBytes(plan.partialPath);
          progress.setBytesWritten(bytesWritten);
          gate.pass(true);
          emitDumping(bytesWritten);
        },
      });
      if (job.cancelReason !== null) throw new OpsError('CANCELLED', `Backup cancelled: ${job.cancelReason}.`);
      if (exit.signal !== null) throw new OpsError('BACKUP_FAILED', `${plan.tool.name} was killed (${exit.signal}) before it finished.`);
      if (exit.code !== 0)
        throw new OpsError('BACKUP_FAILED', `${plan.tool.name} failed (exit code ${exit.code})${stderr.firstProblem() ? `: ${stderr.firstProblem()}` : '.'}`);

      progress.complete();
      // pg_dump -Fd makes its files with the umask's mode: private before anything reads or publishes them.
      await prepared.destination.sealPartial(prepared.name);
      const dumpedBytes = await outputBytes(plan.partialPath);
      const emitVerifying = async () =>
        this.emit({ ...base, phase: 'verifying', bytesWritten: dumpedBytes, elapsedMs: Date.now() - started, ...progress.snapshot(Date.now() - started) });
      await emitVerifying();
      // Hashing a big file takes seconds: the progress view keeps hearing from us meanwhile.
      const verifyTicker = startTicker(emitVerifying);
      // Durable before it is described and published: our fsync runs beside the reads of the
      // verification (page-cache reads), and both must succeed.
      const [synced, described] = await Promise.allSettled([
        weSync ? syncDump(plan.partialPath) : Promise.resolve(),
        this.verifyAndDescribe(job, prepared, session, startedAt, pgRestore),
      ]).finally(() => verifyTicker.stop());
      if (synced.status === 'rejected') throw synced.reason;
      if (described.status === 'rejected') throw described.reason;
      const manifest = described.value;
      if (notes.length > 0) manifest.warnings = [...notes];
      if (session) releaseSession?.();
      session = null;

      // The manifest first, then the backup under its final name: publish never replaces an artifact.
      const { destination, name } = prepared;
      const manifestName = manifestPathFor(name);
      await writeManifestTo(destination, manifestName, manifest);
      manifestWritten = manifestName;
      await destination.publish(name).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        throw new OpsError('IO_FAILED', `${plan.path} appeared while the backup ran; the new backup was not put in its place.`);
      });

      const durationMs = Date.now() - started;
      this.catalog.finish(job.id, {
        status: 'ok',
        bytes: manifest.bytes,
        sha256: manifest.sha256,
        finishedAt: manifest.finishedAt,
        durationMs,
        manifest,
        path: plan.path,
        location: formatLocation(destination.location(name)),
      });
      // It was verified before it was published (TOC or completion marker, checksum): that is its first verification.
      this.catalog.setVerified(job.id, true, manifest.finishedAt);
      const summary = `backup of ${profile.name}: ${formatBytes(manifest.bytes)} ${plan.format}, sha256 ${manifest.sha256.slice(0, 12)}…, ${(durationMs / 1000).toFixed(1)} s → ${plan.path}${notes.length ? ` (${notes.join('; ')})` : ''}`;
      this.deps.audit.complete(auditId, { outcome: 'ok', durationMs, summary });
      job.finished = true;
      this.emit({
        ...base,
        phase: 'done',
        percent: 100,
        bytesWritten: manifest.bytes,
        elapsedMs: durationMs,
        etaMs: 0,
        currentTable: null,
        tablesDone: prepared.tables.length,
      });
      this.deps.events.emit({ type: 'job.done', jobId: job.jobId, kind: 'backup', ok: true, message: summary, at: new Date().toISOString() });
    } catch (err) {
      await this.fail(job, prepared, { err, stderr, started, auditId, manifestWritten });
      if (!isLaunched) failedEarly(err);
    } finally {
      if (job.child) killTree(job.child, 'SIGKILL');
      releaseSession?.();
      await run?.remove().catch((err: unknown) => log.warn('could not remove the temporary pgpass file', err));
    }
    const entry = this.catalog.get(job.id);
    if (!entry) throw new OpsError('INTERNAL', `Backup ${job.id} vanished from the catalog.`);
    return entry;
  }

  /** The pg_restore that will read the archive (null for a plain script). */
  private async pgRestoreFor(prepared: PreparedBackup): Promise<ClientTool | null> {
    const { plan } = prepared;
    if (plan.format === 'plain') return null;
    return pickTool(
      await discoverClientTools(this.deps),
      'pg_restore',
      plan.tool.major,
      `The archive was written by pg_dump ${shortVersion(plan.tool.version)}`,
    );
  }

  /** custom/directory: pg_restore --list must read it; plain: it must end with the completion marker. */
  private async checkArchive(
    job: RunningJob,
    prepared: PreparedBackup,
    pgRestoreTool: Promise<ClientTool | null>,
  ): Promise<{ tocEntries: number | null; objects: Record<string, number> }> {
    const { plan } = prepared;
    if (plan.format === 'plain') {
      if (!(await plainDumpCompleteAt(prepared.destination, prepared.destination.partialName(prepared.name)))) {
        throw new OpsError('BACKUP_FAILED', `The dump file does not end with ${plan.tool.name}'s completion marker: it is incomplete.`);
      }
      return { tocEntries: null, objects: {} };
    }
    const pgRestore = await pgRestoreTool;
    if (pgRestore === null) throw new OpsError('INTERNAL', 'No pg_restore was chosen for an archive.');
    const listed = await listArchive(pgRestore, plan.partialPath, job.abort.signal);
    return { tocEntries: listed.tocEntries, objects: listed.objects };
  }

  private async verifyAndDescribe(
    job: RunningJob,
    prepared: PreparedBackup,
    session: SnapshotSession | null,
    startedAt: string,
    pgRestore: Promise<ClientTool | null>,
  ): Promise<BackupManifest> {
    const { plan, profile, options } = prepared;
    // The three reads are independent: the TOC (or completion marker), the checksum and the
    // row counts in the dump's snapshot run side by side, so verifying costs about the hash.
    // allSettled, not all: a failed check must not leave the others running unobserved.
    const [toc, hashed, counted] = await Promise.allSettled([
      this.checkArchive(job, prepared, pgRestore),
      hashArtifact(prepared.destination, prepared.destination.partialName(prepared.name)),
      session && (plan.kind === 'full' || plan.kind === 'data') ? countTableRows(session.client, prepared.tables) : Promise.resolve([] as ManifestTable[]),
    ]);
    // The Supabase capture reads the same snapshot (one client: after the counts, not beside them).
    const supabase = session && options.supabase && plan.kind !== 'roles' && counted.status === 'fulfilled' ? await captureSupabase(session.client) : undefined;
    if (job.cancelReason !== null) throw new OpsError('CANCELLED', `Backup cancelled: ${job.cancelReason}.`);
    for (const r of [toc, hashed, counted]) if (r.status === 'rejected') throw r.reason;
    const archive = (toc as PromiseFulfilledResult<{ tocEntries: number | null; objects: Record<string, number> }>).value;
    const tocEntries = archive.tocEntries;
    // A plain script has no TOC to count objects from; its tables are the ones dumped.
    const objects = plan.format === 'plain' && plan.kind !== 'roles' ? { TABLE: prepared.tables.length } : archive.objects;
    const hash = (hashed as PromiseFulfilledResult<HashedBackup>).value;
    const tables = (counted as PromiseFulfilledResult<ManifestTable[]>).value;
    const { profileId: _p, password: _pw, outDir: _o, ...shownOptions } = options;
    return {
      manifestVersion: 1,
      app: `ops-console ${appVersion}`,
      id: job.id,
      profile: { name: profile.name, host: profile.host, port: profile.port, database: profile.database, user: profile.user },
      serverVersion: prepared.serverVersion,
      pgDumpVersion: plan.tool.version,
      kind: plan.kind,
      format: plan.format,
      options: shownOptions,
      file: prepared.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      bytes: hash.bytes,
      sha256: hash.sha256,
      ...(hash.files ? { files: hash.files } : {}),
      tables,
      objects,
      tocEntries,
      preOperationMarker: session?.marker ?? null,
      ...(supabase ? { supabase } : {}),
    };
  }

  private async fail(
    job: RunningJob,
    prepared: PreparedBackup,
    f: { err: unknown; stderr: StderrTail; started: number; auditId: number; manifestWritten: string | null },
  ): Promise<void> {
    if (job.child) killTree(job.child, 'SIGKILL');
    const { destination } = prepared;
    await destination.discard(prepared.name);
    const manifestName = f.manifestWritten;
    if (manifestName !== null)
      await destination.remove(manifestName).catch((err: unknown) => log.warn(`could not delete ${artifactText(destination, manifestName)}`, err));
    const cancelled = job.cancelReason !== null;
    const reason = cancelled ? `Backup cancelled: ${job.cancelReason}.` : errorText(f.err);
    const tail = f.stderr.text();
    const error = tail && !reason.includes(tail) ? `${reason}\n${tail}` : reason;
    const durationMs = Date.now() - f.started;
    const finishedAt = new Date().toISOString();
    try {
      this.catalog.finish(job.id, { status: cancelled ? 'cancelled' : 'failed', finishedAt, durationMs, error });
    } catch (err) {
      log.error('could not record the failed backup in the catalog', err);
    }
    const code = cancelled ? 'CANCELLED' : f.err instanceof OpsError ? f.err.code : 'BACKUP_FAILED';
    this.deps.audit.complete(f.auditId, { outcome: 'error', durationMs, error: `${code}: ${error}` });
    job.finished = true;
    this.emit({
      jobId: job.jobId,
      backupId: job.id,
      phase: 'done',
      percent: null,
      bytesWritten: 0,
      elapsedMs: durationMs,
      etaMs: null,
      currentTable: null,
      tablesDone: 0,
      tablesTotal: prepared.tables.length,
    });
    this.deps.events.emit({ type: 'job.done', jobId: job.jobId, kind: 'backup', ok: false, message: reason, at: finishedAt });
  }
}

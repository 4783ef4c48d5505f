// Contract handlers for client tools, backups and the catalog. A backup is planned again
// at start (versions and destination checked before anything launches), then runs as a
// job (runner.ts) whose outcome the catalog and the audit trail record.
import path from 'node:path';
import type { BackupEntry } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import type { Handlers } from '../platform/kernel/dispatch';
import type { SweptRun } from '../platform/tools/sweep';
import { log } from '../platform/kernel/log';
import { BackupCatalog } from './catalog';
import { discoverClientTools, setClientToolPaths } from '../platform/tools/client-tools';
import { manifestPathFor } from './manifest';
import { artifactText } from '../platform/destinations';
import { prepareBackup } from './plan';
import { BackupJobs } from './runner';
import { verifyBackupEntry } from './verify';

export type BackupOps =
  | 'listClientTools'
  | 'setClientToolPaths'
  | 'planBackup'
  | 'startBackup'
  | 'cancelBackup'
  | 'listBackups'
  | 'getBackup'
  | 'verifyBackup'
  | 'revealBackup'
  | 'deleteBackup';

export interface BackupDomain {
  handlers: Pick<Handlers, BackupOps>;
  /** The running jobs (tests reach pg_dump's pid through it). */
  jobs: BackupJobs;
  /** Running backups are cancelled (process tree killed, partial deleted). */
  dispose(): Promise<void>;
}

function requireEntry(catalog: BackupCatalog, id: string): BackupEntry {
  const entry = catalog.get(id);
  if (!entry) throw new OpsError('NOT_FOUND', `No backup with id ${id} in the catalog (see the Backups screen or "ops-console backups list").`, { id });
  return entry;
}

/** Deletes the backup's file or folder, its manifest and any partial at its destination; one already gone is fine. */
async function removeBackupFiles(catalog: BackupCatalog, entry: BackupEntry): Promise<void> {
  const { destination, name } = catalog.locate(entry);
  for (const target of [name, manifestPathFor(name), destination.partialName(name)]) {
    try {
      await destination.remove(target);
    } catch (err) {
      const text = artifactText(destination, target);
      throw new OpsError('IO_FAILED', `Could not delete ${text}: ${(err as Error).message}`, { path: text });
    }
  }
}

export function backupHandlers(deps: CoreDeps, swept: readonly SweptRun[] = []): BackupDomain {
  const catalog = new BackupCatalog(deps.store.db);
  const notes = new Map(swept.flatMap((s) => (s.kind === 'backup' && s.id !== null && s.note !== '' ? [[s.id, s.note] as const] : [])));
  const interrupted = catalog.markInterrupted(new Date(), notes);
  if (interrupted > 0) log.warn(`${interrupted} backup(s) were left running by a process that stopped; marked failed`);
  const jobs = new BackupJobs(deps, catalog);

  const handlers: Pick<Handlers, BackupOps> = {
    listClientTools: () => discoverClientTools(deps),
    setClientToolPaths: async (input, ctx) => {
      const report = await setClientToolPaths(deps, input.paths);
      ctx.audit.summary = input.paths.length === 0 ? 'client tool folders cleared' : `client tool folders: ${input.paths.join(', ')}`;
      return report;
    },
    planBackup: async (input, ctx) => {
      const profile = deps.profiles.require(input.profileId);
      ctx.audit.profile = profile.name;
      const { plan } = await prepareBackup(deps, profile, input);
      ctx.audit.summary = `backup plan for ${profile.name}: ${plan.kind}, ${plan.format}, ${plan.tool.name} ${plan.tool.major} → ${plan.path}`;
      ctx.audit.detail = plan.command;
      return plan;
    },
    startBackup: async (input, ctx) => {
      const { jobId, fileName, ...options } = input;
      const profile = deps.profiles.require(options.profileId);
      ctx.audit.profile = profile.name;
      const prepared = await prepareBackup(deps, profile, options, new Date(), fileName);
      ctx.audit.detail = prepared.plan.command;
      const started = await jobs.start(prepared, { actor: ctx.actor, via: ctx.via, ...(jobId ? { jobId } : {}) });
      ctx.audit.summary = `backup ${started.backupId} of ${profile.name} started: ${prepared.plan.kind}, ${prepared.plan.format} → ${prepared.plan.path}`;
      return { backupId: started.backupId, jobId: started.jobId, plan: prepared.plan };
    },
    cancelBackup: (input, ctx) => {
      const cancelled = jobs.cancel(input.id, `cancelled by ${ctx.actor}`);
      if (!cancelled) {
        const entry = requireEntry(catalog, input.id);
        ctx.audit.summary = `backup ${entry.id} was not running (${entry.status})`;
        return { cancelled: false };
      }
      ctx.audit.summary = `backup ${input.id} cancelled`;
      return { cancelled: true };
    },
    listBackups: (input) => {
      if (input.profileId === undefined) return { backups: catalog.list({ limit: input.limit }) };
      // By id or name; a removed profile's backups stay listable by its old id.
      const profile = deps.profiles.get(input.profileId) ?? deps.profiles.getByName(input.profileId);
      return { backups: catalog.list({ limit: input.limit, profileId: profile?.id ?? input.profileId }) };
    },
    getBackup: (input) => requireEntry(catalog, input.id),
    revealBackup: async (input) => {
      const entry = requireEntry(catalog, input.id);
      const { destination, name } = catalog.locate(entry);
      if (entry.status !== 'ok' || !(await destination.exists(name))) {
        throw new OpsError(
          'NOT_FOUND',
          `${entry.path} is not on disk${entry.status === 'ok' ? ' any more (moved or deleted outside the app)' : ` (the backup ${entry.status === 'running' ? 'is still running' : entry.status})`}.`,
          { path: entry.path },
        );
      }
      // Only a backup with a local path can be shown in a file manager; the path is answered either way.
      const local = destination.localPath(name);
      return { revealed: local === null ? false : await deps.revealPath(local), path: entry.path };
    },
    verifyBackup: async (input, ctx) => {
      const entry = requireEntry(catalog, input.id);
      ctx.audit.profile = entry.profileName;
      if (entry.status !== 'ok') throw new OpsError('NOT_FOUND', `Backup ${entry.id} is ${entry.status}: there is no backup file to verify.`, { id: entry.id });
      const result = await verifyBackupEntry(deps, entry);
      const failed = result.checks.filter((c) => !c.ok);
      ctx.audit.summary = `verify ${path.basename(entry.path)}: ${result.ok ? 'ok' : `FAILED (${failed.map((c) => c.name).join(', ')})`}`;
      if (!result.ok) ctx.audit.failed = failed.map((c) => `${c.name}: ${c.detail}`).join('; ');
      return result;
    },
    deleteBackup: async (input, ctx) => {
      const entry = requireEntry(catalog, input.id);
      ctx.audit.profile = entry.profileName;
      const name = path.basename(entry.path);
      if (input.confirmName !== name) {
        throw new OpsError('CONFIRMATION_REQUIRED', `Type the backup's file name (${name}) to delete it.`, { expected: name });
      }
      if (entry.status === 'running' || jobs.isRunning(entry.id)) {
        throw new OpsError('CONFLICT', `Backup ${name} is still running: cancel it first.`);
      }
      await removeBackupFiles(catalog, entry);
      catalog.remove(entry.id);
      ctx.audit.summary = `deleted backup ${entry.path} (${entry.status})`;
      return { removed: true as const };
    },
  };

  return { handlers, jobs, dispose: () => jobs.disposeAll() };
}

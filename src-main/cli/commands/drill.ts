// ops-console drill [BACKUP] [--profile PROFILE] [--jobs N] [--json]
// Restores a backup into a fresh local scratch PostgreSQL, validates it, times it against
// the runbook's objectives and removes the scratch cluster. BACKUP is a catalog id or a
// path; without it, the latest good full backup of --profile. Ctrl-C cancels the drill.
import crypto from 'node:crypto';
import type { DrillRecord } from '../../contract/restore';
import { expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { EXIT, printJson } from '../io';
import { findProfile } from './profile';
import { followOffsiteStaging } from './offsite';
import { cancelOnSignal } from '../job-progress';
import { backupSource, followRestoreJob } from './restore';

const USAGE = 'ops-console drill [BACKUP] [--profile PROFILE] [--jobs N] [--json]';

/** The contract's JSON (cli.md), plus the rest of the record. */
function drillJson(d: DrillRecord): Record<string, unknown> {
  const ok = d.status === 'ok';
  return {
    ok,
    id: d.id,
    status: d.status,
    restoreMs: d.restoreMs,
    totalMs: d.totalMs,
    validation: d.validation,
    rtoTargetMs: d.rtoTargetMs,
    rtoMet: d.rtoMet,
    backupAgeMs: d.backupAgeMs,
    rpoTargetMs: d.rpoTargetMs,
    rpoMet: d.rpoMet,
    backupId: d.backupId,
    backupPath: d.backupPath,
    backupCreatedAt: d.backupCreatedAt,
    profile: d.profileName,
    scratchVersion: d.scratchVersion,
    disasterRecovery: d.disasterRecovery,
    report: d.report,
    // What the drill noted (for a Supabase backup: what stood in for the platform).
    ...('notes' in d && Array.isArray(d.notes) ? { notes: d.notes } : {}),
    ...(ok ? {} : { error: { code: d.status === 'cancelled' ? 'CANCELLED' : 'BACKUP_FAILED', message: d.error ?? d.status } }),
  };
}

export async function drillCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { profile: { type: 'string' }, jobs: { type: 'string' } });
  if (parsed.positionals.length > 1) expectPositionals(parsed, ['BACKUP'], USAGE);
  const backup = parsed.positionals[0];
  const profileName = stringFlag(parsed, 'profile');
  if (backup === undefined && profileName === undefined)
    throw new UsageError(`say which backup to drill: BACKUP (a catalog id or a path) or --profile PROFILE for its latest backup\nusage: ${USAGE}`);
  const jobs = intFlag(parsed, 'jobs', { min: 1, max: 32 });
  const profileId = profileName === undefined ? undefined : (await findProfile(ctx, profileName)).id;

  const jobId = crypto.randomUUID();
  const watcher = followRestoreJob(ctx, jobId);
  let drillId: string | null = null;
  const release = cancelOnSignal(() => {
    if (drillId !== null) void ctx.call('cancelDrill', { id: drillId }).catch(() => undefined);
  });
  // A catalog backup whose dump lives only offsite is fetched back before the drill starts.
  const staging = backup !== undefined ? followOffsiteStaging(ctx, backupSource(backup)) : () => undefined;
  try {
    const started = await ctx
      .call('startDrill', {
        jobId,
        ...(backup !== undefined ? { source: backupSource(backup) } : {}),
        ...(profileId !== undefined ? { profileId } : {}),
        ...(jobs !== undefined ? { jobs } : {}),
      })
      .finally(staging);
    drillId = started.drillId;
    if (!ctx.io.json) ctx.io.err(`Restore drill ${started.drillId}: restoring into a local scratch PostgreSQL…`);
    await watcher.done;
    const drill = await ctx.call('getDrill', { id: started.drillId });
    if (ctx.io.json) printJson(ctx.io, drillJson(drill));
    else ctx.io.out(drill.report);
    if (drill.status !== 'ok') {
      ctx.io.err(`error: the drill ${drill.status}: ${drill.error ?? 'see the report'}`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    watcher.stop();
    release();
  }
}

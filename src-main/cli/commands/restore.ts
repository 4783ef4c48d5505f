// ops-console restore BACKUP (--to PROFILE | --new-database NAME --profile PROFILE | --sandbox)
//         [--jobs N] [--clean] [--no-pre-backup] [--yes] [--confirm NAME] [--json]
// The plan is checked first (versions, conflicts, read-only); the confirmation follows the
// CLI contract (a terminal prompt, --yes, and --confirm NAME for production). The command
// waits for the restore and its validation; Ctrl-C cancels it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { RestoreOptionsInput, RestoreProgressEvent, RestoreRecord, RestoreTarget, SupabaseRestorePlan, ValidationReport } from '../../contract/restore';
import { VERDICT_TAGS, verdictOf } from '../../contract/verdict';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { cancelOnSignal, followJob, linesOf } from '../job-progress';
import { withPasswordRetry } from '../password-retry';
import { confirm, EXIT, printJson } from '../io';
import { followOffsiteStaging } from './offsite';
import { findProfile } from './profile';

export const RESTORE_USAGE =
  'ops-console restore BACKUP (--to PROFILE | --new-database NAME --profile PROFILE | --sandbox) [--jobs N] [--clean] [--no-pre-backup] [--yes] [--confirm NAME] [--json]';

/** A catalog id stays as it is; anything naming an existing file or folder becomes an absolute path. */
export function backupSource(arg: string): string {
  if (path.isAbsolute(arg)) return arg;
  return fs.existsSync(arg) ? path.resolve(arg) : arg;
}

function seconds(ms: number | null): string {
  return ms === null ? '?' : `${(ms / 1000).toFixed(1)} s`;
}

/** One status line, rewritten in place on a terminal. */
function progressLine(e: RestoreProgressEvent): string {
  const percent = e.percent === null ? '  …' : `${e.percent.toFixed(0).padStart(3)}%`;
  const amount =
    e.total > 0 ? `  ${e.unit === 'bytes' ? `${(e.done / 1048576).toFixed(1)}/${(e.total / 1048576).toFixed(1)} MB` : `${e.done}/${e.total} items`}` : '';
  const eta = e.etaMs === null ? '' : `  ETA ${Math.ceil(e.etaMs / 1000)} s`;
  return `${percent}  ${e.phase.padEnd(11)}${amount}  ${(e.elapsedMs / 1000).toFixed(0)} s${eta}${e.current ? `  ${e.current}` : ''}`;
}

/** The restore or drill job's progress (on a terminal), and `done` at its end. */
export function followRestoreJob(ctx: CliContext, jobId: string): { done: Promise<void>; stop(): void } {
  return followJob(ctx, jobId, { line: linesOf('restore.progress', jobId, progressLine) });
}

export function validationText(v: ValidationReport | null): string {
  if (!v) return 'validation: not run';
  // Three states: a warning reads WARN, never OK (its `ok` stays true: it does not fail the restore).
  const head = !v.ok ? 'FAILED' : verdictOf(v) === 'warning' ? 'passed with warnings' : 'passed';
  return [`validation: ${head}`, ...v.checks.map((c) => `  ${VERDICT_TAGS[verdictOf(c)]}  ${c.name}: ${c.detail}`)].join('\n');
}

interface TargetChoice {
  target: RestoreTarget;
  profile: Profile | null;
}

async function chooseTarget(
  ctx: CliContext,
  to: string | undefined,
  newDatabase: string | undefined,
  profileName: string | undefined,
  sandbox: boolean,
): Promise<TargetChoice> {
  const chosen = [to !== undefined, newDatabase !== undefined, sandbox].filter(Boolean).length;
  if (chosen !== 1)
    throw new UsageError(`say where to restore: exactly one of --to PROFILE, --new-database NAME --profile PROFILE, --sandbox\nusage: ${RESTORE_USAGE}`);
  if (to !== undefined) {
    if (profileName !== undefined) throw new UsageError('--profile goes with --new-database; --to already names the profile');
    const profile = await findProfile(ctx, to);
    return { target: { kind: 'profile', profileId: profile.id }, profile };
  }
  if (newDatabase !== undefined) {
    if (profileName === undefined) throw new UsageError(`--new-database needs --profile PROFILE (the server to create it on)\nusage: ${RESTORE_USAGE}`);
    if (newDatabase.length === 0 || newDatabase.length > 63) throw new UsageError('--new-database must be 1 to 63 characters long');
    const profile = await findProfile(ctx, profileName);
    return { target: { kind: 'new-database', profileId: profile.id, database: newDatabase }, profile };
  }
  if (profileName !== undefined) throw new UsageError('--sandbox restores into the local scratch PostgreSQL; leave out --profile');
  return { target: { kind: 'scratch' }, profile: null };
}

/** The contract's JSON (cli.md), plus the record's ids, command and status. */
function restoreJson(record: RestoreRecord, ok: boolean, supabase?: SupabaseRestorePlan): Record<string, unknown> {
  return {
    ok,
    id: record.id,
    status: record.status,
    target: record.target,
    targetKind: record.targetKind,
    database: record.database,
    durationMs: record.durationMs,
    validation: record.validation,
    backupId: record.backupId,
    sourcePath: record.sourcePath,
    preRestoreBackupId: record.preRestoreBackupId,
    command: record.command,
    // A `--supabase` backup: how it went in (project or stand-ins), what was left to the platform.
    ...(supabase ? { supabase } : {}),
    ...(ok ? {} : { error: { code: record.status === 'cancelled' ? 'CANCELLED' : 'BACKUP_FAILED', message: record.error ?? 'validation failed' } }),
  };
}

export async function restoreCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    to: { type: 'string' },
    'new-database': { type: 'string' },
    profile: { type: 'string' },
    sandbox: { type: 'boolean' },
    jobs: { type: 'string' },
    clean: { type: 'boolean' },
    'no-pre-backup': { type: 'boolean' },
    yes: { type: 'boolean' },
    confirm: { type: 'string' },
  });
  const [backup] = expectPositionals(parsed, ['BACKUP'], RESTORE_USAGE);
  const jobs = intFlag(parsed, 'jobs', { min: 1, max: 32 }) ?? 1;
  const yes = boolFlag(parsed, 'yes');
  const confirmFlag = stringFlag(parsed, 'confirm');
  const { target, profile } = await chooseTarget(
    ctx,
    stringFlag(parsed, 'to'),
    stringFlag(parsed, 'new-database'),
    stringFlag(parsed, 'profile'),
    boolFlag(parsed, 'sandbox'),
  );
  const production = profile?.env === 'production';
  const confirmation = { yes, production, profileName: profile?.name ?? 'local scratch', ...(confirmFlag !== undefined ? { confirmFlag } : {}) };
  // With --yes nothing is asked: refuse a production target without its typed name before any server is touched.
  if (yes) await confirm(ctx.io, { ...confirmation, question: '' });

  let options: RestoreOptionsInput = {
    source: backupSource(backup!),
    target,
    jobs,
    clean: boolFlag(parsed, 'clean'),
    preRestoreBackup: !boolFlag(parsed, 'no-pre-backup'),
  };
  // The password typed for the plan is kept in options: the start connects again.
  const planWith = (password?: string) => {
    if (password !== undefined) options = { ...options, password };
    return ctx.call('planRestore', options);
  };
  // A catalog backup whose dump lives only offsite is fetched back by the plan (the start reuses it): its download on stderr.
  const staging = followOffsiteStaging(ctx, options.source);
  const plan = await (profile ? withPasswordRetry(ctx, profile, planWith) : planWith()).finally(staging);
  // --clean only helps with objects of the dump the target already holds; missing roles and
  // a Supabase project's occupied auth/storage tables carry their own fix in the message.
  const cleanHelps = plan.conflicts.length > 0 && !plan.conflicts.some((c) => c.type === 'TABLE DATA') && (plan.supabase?.missingRoles.length ?? 0) === 0;
  if (plan.blocked)
    throw new OpsError(
      'CONFLICT',
      cleanHelps ? `${plan.blocked} Add --clean to drop them first (--clean --if-exists), or restore into a new database.` : plan.blocked,
    );
  const where = `${plan.target.profile}${plan.target.env ? ` (${plan.target.env})` : ''}, database ${plan.target.database}`;
  if (!ctx.io.json) {
    ctx.io.err(`Restore ${plan.contents.path} into ${where} with ${plan.tool.name} ${plan.tool.major}:\n  ${plan.command}`);
    for (const warning of plan.warnings) ctx.io.err(`  warning: ${warning}`);
  }
  if (!yes) await confirm(ctx.io, { ...confirmation, production: plan.confirmationRequired || production, question: `Restore into ${where}?` });
  const confirmName = plan.confirmationRequired || production ? (confirmFlag ?? profile?.name) : undefined;

  const jobId = crypto.randomUUID();
  const watcher = followRestoreJob(ctx, jobId);
  let restoreId: string | null = null;
  const release = cancelOnSignal(() => {
    if (restoreId !== null) void ctx.call('cancelRestore', { id: restoreId }).catch(() => undefined);
  });
  try {
    const started = await ctx.call('startRestore', { ...options, jobId, ...(confirmName !== undefined ? { confirmName } : {}) });
    restoreId = started.restoreId;
    await watcher.done;
    const record = await ctx.call('getRestore', { id: started.restoreId });
    const ok = record.status === 'ok' && record.validation?.ok !== false;
    if (ctx.io.json) printJson(ctx.io, restoreJson(record, ok, plan.supabase));
    else
      ctx.io.out(
        `Restored into ${record.target}, database ${record.database}: ${record.status} in ${seconds(record.durationMs)}\n${validationText(record.validation)}`,
      );
    if (!ok) {
      ctx.io.err(`error: ${record.error ?? 'the restore finished but validation failed'}`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    watcher.stop();
    release();
  }
}

// ops-console backup PROFILE [--kind full|schema|data|roles] [--format custom|plain|directory]
//         [--out DIR] [--jobs N] [--supabase] [--compress 0-9] [--schema S]… [--exclude-schema S]…
//         [--table T]… [--exclude-table T]… [--description TEXT] [--offsite DEST] [--json]
// ops-console backups list [--profile NAME] [--json]
// ops-console backups verify ID [--json]
// `backup` waits for the job: progress on stderr when it is a terminal, the outcome on
// stdout. Ctrl-C cancels the backup (its partial file is deleted) before exiting.
// `--kind roles` is plain SQL (pg_dumpall): its format defaults to plain.
// `--offsite DEST` writes the dump straight to an offsite destination (backup-offsite.ts).
import crypto from 'node:crypto';
import type { BackupEntry, BackupFormat, BackupKind, BackupProgressEvent } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import { VERDICT_TAGS } from '../../contract/verdict';
import { manifestPathFor } from '../../core/backup';
import { formatMegabytes } from '../../core/platform/text/bytes';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError, type Parsed } from '../args';
import type { CliContext } from '../context';
import { cancelOnSignal, followJob, linesOf } from '../job-progress';
import { withPasswordRetry } from '../password-retry';
import { EXIT, printJson, table } from '../io';
import { OFFSITE_USAGE, backupsCopy, backupsPrune } from './offsite';
import { backupOffsite } from './backup-offsite';
import { findProfile } from './profile';

const USAGE = {
  backup:
    'ops-console backup PROFILE [--kind full|schema|data|roles] [--format custom|plain|directory] [--out DIR] [--jobs N] [--supabase] [--compress 0-9] [--schema S]… [--exclude-schema S]… [--table T]… [--exclude-table T]… [--description TEXT] [--offsite DEST] [--json]',
  list: 'ops-console backups list [--profile NAME] [--json]',
  verify: 'ops-console backups verify ID [--json]',
};

const KINDS: readonly BackupKind[] = ['full', 'schema', 'data', 'roles'];
const FORMATS: readonly BackupFormat[] = ['custom', 'plain', 'directory'];

function choice<T extends string>(parsed: Parsed, name: string, allowed: readonly T[], fallback: T): T {
  const raw = stringFlag(parsed, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function listFlag(parsed: Parsed, name: string): string[] {
  const v = parsed.flags[name];
  return Array.isArray(v) ? v : [];
}

/** One status line, rewritten in place on a terminal. */
function progressLine(e: BackupProgressEvent): string {
  const percent = e.percent === null ? '  …' : `${e.percent.toFixed(0).padStart(3)}%`;
  const eta = e.etaMs === null || e.phase !== 'dumping' ? '' : `  ETA ${Math.ceil(e.etaMs / 1000)} s`;
  const table = e.currentTable ? `  ${e.currentTable}` : '';
  return `${percent}  ${e.phase.padEnd(9)} ${formatMegabytes(e.bytesWritten).padStart(10)}  ${(e.elapsedMs / 1000).toFixed(0)} s${eta}  tables ${e.tablesDone}/${e.tablesTotal}${table}`;
}

/** The contract's JSON for a finished good backup (cli.md), plus manifestPath. */
export function backupJson(entry: BackupEntry): Record<string, unknown> {
  return {
    ok: true,
    id: entry.id,
    path: entry.path,
    manifestPath: manifestPathFor(entry.path),
    kind: entry.kind,
    format: entry.format,
    bytes: entry.bytes,
    sha256: entry.sha256,
    manifest: entry.manifest,
    durationMs: entry.durationMs,
    pgDumpVersion: entry.manifest?.pgDumpVersion ?? null,
    serverVersion: entry.manifest?.serverVersion ?? null,
    warnings: entry.manifest?.warnings ?? [],
  };
}

async function backup(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    kind: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    jobs: { type: 'string' },
    supabase: { type: 'boolean' },
    compress: { type: 'string' },
    schema: { type: 'list' },
    'exclude-schema': { type: 'list' },
    table: { type: 'list' },
    'exclude-table': { type: 'list' },
    description: { type: 'string' },
    offsite: { type: 'string' },
  });
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE.backup);
  const kind = choice(parsed, 'kind', KINDS, 'full');
  // Roles come from pg_dumpall, which writes plain SQL only: plain is their default, and
  // only an explicit other format is a mistake worth stopping for.
  const format = choice(parsed, 'format', FORMATS, kind === 'roles' ? 'plain' : 'custom');
  if (kind === 'roles' && format !== 'plain')
    throw new UsageError('--kind roles writes plain SQL (pg_dumpall --roles-only): leave out --format or use --format plain');
  const jobs = intFlag(parsed, 'jobs', { min: 1, max: 32 }) ?? 1;
  if (jobs > 1 && format !== 'directory') throw new UsageError('--jobs above 1 needs --format directory (pg_dump runs in parallel only into a folder)');
  const profile = await findProfile(ctx, name!);
  const out = stringFlag(parsed, 'out');
  const description = stringFlag(parsed, 'description');
  const options = {
    profileId: profile.id,
    kind,
    format,
    jobs,
    compression: intFlag(parsed, 'compress', { min: 0, max: 9 }) ?? null,
    supabase: boolFlag(parsed, 'supabase'),
    includeSchemas: listFlag(parsed, 'schema'),
    excludeSchemas: listFlag(parsed, 'exclude-schema'),
    includeTables: listFlag(parsed, 'table'),
    excludeTables: listFlag(parsed, 'exclude-table'),
    ...(out !== undefined ? { outDir: out } : {}),
    ...(description !== undefined ? { description } : {}),
  };

  const offsite = stringFlag(parsed, 'offsite');
  if (offsite !== undefined) {
    if (out !== undefined) throw new UsageError('--out and --offsite exclude each other: a backup written straight offsite has no local file');
    return backupOffsite(ctx, profile, options, offsite);
  }

  const jobId = crypto.randomUUID();
  const watcher = followJob(ctx, jobId, { line: linesOf('backup.progress', jobId, progressLine) });
  let backupId: string | null = null;
  // Ctrl-C: cancel (kills pg_dump, deletes the partial), then report the cancelled entry.
  const release = cancelOnSignal(() => {
    if (backupId !== null) void ctx.call('cancelBackup', { id: backupId }).catch(() => undefined);
  });
  try {
    const start = (password?: string) => ctx.call('startBackup', { ...options, jobId, ...(password !== undefined ? { password } : {}) });
    const started = await withPasswordRetry(ctx, profile, start);
    backupId = started.backupId;
    if (!ctx.io.json) ctx.io.err(`Backing up ${profile.name} with ${started.plan.tool.name} ${started.plan.tool.major}: ${started.plan.command}`);
    await watcher.done;
    const entry = await ctx.call('getBackup', { id: started.backupId });
    if (entry.status !== 'ok') {
      const code = entry.status === 'cancelled' ? 'CANCELLED' : 'BACKUP_FAILED';
      throw new OpsError(code, entry.error ?? `The backup ${entry.status}.`, { id: entry.id });
    }
    if (!ctx.io.json) for (const warning of entry.manifest?.warnings ?? []) ctx.io.err(`warning: ${warning}`);
    if (ctx.io.json) printJson(ctx.io, backupJson(entry));
    else
      ctx.io.out(
        `${entry.path}\n${formatMegabytes(entry.bytes ?? 0)}, sha256 ${entry.sha256}, ${((entry.durationMs ?? 0) / 1000).toFixed(1)} s\nmanifest: ${manifestPathFor(entry.path)}`,
      );
    return EXIT.ok;
  } finally {
    watcher.stop();
    release();
  }
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { profile: { type: 'string' }, limit: { type: 'string' } });
  expectPositionals(parsed, [], USAGE.list);
  const profileName = stringFlag(parsed, 'profile');
  const profileId = profileName === undefined ? undefined : (await findProfile(ctx, profileName)).id;
  const limit = intFlag(parsed, 'limit', { min: 1, max: 10_000 }) ?? 500;
  const { backups } = await ctx.call('listBackups', { limit, ...(profileId ? { profileId } : {}) });
  const rows = backups.map((b) => ({
    id: b.id,
    profile: b.profileName,
    path: b.path,
    kind: b.kind,
    format: b.format,
    bytes: b.bytes,
    status: b.status,
    verified: b.verifiedOk,
    createdAt: b.startedAt,
    durationMs: b.durationMs,
    sha256: b.sha256,
    error: b.error,
  }));
  if (ctx.io.json) printJson(ctx.io, { backups: rows });
  else if (rows.length === 0) ctx.io.out('No backups yet (ops-console backup PROFILE).');
  else ctx.io.out(table(rows, ['createdAt', 'profile', 'kind', 'format', 'status', 'bytes', 'verified', 'id', 'path']));
  return EXIT.ok;
}

async function verify(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [id] = expectPositionals(parsed, ['ID'], USAGE.verify);
  const result = await ctx.call('verifyBackup', { id: id! });
  // `status` beside the fixed fields: pass, warning or fail (a warning keeps ok true and exit 0).
  if (ctx.io.json) printJson(ctx.io, { ok: result.ok, status: result.status, id: result.id, checks: result.checks });
  else ctx.io.out(result.checks.map((c) => `${VERDICT_TAGS[c.status]}  ${c.name}: ${c.detail}`).join('\n'));
  if (!result.ok) {
    ctx.io.err(
      `error: backup ${result.id} failed verification: ${result.checks
        .filter((c) => !c.ok)
        .map((c) => c.name)
        .join(', ')}`,
    );
    return EXIT.failure;
  }
  return EXIT.ok;
}

export function backupCommand(ctx: CliContext, argv: string[]): Promise<number> {
  return backup(ctx, argv);
}

export async function backupsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(ctx, rest);
  if (sub === 'verify') return verify(ctx, rest);
  if (sub === 'copy') return backupsCopy(ctx, rest);
  if (sub === 'prune') return backupsPrune(ctx, rest);
  throw new UsageError(`unknown backups command "${sub ?? ''}"\nusage:\n  ${USAGE.list}\n  ${USAGE.verify}\n  ${OFFSITE_USAGE.copy}\n  ${OFFSITE_USAGE.prune}`);
}

// ops-console storage-restore SNAPSHOT --to PROFILE [--bucket B] [--yes] [--confirm NAME] [--json]
// SNAPSHOT is a catalog id or the snapshot folder's path. The preview (create / overwrite /
// unchanged, bytes, the overwritten keys) goes to stderr first; then the confirmation:
// --yes, or a terminal to answer on (scripts never write by accident); a production target
// needs its profile name (--confirm NAME with --yes, or typed). Exit 1 when the read-back
// validation fails. Progress goes to stderr (not with --json); Ctrl-C cancels the restore.
// A snapshot whose folder is not on disk (written straight offsite) is fetched back from its
// offsite copy first, verified, then restored as any other.
// The storage secret comes from the environment, the secret store or a prompt
// (cli/storage-secret.ts), never a flag.
import crypto from 'node:crypto';
import type { StorageRestoreProgressEvent } from '../../contract/storage';
import { formatMegabytes } from '../../core/platform/text/bytes';
import { boolFlag, expectPositionals, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { confirm, EXIT, printJson } from '../io';
import { linesOf, withProgress } from '../job-progress';
import { withStorageSecret } from '../storage-secret';
import { findProfile } from './profile';
import { fetchIfOffsiteOnly } from './storage-offsite';

const PHASE = { check: 'checking the snapshot', upload: 'uploading', verify: 'reading back' } as const;

function progressLine(e: StorageRestoreProgressEvent): string {
  const eta = e.etaSeconds === null || e.etaSeconds === 0 ? '' : `  ETA ${e.etaSeconds} s`;
  return `${PHASE[e.phase]} ${e.objectsDone}/${e.objectsTotal} objects, ${formatMegabytes(e.bytesDone)} / ${formatMegabytes(e.bytesTotal)}${eta}`;
}

/**
 * The restore job under a jobId of ours: its progress on stderr unless --json (redrawn in
 * place on a terminal, else a line per phase change and at most one every 2 s), and Ctrl-C
 * (or SIGTERM) cancels it: the call then ends CANCELLED, naming what was already written.
 */
function withRestoreProgress<T>(ctx: CliContext, run: (jobId: string) => Promise<T>): Promise<T> {
  const jobId = crypto.randomUUID();
  return withProgress(
    ctx,
    {
      line: linesOf('storage.restore.progress', jobId, progressLine),
      plain: { everyMs: 2000, key: (e) => ('phase' in e ? String(e.phase) : '') },
      quietWithJson: true,
    },
    () => ctx.call('cancelStorageRestore', { jobId }),
    () => run(jobId),
  );
}

export const STORAGE_RESTORE_USAGE = 'ops-console storage-restore SNAPSHOT --to PROFILE [--bucket B] [--yes] [--confirm NAME] [--json]';

export async function storageRestoreCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { to: { type: 'string' }, bucket: { type: 'string' }, yes: { type: 'boolean' }, confirm: { type: 'string' } });
  const [snapshot] = expectPositionals(parsed, ['SNAPSHOT'], STORAGE_RESTORE_USAGE);
  const to = stringFlag(parsed, 'to');
  if (to === undefined) throw new UsageError(`--to PROFILE is required\nusage: ${STORAGE_RESTORE_USAGE}`);
  const bucket = stringFlag(parsed, 'bucket');
  const confirmFlag = stringFlag(parsed, 'confirm');
  const profile = await findProfile(ctx, to);
  const entry = await ctx.call('getStorageSnapshot', { id: snapshot! });
  // A snapshot that lives only offsite (or whose folder is gone) is fetched and verified first.
  await fetchIfOffsiteOnly(ctx, entry);
  const base = { snapshotId: entry.id, targetProfileId: profile.id, ...(bucket !== undefined ? { bucket } : {}) };

  return withStorageSecret(ctx, profile.name, async (storageSecret) => {
    const secret = storageSecret !== undefined ? { storageSecret } : {};
    const p = await ctx.call('previewStorageRestore', { ...base, ...secret });
    ctx.io.err(
      `Restore of ${entry.path} into ${profile.name} (${p.buckets.join(', ')}): ${p.create} to create, ${p.overwrite} to overwrite, ${p.unchanged} unchanged; ${formatMegabytes(p.bytes)} to upload`,
    );
    for (const k of p.overwritten) ctx.io.err(`  overwrite ${k}`);
    if (p.overwrite > p.overwritten.length) ctx.io.err(`  … and ${p.overwrite - p.overwritten.length} more`);
    if (p.refused > 0) ctx.io.err(`${p.refused} object(s) the target refuses will not be uploaded (the restore then fails its validation):`);
    for (const k of p.refusedObjects) ctx.io.err(`  refused ${k}`);
    if (p.refused > p.refusedObjects.length) ctx.io.err(`  … and ${p.refused - p.refusedObjects.length} more`);
    if (p.skipped > 0) ctx.io.err(`${p.skipped} object(s) left out, nothing lost:`);
    for (const k of p.skippedObjects) ctx.io.err(`  skipped ${k}`);
    if (p.skipped > p.skippedObjects.length) ctx.io.err(`  … and ${p.skipped - p.skippedObjects.length} more`);
    if (p.rulesNote !== null) ctx.io.err(`note: ${p.rulesNote}`);
    await confirm(ctx.io, {
      question: `Upload ${p.create + p.overwrite} object(s) into ${profile.name}?`,
      yes: boolFlag(parsed, 'yes'),
      production: profile.env === 'production',
      profileName: profile.name,
      ...(confirmFlag !== undefined ? { confirmFlag } : {}),
    });
    // confirm() only returns for production once the name was given (flag or typed).
    const r = await withRestoreProgress(ctx, (jobId) =>
      ctx.call('restoreStorageSnapshot', { ...base, ...secret, jobId, ...(profile.env === 'production' ? { confirmName: profile.name } : {}) }),
    );
    if (ctx.io.json) printJson(ctx.io, r);
    else {
      ctx.io.out(
        `${r.created} created, ${r.overwritten} overwritten, ${r.unchanged} unchanged${r.refused > 0 ? `, ${r.refused} refused by the target` : ''}${r.skipped > 0 ? `, ${r.skipped} skipped` : ''}, ${formatMegabytes(r.bytes)} uploaded in ${(r.durationMs / 1000).toFixed(1)} s`,
      );
      for (const c of r.validation.checks) ctx.io.out(`${c.ok ? 'OK  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    }
    if (!r.validation.ok) {
      ctx.io.err(`error: the restored objects in ${profile.name} failed validation`);
      return EXIT.failure;
    }
    return EXIT.ok;
  });
}

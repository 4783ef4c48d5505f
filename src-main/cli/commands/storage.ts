// ops-console storage-backup PROFILE [--bucket B]… [--out DIR | --offsite DEST] [--json]
// ops-console storage-snapshots list [--profile NAME] | show ID | verify ID | delete ID [--yes] [--json]
// `storage-backup` waits for the job: progress on stderr when it is a terminal, the outcome
// on stdout. Ctrl-C cancels it (the partial folder is removed) before exiting. The storage
// secret comes from OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY, the secret store or a prompt
// (cli/storage-secret.ts), never a flag. ID is a catalog id or the snapshot folder's path.
// `--offsite DEST` writes the snapshot straight to an offsite destination (storage-offsite.ts).
import crypto from 'node:crypto';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import { skippedWarning, type StorageProgressEvent } from '../../contract/storage';
import { formatMegabytes } from '../../core/platform/text/bytes';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { EXIT, printJson, table } from '../io';
import { cancelOnSignal, followJob, linesOf } from '../job-progress';
import { withPasswordRetry } from '../password-retry';
import { withStorageSecret } from '../storage-secret';
import { findProfile } from './profile';
import { storageBackupOffsite } from './storage-offsite';

export const STORAGE_USAGE = {
  backup: 'ops-console storage-backup PROFILE [--bucket B]… [--out DIR | --offsite DEST] [--json]',
  list: 'ops-console storage-snapshots list [--profile NAME] [--json]',
  show: 'ops-console storage-snapshots show ID [--json]',
  verify: 'ops-console storage-snapshots verify ID [--json]',
  delete: 'ops-console storage-snapshots delete ID [--yes] [--json]',
  check: 'ops-console storage-check PROFILE [--bucket B]… [--json]',
};

function progressLine(e: StorageProgressEvent): string {
  const eta = e.etaSeconds === null ? '' : `  ETA ${e.etaSeconds} s`;
  return `objects ${e.objectsDone}/${e.objectsTotal}  ${formatMegabytes(e.bytesDone)} / ${formatMegabytes(e.bytesTotal)}${eta}`;
}

async function storageBackup(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { bucket: { type: 'list' }, out: { type: 'string' }, offsite: { type: 'string' } });
  const [name] = expectPositionals(parsed, ['PROFILE'], STORAGE_USAGE.backup);
  const buckets = Array.isArray(parsed.flags.bucket) ? parsed.flags.bucket : [];
  const out = stringFlag(parsed, 'out');
  const offsite = stringFlag(parsed, 'offsite');
  if (offsite !== undefined && out !== undefined)
    throw new UsageError('--out and --offsite exclude each other: a snapshot written straight offsite has no local folder');
  const profile = await findProfile(ctx, name!);
  if (offsite !== undefined) return storageBackupOffsite(ctx, profile, buckets, offsite);
  const jobId = crypto.randomUUID();
  const watcher = followJob(ctx, jobId, { line: linesOf('storage.progress', jobId, progressLine) });
  let snapshotId: string | null = null;
  const release = cancelOnSignal(() => {
    if (snapshotId !== null) void ctx.call('cancelStorageBackup', { id: snapshotId }).catch(() => undefined);
  });
  try {
    const started = await withStorageSecret(ctx, profile.name, (storageSecret) =>
      ctx.call('startStorageBackup', {
        profileId: profile.id,
        jobId,
        ...(buckets.length ? { buckets } : {}),
        ...(out !== undefined ? { outDir: out } : {}),
        ...(storageSecret !== undefined ? { storageSecret } : {}),
      }),
    );
    snapshotId = started.snapshotId;
    if (!ctx.io.json) ctx.io.err(`Snapshotting the storage of ${profile.name} into ${started.path}`);
    await watcher.done;
    const entry = await ctx.call('getStorageSnapshot', { id: started.snapshotId });
    if (entry.status !== 'ok')
      throw new OpsError(
        entry.status === 'cancelled' ? 'CANCELLED' : 'STORAGE_FAILED',
        entry.error ?? `The storage snapshot ${entry.status}.`,
        entry.status === 'cancelled' ? undefined : { reason: 'other', endpoint: profile.storage?.endpoint ?? '' },
      );
    const warnings = entry.skipped.map(skippedWarning);
    if (ctx.io.json) {
      printJson(ctx.io, {
        ok: true,
        id: entry.id,
        path: entry.path,
        objects: entry.objects,
        bytes: entry.bytes,
        changedObjects: entry.changedObjects,
        reusedObjects: entry.reusedObjects,
        manifestPath: path.join(entry.path, 'manifest.json'),
        manifestSha256: entry.manifestSha256,
        buckets: entry.buckets,
        changedDuring: entry.changedDuring,
        skipped: entry.skipped,
        warnings,
        durationMs: entry.durationMs,
      });
    } else {
      for (const w of warnings) ctx.io.err(`warning: ${w}`);
      ctx.io.out(
        `${entry.path}\n${entry.objects} objects, ${formatMegabytes(entry.bytes)} (${entry.changedObjects} downloaded, ${entry.reusedObjects} linked from the previous snapshot), ${((entry.durationMs ?? 0) / 1000).toFixed(1)} s\nmanifest: ${path.join(entry.path, 'manifest.json')}`,
      );
    }
    return EXIT.ok;
  } finally {
    watcher.stop();
    release();
  }
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { profile: { type: 'string' }, limit: { type: 'string' } });
  expectPositionals(parsed, [], STORAGE_USAGE.list);
  const profileName = stringFlag(parsed, 'profile');
  const profileId = profileName === undefined ? undefined : (await findProfile(ctx, profileName)).id;
  const limit = intFlag(parsed, 'limit', { min: 1, max: 10_000 }) ?? 500;
  const { snapshots } = await ctx.call('listStorageSnapshots', { limit, ...(profileId ? { profileId } : {}) });
  if (ctx.io.json) printJson(ctx.io, { snapshots });
  else if (snapshots.length === 0) ctx.io.out('No storage snapshots yet (ops-console storage-backup PROFILE).');
  else
    ctx.io.out(
      table(
        snapshots.map((s) => ({ ...s, buckets: s.buckets.join(',') })),
        ['startedAt', 'profileName', 'status', 'objects', 'bytes', 'changedObjects', 'verifiedOk', 'id', 'path'],
      ),
    );
  return EXIT.ok;
}

async function show(ctx: CliContext, argv: string[]): Promise<number> {
  const [id] = expectPositionals(parseArgs(argv, {}), ['ID'], STORAGE_USAGE.show);
  const entry = await ctx.call('getStorageSnapshot', { id: id! });
  if (ctx.io.json) printJson(ctx.io, entry);
  else {
    ctx.io.out(
      `${entry.path}\n${entry.status}, ${entry.objects} objects, ${formatMegabytes(entry.bytes)}, started ${entry.startedAt}${entry.error ? `\n${entry.error}` : ''}`,
    );
    if (entry.perBucket) ctx.io.out(table(entry.perBucket, ['bucket', 'objects', 'bytes']));
  }
  return EXIT.ok;
}

async function verify(ctx: CliContext, argv: string[]): Promise<number> {
  const [id] = expectPositionals(parseArgs(argv, {}), ['ID'], STORAGE_USAGE.verify);
  const result = await ctx.call('verifyStorageSnapshot', { id: id! });
  if (ctx.io.json) printJson(ctx.io, result);
  else
    ctx.io.out(
      result.ok ? `OK  ${result.objects} objects match the manifest` : result.problems.map((p) => `FAIL  ${p.bucket}/${p.key}: ${p.problem}`).join('\n'),
    );
  if (!result.ok) {
    ctx.io.err(`error: storage snapshot ${id} failed verification: ${result.problems.length} object file(s) missing or changed`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

async function remove(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { yes: { type: 'boolean' } });
  const [id] = expectPositionals(parsed, ['ID'], STORAGE_USAGE.delete);
  const entry = await ctx.call('getStorageSnapshot', { id: id! });
  // Without a terminal to ask on, deleting needs --yes (scripts never delete by accident).
  if (!boolFlag(parsed, 'yes')) throw new OpsError('CONFIRMATION_REQUIRED', `Deleting ${entry.path} needs --yes.`, { expected: path.basename(entry.path) });
  await ctx.call('deleteStorageSnapshot', { id: entry.id, confirmName: path.basename(entry.path) });
  if (ctx.io.json) printJson(ctx.io, { ok: true, id: entry.id, path: entry.path });
  else ctx.io.out(`deleted ${entry.path}`);
  return EXIT.ok;
}

/** Exit 0 when the database and the buckets agree, 1 when they differ. */
export async function storageCheckCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { bucket: { type: 'list' } });
  const [name] = expectPositionals(parsed, ['PROFILE'], STORAGE_USAGE.check);
  const buckets = Array.isArray(parsed.flags.bucket) ? parsed.flags.bucket : [];
  const profile = await findProfile(ctx, name!);
  const r = await withStorageSecret(ctx, profile.name, (storageSecret) =>
    withPasswordRetry(ctx, profile, (password) =>
      ctx.call('checkStorage', {
        profileId: profile.id,
        ...(buckets.length ? { buckets } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(storageSecret !== undefined ? { storageSecret } : {}),
      }),
    ),
  );
  if (ctx.io.json) printJson(ctx.io, r);
  else {
    ctx.io.out(`${r.databaseObjects} rows in storage.objects, ${r.bucketObjects} objects in ${r.buckets.join(', ')}: ${r.ok ? 'they agree' : 'DIFFERENCES'}`);
    for (const m of r.missingInBucket) ctx.io.out(`missing in the bucket  ${m.bucket}/${m.key}`);
    for (const m of r.missingInDatabase) ctx.io.out(`no storage.objects row ${m.bucket}/${m.key}`);
    for (const m of r.sizeMismatches) ctx.io.out(`size differs           ${m.bucket}/${m.key}: database ${m.databaseSize}, bucket ${m.bucketSize}`);
    if (r.truncated) ctx.io.out('(lists cut at 1,000 entries each)');
  }
  return r.ok ? EXIT.ok : EXIT.failure;
}

export function storageBackupCommand(ctx: CliContext, argv: string[]): Promise<number> {
  return storageBackup(ctx, argv);
}

export function storageSnapshotsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(ctx, rest);
  if (sub === 'show') return show(ctx, rest);
  if (sub === 'verify') return verify(ctx, rest);
  if (sub === 'delete') return remove(ctx, rest);
  throw new UsageError(
    `unknown storage-snapshots command "${sub ?? ''}"\nusage:\n  ${STORAGE_USAGE.list}\n  ${STORAGE_USAGE.show}\n  ${STORAGE_USAGE.verify}\n  ${STORAGE_USAGE.delete}`,
  );
}

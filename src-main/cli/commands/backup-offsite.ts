// `ops-console backup PROFILE --offsite DEST`: the dump streamed straight to an offsite
// destination, never to a local file (core/offsite/direct.ts). The call answers when the
// backup ended; progress (bytes sent, then read back) on stderr when it is a terminal;
// Ctrl-C cancels (pg_dump stopped, the multipart upload aborted: nothing published).
// The JSON keeps `backup`'s fields (cli.md): `path` and `manifestPath` name the objects
// (s3://bucket/key), `offsite` says where and how it was stored.
import crypto from 'node:crypto';
import type { BackupOptionsInput } from '../../contract/backup';
import type { Profile } from '../../contract/models';
import { formatMegabytes } from '../../core/platform/text/bytes';
import type { CliContext } from '../context';
import { EXIT, printJson } from '../io';
import { linesOf, withProgress } from '../job-progress';
import { withPasswordRetry } from '../password-retry';

export async function backupOffsite(ctx: CliContext, profile: Profile, options: BackupOptionsInput, destination: string): Promise<number> {
  const jobId = crypto.randomUUID();
  const line = linesOf('offsite.progress', jobId, (e) => `${e.phase === 'upload' ? 'dumping and uploading' : 'reading back'} ${formatMegabytes(e.bytesDone)}`);
  if (!ctx.io.json) ctx.io.err(`Backing up ${profile.name} straight to offsite destination ${destination}`);
  const run = (password?: string) => ctx.call('backupToOffsite', { ...options, destination, jobId, ...(password !== undefined ? { password } : {}) });
  const r = await withProgress(
    ctx,
    { line, quietWithJson: true },
    () => ctx.call('cancelOffsiteCopy', { jobId }),
    () => withPasswordRetry(ctx, profile, run),
  );
  const { backup: entry, copy } = r;
  const d = await ctx.call('getOffsiteDestination', { id: copy.destination });
  const objectPath = `s3://${d.bucket}/${copy.key}`;
  if (ctx.io.json)
    printJson(ctx.io, {
      ok: true,
      id: entry.id,
      path: objectPath,
      manifestPath: `${objectPath}.manifest.json`,
      kind: entry.kind,
      format: entry.format,
      bytes: entry.bytes,
      sha256: entry.sha256,
      manifest: entry.manifest,
      durationMs: entry.durationMs,
      pgDumpVersion: entry.manifest?.pgDumpVersion ?? null,
      serverVersion: entry.manifest?.serverVersion ?? null,
      warnings: entry.manifest?.warnings ?? [],
      offsite: {
        destination: copy.destination,
        endpoint: d.endpoint,
        bucket: d.bucket,
        key: copy.key,
        copyId: copy.id,
        storedBytes: copy.bytes,
        encrypted: copy.encrypted,
        keyId: copy.keyId,
        verified: copy.verified,
      },
    });
  else
    ctx.io.out(
      `${objectPath}\n${formatMegabytes(entry.bytes ?? 0)}, sha256 ${entry.sha256}, ${((entry.durationMs ?? 0) / 1000).toFixed(1)} s, read back and verified${copy.encrypted ? `, encrypted (key ${copy.keyId ?? '?'})` : ''}\nmanifest: ${objectPath}.manifest.json`,
    );
  return EXIT.ok;
}

// Fetching a backup back from its offsite copy so a restore or drill can read it when the
// local dump file is gone. The newest ok copy is streamed into
// <home>/offsite/staging/<file>.partial (decrypted on the fly when the copy is encrypted: the
// header's key id is checked on the first bytes, so a wrong key stops the download there),
// its sha256 compared with the catalog's, and only then renamed into place. Any failure
// removes the partial file, so a staged file that exists has been verified. A directory
// dump's copy is staged file by file into <dir>.partial (stage-dir.ts), then renamed whole.
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { BackupCopy } from '../../contract/offsite';
import { BackupCatalog } from '../backup';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore } from '../platform/objectstore';
import { parseKey } from '../platform/crypto';
import type { CopyRepo } from './copies';
import type { DestinationRepo } from './destinations';
import { downloadObject } from './download';
import { fetchDirectory } from './stage-dir';
import { OFFSITE_ENV, type OffsiteSecrets } from './secrets';

export interface StageOptions {
  signal?: AbortSignal;
  onBytes?: (delta: number) => void;
  /** The download's bytes so far of the copy's stored bytes (for progress and ETA). */
  onProgress?: (p: { bytesDone: number; bytesTotal: number }) => void;
}

export function stagingDir(home: string): string {
  return path.join(home, 'offsite', 'staging');
}

/** Where a backup's file is staged: named like the local file, so pg_restore and the manifest agree. */
export function stagedPathFor(home: string, backupPath: string): string {
  return path.join(stagingDir(home), path.basename(backupPath));
}

/** The newest ok copy of the backup, or null when it has none. */
export function newestOkCopy(copies: CopyRepo, backupId: string): BackupCopy | null {
  return copies.list({ backupId }).find((c) => c.status === 'ok') ?? null;
}

type StageDeps = Pick<CoreDeps, 'home' | 'store' | 'audit' | 'actor'>;
type StageRepos = { destinations: DestinationRepo; copies: CopyRepo; secrets: OffsiteSecrets };

/** Fetches the backup's newest ok offsite copy into the staging folder; audited as offsite.fetch. */
/** The key an encrypted copy is read with (null for a plain copy); PASSWORD_REQUIRED when none is at hand. */
export function copyKey(secrets: OffsiteSecrets, d: { id: string; name: string }, copy: Pick<BackupCopy, 'encrypted' | 'keyId'>): Buffer | null {
  if (!copy.encrypted) return null;
  const text = secrets.get(d.id, 'encryption');
  if (text === null)
    throw new OpsError(
      'PASSWORD_REQUIRED',
      `The copy on ${d.name} is encrypted (key ${copy.keyId ?? '?'}) and no encryption key is at hand: save it with the destination or set ${OFFSITE_ENV.encryption}.`,
      { secret: 'encryption' },
    );
  return parseKey(text);
}

export async function stageOffsiteCopy(deps: StageDeps, repos: StageRepos, backupId: string, options: StageOptions = {}): Promise<string> {
  const started = Date.now();
  const copy = newestOkCopy(repos.copies, backupId);
  const auditId = deps.audit.begin({
    actor: deps.actor,
    action: 'offsite.fetch',
    profile: new BackupCatalog(deps.store.db).get(backupId)?.profileName ?? null,
    summary: `fetch backup ${backupId} back from offsite${copy ? ` (${copy.destination}: ${copy.key})` : ''} for a restore`,
    detail: null,
  });
  try {
    const file = await fetchCopy(deps, repos, backupId, options);
    deps.audit.complete(auditId, {
      outcome: 'ok',
      durationMs: Date.now() - started,
      summary: `fetched backup ${backupId} from offsite, sha256 verified: ${file}`,
    });
    return file;
  } catch (err) {
    deps.audit.complete(auditId, { outcome: 'error', durationMs: Date.now() - started, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

async function fetchCopy(deps: StageDeps, repos: StageRepos, backupId: string, options: StageOptions): Promise<string> {
  const entry = new BackupCatalog(deps.store.db).get(backupId);
  if (entry === null) throw new OpsError('NOT_FOUND', `There is no backup ${backupId}.`, { id: backupId });
  if (entry.sha256 === null) throw new OpsError('CONFLICT', `Backup ${backupId} has no recorded sha256: its offsite copy cannot be checked.`);
  const copy = newestOkCopy(repos.copies, backupId);
  if (copy === null) throw new OpsError('NOT_FOUND', `Backup ${backupId} has no ok offsite copy.`, { id: backupId });
  const d = repos.destinations.get(copy.destinationId);
  const key = copyKey(repos.secrets, d, copy);

  const final = stagedPathFor(deps.home, entry.path);
  const partial = `${final}.partial`;
  fs.mkdirSync(stagingDir(deps.home), { recursive: true, mode: 0o700 });
  fs.rmSync(partial, { recursive: true, force: true });
  const store = new ObjectStore(repos.destinations.storeConfig(d));
  try {
    if (entry.format === 'directory') {
      await fetchDirectory(store, d, copy, key, partial, { expectedSha256: entry.sha256, ...options });
    } else {
      options.onProgress?.({ bytesDone: 0, bytesTotal: copy.bytes ?? 0 });
      let done = 0;
      const sha256 = await downloadObject(store, d, copy.key, key, partial, {
        ...options,
        onBytes: (delta) => {
          done += delta;
          options.onBytes?.(delta);
          options.onProgress?.({ bytesDone: done, bytesTotal: Math.max(done, copy.bytes ?? 0) });
        },
      });
      if (sha256 !== entry.sha256)
        throw new OpsError(
          'STORAGE_FAILED',
          `The offsite copy ${copy.key} on ${d.name} does not match backup ${backupId} (sha256 ${sha256} ≠ ${entry.sha256}): it was changed or damaged; nothing was restored from it.`,
          { reason: 'integrity', endpoint: d.endpoint, bucket: d.bucket, key: copy.key },
        );
    }
    fs.renameSync(partial, final);
    return final;
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  } finally {
    store.destroy();
  }
}

/** Removes a staged file (after the restore or drill that read it); a missing one is fine. */
export function removeStaged(home: string, file: string): void {
  // Only files under the staging folder: never a backup's own file.
  if (path.dirname(path.resolve(file)) !== path.resolve(stagingDir(home))) return;
  fs.rmSync(file, { recursive: true, force: true });
  fs.rmSync(`${file}.partial`, { recursive: true, force: true });
}

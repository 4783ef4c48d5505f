// The offsite domain's public face: offsite copies (issue #18): named S3-compatible destinations, verified (optionally encrypted) copies of backups and storage snapshots there, retention and fetching a copy back for restore. Nothing outside core/offsite/ imports a file of it but
// this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import type { SecretCipher } from '../platform/secrets/encrypted-secret-store';
import { offsiteHandlers, type OffsiteDomain, type OffsiteOps } from './handlers';
import { newestOkCopy, removeStaged, stageOffsiteCopy, stagedPathFor, type StageOptions } from './stage';
import fs from 'node:fs';
import { BackupCatalog } from '../backup';

export type { OffsiteOps, OffsiteDomain };
export { OFFSITE_ENV } from './secrets';

export function offsiteModule(deps: CoreDeps, cipher: SecretCipher | null = null): OffsiteDomain & DomainModule<OffsiteOps> {
  return offsiteHandlers(deps, cipher);
}

export { stageOffsiteCopy, removeStaged, type StageOptions };

/**
 * What the restore module needs to read a backup whose local file is gone: a verified staged
 * copy (reused while it is there: it is only renamed into place once its sha256 matched), or
 * null when the backup has no ok offsite copy; and the staged file's removal afterwards.
 */
export function offsiteStagerFor(
  deps: Pick<CoreDeps, 'home' | 'store' | 'audit' | 'actor'>,
  offsite: OffsiteDomain,
  options: StageOptions = {},
): { stage(backupId: string): Promise<string | null>; release(file: string): void } {
  return {
    stage: async (backupId) => {
      if (newestOkCopy(offsite.copies, backupId) === null) return null;
      const entry = new BackupCatalog(deps.store.db).get(backupId);
      if (entry !== null && fs.existsSync(stagedPathFor(deps.home, entry.path))) return stagedPathFor(deps.home, entry.path);
      // Options given (tests): a plain call; else the domain's cancellable job with progress events.
      return Object.keys(options).length > 0 ? stageOffsiteCopy(deps, offsite, backupId, options) : offsite.stage(backupId);
    },
    release: (file) => removeStaged(deps.home, file),
  };
}

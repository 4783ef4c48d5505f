// The backup domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/backup/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import type { SweptRun } from '../platform/tools/sweep';
import { backupHandlers, type BackupDomain, type BackupOps } from './handlers';

export type { BackupOps };
export { BackupCatalog } from './catalog';
export { manifestPathFor, readManifestFrom } from './manifest';
export { prepareBackup } from './plan';
export { grantLineRoles } from './role-grants';
/** Offsite copies verify a backup before copying it. */
export { verifyBackupEntry } from './verify';

export type { BackupDomain };

/** Running backups are cancelled on dispose; `jobs` is what a restore's pre-restore backup runs through. */
export function backupModule(deps: CoreDeps, swept: readonly SweptRun[] = []): BackupDomain & DomainModule<BackupOps> {
  return backupHandlers(deps, swept);
}

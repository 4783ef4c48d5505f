// The restore domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/restore/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import type { BackupDomain } from '../backup';
import { restoreHandlers, type RestoreDomain, type RestoreOps } from './handlers';

export type { RestoreDomain, RestoreOps };

/** Running restores and drills are cancelled on dispose; scratch clusters stopped and removed. */
export function restoreModule(deps: CoreDeps, backup: BackupDomain): RestoreDomain & DomainModule<RestoreOps> {
  return restoreHandlers(deps, backup);
}

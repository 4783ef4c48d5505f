// The restore domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/restore/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import type { BackupDomain } from '../backup';
import { offsiteStagerFor, type OffsiteDomain } from '../offsite';
import { restoreHandlers, type RestoreDomain, type RestoreOps } from './handlers';
import { registerOffsiteStager } from './offsite-source';

export type { RestoreDomain, RestoreOps };
/** The Fleet screen reads each profile's last drill. */
export { DrillStore } from './drill-store';

/** Running restores and drills are cancelled on dispose; scratch clusters stopped and removed. */
/** With `offsite`, a catalog backup whose local file is gone is fetched back from its offsite copy. */
export function restoreModule(deps: CoreDeps, backup: BackupDomain, offsite: OffsiteDomain | null = null): RestoreDomain & DomainModule<RestoreOps> {
  if (offsite !== null) registerOffsiteStager(deps.store.db, offsiteStagerFor(deps, offsite));
  return restoreHandlers(deps, backup);
}

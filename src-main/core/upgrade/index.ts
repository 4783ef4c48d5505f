// The upgrade domain's public face: upgrade planning: the server's version against PostgreSQL's versioning policy, extensions and features that change across the next major (issue #23). Nothing outside core/upgrade/ imports a
// file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { UPGRADE_CHECKS } from './checks';
import { upgradeHandlers, type UpgradeOps } from './handlers';

export type { UpgradeOps };

/** Registers the quarterly step's checks (upgrade.version, upgrade.extensions, upgrade.features); no operations of its own yet. */
export function upgradeModule(deps: CoreDeps): DomainModule<UpgradeOps> {
  for (const [name, check] of UPGRADE_CHECKS) deps.stepChecks.register(name, check);
  return { handlers: upgradeHandlers(deps) };
}

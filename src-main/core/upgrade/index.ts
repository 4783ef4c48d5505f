// The upgrade domain's public face: upgrade planning: the server's version against PostgreSQL's versioning policy, extensions and features that change across the next major (issue #23). Nothing outside core/upgrade/ imports a
// file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { upgradeHandlers, type UpgradeOps } from './handlers';

export type { UpgradeOps };

export function upgradeModule(deps: CoreDeps): DomainModule<UpgradeOps> {
  return { handlers: upgradeHandlers(deps) };
}

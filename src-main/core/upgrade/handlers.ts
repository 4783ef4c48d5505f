// The upgrade domain's operations: upgrade planning: the server's version against PostgreSQL's versioning policy, extensions and features that change across the next major (issue #23).
import type { upgradeOperations } from '../../contract/operations-upgrade';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';

export type UpgradeOps = keyof typeof upgradeOperations;

export function upgradeHandlers(_deps: CoreDeps): Pick<Handlers, UpgradeOps> {
  return {};
}

// The fleet domain's operations: many profiles at once: tags, bounded concurrent health and checklist runs, the Fleet screen's rows (issue #22).
import type { fleetOperations } from '../../contract/operations-fleet';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';

export type FleetOps = keyof typeof fleetOperations;

export function fleetHandlers(_deps: CoreDeps): Pick<Handlers, FleetOps> {
  return {};
}

// The fleet domain's public face: many profiles at once: tags, bounded concurrent health and checklist runs, the Fleet screen's rows (issue #22). Nothing outside core/fleet/ imports a
// file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { fleetHandlers, type FleetOps } from './handlers';

export type { FleetOps };

export function fleetModule(deps: CoreDeps): DomainModule<FleetOps> {
  return { handlers: fleetHandlers(deps) };
}

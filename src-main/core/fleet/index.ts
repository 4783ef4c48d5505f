// The fleet domain's public face: many profiles at once: tags, bounded concurrent health and checklist runs, the Fleet screen's rows (issue #22). Nothing outside core/fleet/ imports a
// file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { fleetHandlers, type FleetOps } from './handlers';
import { fleetScreen, type FleetScreenOps } from './screen-handlers';

export type { FleetOps, FleetScreenOps };

/** The Fleet screen's operations ride along (screen-handlers.ts); closing the core stops a running refresh. */
export function fleetModule(deps: CoreDeps): DomainModule<FleetOps | FleetScreenOps> {
  const screen = fleetScreen(deps);
  return { handlers: { ...fleetHandlers(deps), ...screen.handlers }, dispose: () => screen.dispose() };
}

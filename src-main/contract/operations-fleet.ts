// The fleet part of the one API contract: many profiles at once: tags, bounded concurrent health and checklist runs, the Fleet screen's rows (issue #22). Spread into `operations`.
// Each run is one audit entry of its own plus one per target (the target's profile, status
// and summary), so "who checked prod-eu last night" is answered per database.
import { fleetChecklistRunInput, fleetHealthInput, type FleetChecklistResult, type FleetHealthResult } from './fleet';
import { op } from './op';

export const fleetOperations = {
  /** The health overview on every selected profile; a target's failure is its result (unknown), never the call's error. */
  fleetHealth: op<FleetHealthResult>()({ input: fleetHealthInput, errors: ['INVALID_INPUT', 'NOT_FOUND'], audit: 'fleet.health' }),
  /** A checklist's read steps on every selected profile, judged per profile; failures as for fleetHealth. */
  fleetChecklistRun: op<FleetChecklistResult>()({ input: fleetChecklistRunInput, errors: ['INVALID_INPUT', 'NOT_FOUND'], audit: 'fleet.checklist' }),
} as const;

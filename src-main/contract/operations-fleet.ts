// The fleet part of the one API contract: many profiles at once: tags, bounded concurrent health and checklist runs, the Fleet screen's rows (issue #22). Spread into `operations`.
export const fleetOperations = {} as const;

// The Fleet screen's part of the one API contract (issue #22). getFleet reads the local store
// only (the last overview, backup, drill and sign-offs per profile), so it is not audited;
// refreshFleet runs the overview on every selected profile and is one audit entry.
import { cancelFleetRefreshInput, getFleetInput, refreshFleetInput, type FleetRefreshResult, type FleetView } from './fleet-screen';
import { op } from './op';

export const fleetScreenOperations = {
  /** One row per profile (optionally those with a tag), from what this workstation last saw. */
  getFleet: op<FleetView>()({ input: getFleetInput, errors: ['INVALID_INPUT'], audit: null }),
  /**
   * The overview on every selected profile, a bounded number at once, each with its own
   * timeout; one `fleet.refresh` event per finished target. A target's failure is its row's
   * connection state, never the call's error.
   */
  refreshFleet: op<FleetRefreshResult>()({ input: refreshFleetInput, errors: ['INVALID_INPUT'], audit: 'fleet.refresh' }),
  /** Stops a running refresh by its refreshId: targets not yet done end as cancelled and keep their rows as they were. */
  cancelFleetRefresh: op<{ cancelled: boolean }>()({ input: cancelFleetRefreshInput, errors: ['INVALID_INPUT'], audit: 'fleet.refresh.cancel' }),
} as const;

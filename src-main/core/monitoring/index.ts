// The monitoring domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/monitoring/ imports a file of it but this one (lint).
import type { VacuumResult } from '../../contract/monitoring';
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { JobRegistry } from '../platform/jobs/registry';
import { registerCapacityChecks } from './forecast/checks';
import { monitoringHandlers, type MonitoringOps } from './handlers';
import { reportConnections } from './report-pool';

export type { MonitoringOps };

/** The Fleet screen (issue #22): the overview that keeps its outcome per profile, and the outcomes kept. */
export { lastOverviewOf, lastOverviews, pruneLastOverviews, recordLastOverview, runOverview, type LastOverview } from './overview-last';
export type { XactSamples } from './overview';

/**
 * A running VACUUM is cancelled (on the server) and awaited on dispose, and the reports' warm
 * connections (report-pool.ts) are closed. The capacity forecast's
 * checks (capacity.database-size, capacity.connections, capacity.wraparound) are registered for
 * the monthly procedure's steps to name.
 */
export function monitoringModule(deps: CoreDeps): DomainModule<MonitoringOps> {
  registerCapacityChecks(deps);
  const vacuums = new JobRegistry<VacuumResult>();
  return {
    handlers: monitoringHandlers(deps, vacuums),
    dispose: async () => {
      await vacuums.disposeAll('the app closed while it ran');
      await reportConnections(deps).closeAll();
    },
  };
}

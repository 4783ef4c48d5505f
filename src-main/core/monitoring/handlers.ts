// Contract handlers for monitoring (issue #9): the overview and history (overview-handlers.ts)
// and the reports the Performance screen polls — top queries, indexes, tables and storage,
// the shop's figures — which read only; VACUUM is audited by the dispatcher and enriched
// by vacuum.ts.
import type { VacuumResult } from '../../contract/monitoring';
import type { CoreDeps } from '../platform/kernel/deps';
import type { JobRegistry } from '../platform/jobs/registry';
import type { Handlers } from '../platform/kernel/dispatch';
import { getAppMetrics } from './app-metrics';
import { getIndexReport } from './indexes';
import { overviewHandlers } from './overview-handlers';
import { getTopQueries } from './queries';
import { getTableReport } from './tables';
import { capacityForecast } from './forecast/capacity';
import { runVacuum } from './vacuum';

export type MonitoringOps =
  'getOverview' | 'getTopQueries' | 'getIndexReport' | 'getTableReport' | 'getAppMetrics' | 'getMetricHistory' | 'getCapacityForecast' | 'runVacuum';

export function monitoringHandlers(deps: CoreDeps, vacuums: JobRegistry<VacuumResult>): Pick<Handlers, MonitoringOps> {
  return {
    ...overviewHandlers(deps),
    getTopQueries: function getTopQueriesHandler(input) {
      return getTopQueries(deps, deps.profiles.require(input.profileId), input);
    },
    getIndexReport: function getIndexReportHandler(input) {
      return getIndexReport(deps, deps.profiles.require(input.profileId), input.password);
    },
    getTableReport: function getTableReportHandler(input) {
      return getTableReport(deps, deps.profiles.require(input.profileId), input.password);
    },
    getAppMetrics: function getAppMetricsHandler(input) {
      return getAppMetrics(deps, deps.profiles.require(input.profileId), input.password);
    },
    getCapacityForecast: function getCapacityForecastHandler(input) {
      return Promise.resolve(capacityForecast(deps, deps.profiles.require(input.profileId), new Date()));
    },
    runVacuum: function runVacuumHandler(input, ctx) {
      return runVacuum(deps, deps.profiles.require(input.profileId), input, ctx.audit, vacuums);
    },
  };
}

// STUB (issue #9, being written): contract handlers for monitoring.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';
import { overviewHandlers } from './overview-handlers';

export type MonitoringOps = 'getOverview' | 'getTopQueries' | 'getIndexReport' | 'getTableReport' | 'getAppMetrics' | 'getMetricHistory' | 'runVacuum';

export function monitoringHandlers(deps: CoreDeps): Pick<Handlers, MonitoringOps> {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return { ...overviewHandlers(deps), getTopQueries: todo, getIndexReport: todo, getTableReport: todo, getAppMetrics: todo, runVacuum: todo };
}

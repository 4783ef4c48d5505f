// STUB (issue #9, being written): the overview (health checks), snapshots and history.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function overviewHandlers(_deps: CoreDeps): Pick<Handlers, 'getOverview' | 'getMetricHistory'> {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return { getOverview: todo, getMetricHistory: todo };
}

// STUB (issue #5, to be written): getThresholds / setThresholds / getMaintenanceCalendar.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function calendarHandlers(_deps: CoreDeps): Pick<Handlers, 'getThresholds' | 'setThresholds' | 'getMaintenanceCalendar'> {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return { getThresholds: todo, setThresholds: todo, getMaintenanceCalendar: todo };
}

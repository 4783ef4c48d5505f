// STUB (issue #8, being written): contract handlers for live activity and actions on backends.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export type ActivityOps = 'getActivity' | 'cancelBackend' | 'terminateBackend' | 'previewSessionCleanup' | 'runSessionCleanup';

export function activityHandlers(_deps: CoreDeps): Pick<Handlers, ActivityOps> {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return { getActivity: todo, cancelBackend: todo, terminateBackend: todo, previewSessionCleanup: todo, runSessionCleanup: todo };
}

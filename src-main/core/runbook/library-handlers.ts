// STUB (issue #5, to be written): listProcedures and saved runbooks.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function libraryHandlers(_deps: CoreDeps): Pick<Handlers, 'listProcedures' | 'listRunbooks' | 'getRunbook' | 'deleteRunbook'> {
  const todo = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not yet');
  };
  return { listProcedures: todo, listRunbooks: todo, getRunbook: todo, deleteRunbook: todo };
}

// Contract handlers for runbooks and checklists (issue #5). Stubs: being built.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';
import { importHandlers } from './import-handlers';

export function runbookHandlers(deps: CoreDeps): Pick<Handlers, 'importRunbook' | 'listChecklists' | 'runChecklist'> {
  return {
    ...importHandlers(deps),
    listChecklists: () => {
      throw new OpsError('NOT_IMPLEMENTED', 'checklists are not built yet');
    },
    runChecklist: () => {
      throw new OpsError('NOT_IMPLEMENTED', 'checklists are not built yet');
    },
  };
}

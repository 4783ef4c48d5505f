// The importRunbook handler (issue #5). Stub: being built.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function importHandlers(_deps: CoreDeps): Pick<Handlers, 'importRunbook'> {
  return {
    importRunbook: () => {
      throw new OpsError('NOT_IMPLEMENTED', 'runbook import is not built yet');
    },
  };
}

// Contract handlers for the ops toolkit (issue #5). Stubs: being built.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function toolkitHandlers(_deps: CoreDeps): Pick<Handlers, 'getToolkitStatus' | 'installToolkit'> {
  const notYet = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'the ops toolkit is not built yet');
  };
  return { getToolkitStatus: notYet, installToolkit: notYet };
}

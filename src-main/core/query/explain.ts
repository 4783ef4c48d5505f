// EXPLAIN as a tree (issue #4). Stub: being built.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';
import type { QueryService } from './service';

export function explainHandlers(_deps: CoreDeps, _service: QueryService): Pick<Handlers, 'explainQuery'> {
  return {
    explainQuery: () => {
      throw new OpsError('NOT_IMPLEMENTED', 'EXPLAIN is not built yet');
    },
  };
}

// Catalog for autocomplete and the editor's tabs (issue #4). Stub: being built.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function workbenchHandlers(_deps: CoreDeps): Pick<Handlers, 'getQueryCatalog' | 'getEditorTabs' | 'saveEditorTabs'> {
  const notYet = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not built yet');
  };
  return { getQueryCatalog: notYet, getEditorTabs: notYet, saveEditorTabs: notYet };
}

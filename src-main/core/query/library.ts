// Query history, snippets and export to a file (issue #4). Stub: being built.
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';

export function libraryHandlers(_deps: CoreDeps): Pick<Handlers, 'listQueryHistory' | 'listSnippets' | 'saveSnippet' | 'deleteSnippet' | 'exportQuery'> {
  const notYet = (): never => {
    throw new OpsError('NOT_IMPLEMENTED', 'not built yet');
  };
  return { listQueryHistory: notYet, listSnippets: notYet, saveSnippet: notYet, deleteSnippet: notYet, exportQuery: notYet };
}

// Query history, snippets and export to a file (issue #4): the contract handlers. The
// work lives in history.ts, snippets.ts and export.ts; the dispatcher audits saveSnippet,
// deleteSnippet and exportQuery around these calls.
import type { QueryExportResult } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { JobRegistry } from '../platform/jobs/registry';
import type { Handlers } from '../platform/kernel/dispatch';
import { exportQuery } from './export';
import { listQueryHistory } from './history';
import { deleteSnippet, listSnippets, saveSnippet } from './snippets';

export function libraryHandlers(
  deps: CoreDeps,
  exports: JobRegistry<QueryExportResult>,
): Pick<Handlers, 'listQueryHistory' | 'listSnippets' | 'saveSnippet' | 'deleteSnippet' | 'exportQuery'> {
  return {
    listQueryHistory: (input) => ({ entries: listQueryHistory(deps, input) }),
    listSnippets: () => ({ snippets: listSnippets(deps) }),
    saveSnippet: (input, ctx) => saveSnippet(deps, input, ctx.audit),
    deleteSnippet: (input, ctx) => deleteSnippet(deps, input.id, ctx.audit),
    exportQuery: (input, ctx) => exportQuery(deps, input, ctx.audit, exports),
  };
}

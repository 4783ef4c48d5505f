// Contract handlers for the query console. The dispatcher audits runQuery and cancelQuery
// around these calls; the service fills in profile, SQL text, rows and outcome.
import type { QueryExportResult } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { JobRegistry } from '../platform/jobs/registry';
import type { Handlers } from '../platform/kernel/dispatch';
import { explainHandlers } from './explain';
import { libraryHandlers } from './library';
import { queryServiceFor } from './service';
import { workbenchHandlers } from './workbench';
import type { SessionManagerOptions } from './session';

export type QueryHandlers = Pick<
  Handlers,
  | 'planQuery'
  | 'runQuery'
  | 'cancelQuery'
  | 'fetchMoreRows'
  | 'closeResult'
  | 'explainQuery'
  | 'getQueryCatalog'
  | 'getEditorTabs'
  | 'saveEditorTabs'
  | 'listQueryHistory'
  | 'listSnippets'
  | 'saveSnippet'
  | 'deleteSnippet'
  | 'exportQuery'
>;

export function queryHandlers(deps: CoreDeps, options?: SessionManagerOptions): { handlers: QueryHandlers; dispose: () => Promise<void> } {
  const service = queryServiceFor(deps, options);
  // Exports run as jobs: closing the core cancels them and waits for their cleanup (the .partial file).
  const exports = new JobRegistry<QueryExportResult>();
  return {
    handlers: {
      planQuery: (input) => service.plan(input.profileId, input.sql),
      runQuery: (input, ctx) =>
        service.run(
          {
            profileId: input.profileId,
            sql: input.sql,
            maxRows: input.maxRows,
            confirmName: input.confirmName,
            override: input.override,
            password: input.password,
            runId: input.runId,
            auditId: ctx.auditId,
          },
          ctx.audit,
          { collect: true },
        ),
      cancelQuery: (input, ctx) => service.cancel(input.profileId, ctx.audit),
      fetchMoreRows: (input, ctx) => service.fetchMore(input.profileId, input.runId, input.count, ctx.audit),
      closeResult: (input, ctx) => service.closeResult(input.profileId, input.runId, ctx.audit),
      ...explainHandlers(deps, service),
      ...workbenchHandlers(deps),
      ...libraryHandlers(deps, exports),
    },
    dispose: async () => {
      await exports.disposeAll('the app closed while the export ran');
      await service.close();
    },
  };
}

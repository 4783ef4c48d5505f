// Contract handlers for the query console. The dispatcher audits runQuery and cancelQuery
// around these calls; the service fills in profile, SQL text, rows and outcome.
import type { CoreDeps } from '../app';
import type { Handlers } from '../dispatch';
import { queryServiceFor } from './service';
import type { SessionManagerOptions } from './session';

type QueryHandlers = Pick<Handlers, 'planQuery' | 'runQuery' | 'cancelQuery'>;

export function queryHandlers(deps: CoreDeps, options?: SessionManagerOptions): { handlers: QueryHandlers; dispose: () => Promise<void> } {
  const service = queryServiceFor(deps, options);
  return {
    handlers: {
      planQuery: (input) => service.plan(input.profileId, input.sql),
      runQuery: (input, ctx) =>
        service.run(
          { profileId: input.profileId, sql: input.sql, maxRows: input.maxRows, confirmName: input.confirmName, override: input.override, password: input.password },
          ctx.audit,
          { collect: true },
        ),
      cancelQuery: (input, ctx) => service.cancel(input.profileId, ctx.audit),
    },
    dispose: () => service.close(),
  };
}

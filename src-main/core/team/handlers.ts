// The team domain's operations: the optional team store in PostgreSQL: its migrations, the outbox that uploads the local audit trail, runs and runbooks, and verifying every workstation's chain there (issue #22).
import type { teamOperations } from '../../contract/operations-team';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';

export type TeamOps = keyof typeof teamOperations;

export function teamHandlers(_deps: CoreDeps): Pick<Handlers, TeamOps> {
  return {};
}

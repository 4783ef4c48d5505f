// The team domain's public face: the optional team store in PostgreSQL: its migrations, the outbox that uploads the local audit trail, runs and runbooks, and verifying every workstation's chain there (issue #22). Nothing outside core/team/ imports a
// file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { teamHandlers, type TeamOps } from './handlers';

export type { TeamOps };

export function teamModule(deps: CoreDeps): DomainModule<TeamOps> {
  return { handlers: teamHandlers(deps) };
}

// The team domain's public face: the optional team store in PostgreSQL: its migrations, the outbox that uploads the local audit trail, runs and runbooks, and verifying every workstation's chain there (issue #22). Nothing outside core/team/ imports a
// file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { teamHandlers, type TeamOps } from './handlers';
import { TeamSync } from './sync';

export type { TeamOps };

/** The SQL that creates the team store's roles (README, `team connect`). */
export { ROLES_SQL } from './schema';

export function teamModule(deps: CoreDeps): DomainModule<TeamOps> {
  // The CLI syncs when asked (`team sync`); the desktop app and browser mode in the background.
  const sync = new TeamSync(deps, { background: deps.mode !== 'cli' });
  return { handlers: teamHandlers(deps, sync), dispose: () => sync.dispose() };
}

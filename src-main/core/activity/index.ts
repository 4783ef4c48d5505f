// The activity domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/activity/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { activityHandlers, type ActivityOps } from './handlers';

export type { ActivityOps };

export function activityModule(deps: CoreDeps): DomainModule<ActivityOps> {
  return { handlers: activityHandlers(deps) };
}

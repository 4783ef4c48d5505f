// The monitoring domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/monitoring/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { monitoringHandlers, type MonitoringOps } from './handlers';

export type { MonitoringOps };

export function monitoringModule(deps: CoreDeps): DomainModule<MonitoringOps> {
  return { handlers: monitoringHandlers(deps) };
}

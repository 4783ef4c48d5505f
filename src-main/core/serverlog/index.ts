// The serverlog domain's public face: the server log (issue #19): where the server writes its log, whether this role may read it, and the log's lines filtered by level and text. Nothing outside core/serverlog/ imports a file of it but
// this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { serverlogHandlers, type ServerlogOps } from './handlers';

export type { ServerlogOps };

export function serverlogModule(deps: CoreDeps): DomainModule<ServerlogOps> {
  return { handlers: serverlogHandlers(deps) };
}

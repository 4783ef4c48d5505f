// The query domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/query/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import type { SessionManagerOptions } from './session';
import { queryHandlers, type QueryHandlers } from './handlers';

export type QueryOps = keyof QueryHandlers;
export { csvField, csvLines } from './formats';
export type { ResultSink } from './run';
export { queryServiceFor } from './service';
export type { RunInput } from './service';
export { BUILTIN_SNIPPETS } from './snippets-builtin';
export { cellTypes, toCell } from './values';

/** Console sessions (and the tunnels they hold) close on dispose. */
export function queryModule(deps: CoreDeps, options?: SessionManagerOptions): DomainModule<QueryOps> {
  return queryHandlers(deps, options);
}

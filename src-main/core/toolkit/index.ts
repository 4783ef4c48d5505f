// The toolkit domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/toolkit/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { toolkitHandlers, type ToolkitOps } from './handlers';

export type { ToolkitOps };
export { installToolkitOn } from './toolkit';
export { TOOLKIT_FUNCTIONS, TOOLKIT_FUNCTION_NAMES, TOOLKIT_SCHEMA, TOOLKIT_VERSION } from './toolkit-sql';

export function toolkitModule(deps: CoreDeps): DomainModule<ToolkitOps> {
  return { handlers: toolkitHandlers(deps) };
}

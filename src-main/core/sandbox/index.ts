// The sandbox domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/sandbox/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { sandboxHandlers, type SandboxHandlers } from './handlers';

export type SandboxOps = keyof SandboxHandlers;
export { SANDBOX_PROFILE, Sandbox } from './sandbox';

/** The demo cluster stops (idles) on dispose. */
export function sandboxModule(deps: Pick<CoreDeps, 'home' | 'profiles' | 'events'>): DomainModule<SandboxOps> {
  return sandboxHandlers(deps);
}

// The profiles domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/profiles/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { elevationHandlers } from './elevation';
import { profileHandlers, type ProfileHandlers } from './handlers';

export type ProfileOps = keyof ProfileHandlers;

export function profilesModule(deps: CoreDeps): DomainModule<ProfileOps> {
  const elevation = elevationHandlers(deps);
  // Elevations live in memory; closing the core ends (and audits) the ones it started.
  return {
    handlers: profileHandlers(deps, elevation),
    dispose: async () => {
      elevation.dispose();
      await Promise.resolve();
    },
  };
}

/** A profile's S3 config for ObjectStore (issue #18); see storage-connection.ts for the errors. */
export { storageConfigFor } from './storage-connection';

/** libpq URI → profile fields (the team store's URL is parsed like a profile's, issue #22). */
export { parseProfileUri } from './uri';
export { detectSupabase } from './test-connection';

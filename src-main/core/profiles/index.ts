// The profiles domain's public face: the module createCore lists and what other domains and the
// transports may use. Nothing outside core/profiles/ imports a file of it but this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import { profileHandlers, type ProfileHandlers } from './handlers';

export type ProfileOps = keyof ProfileHandlers;

export function profilesModule(deps: CoreDeps): DomainModule<ProfileOps> {
  return { handlers: profileHandlers(deps) };
}

/** A profile's S3 config for ObjectStore (issue #18); see storage-connection.ts for the errors. */
export { storageConfigFor } from './storage-connection';

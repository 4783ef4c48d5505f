// The offsite domain's public face: offsite copies (issue #18): named S3-compatible destinations, verified (optionally encrypted) copies of backups and storage snapshots there, retention and fetching a copy back for restore. Nothing outside core/offsite/ imports a file of it but
// this one (lint).
import type { CoreDeps, DomainModule } from '../platform/kernel/deps';
import type { SecretCipher } from '../platform/secrets/encrypted-secret-store';
import { offsiteHandlers, type OffsiteDomain, type OffsiteOps } from './handlers';

export type { OffsiteOps, OffsiteDomain };
export { OFFSITE_ENV } from './secrets';

export function offsiteModule(deps: CoreDeps, cipher: SecretCipher | null = null): OffsiteDomain & DomainModule<OffsiteOps> {
  return offsiteHandlers(deps, cipher);
}

// Browser mode and the CLI: a password given during this process lives only in its
// memory and is gone when the process ends. Nothing reaches disk.
import type { SecretKind, SecretStore, SecretStoreStatus } from './secret-store';

export class MemorySecretStore implements SecretStore {
  readonly backend = 'memory';
  readonly persistent = false;
  private readonly secrets = new Map<string, string>();

  status(): SecretStoreStatus {
    return { available: true };
  }

  get(profileId: string, kind: SecretKind = 'db'): string | null {
    return this.secrets.get(key(profileId, kind)) ?? null;
  }

  set(profileId: string, secret: string, kind: SecretKind = 'db'): void {
    this.secrets.set(key(profileId, kind), secret);
  }

  delete(profileId: string, kind: SecretKind = 'db'): void {
    this.secrets.delete(key(profileId, kind));
  }
}

function key(profileId: string, kind: SecretKind): string {
  return `${kind}\u0000${profileId}`;
}

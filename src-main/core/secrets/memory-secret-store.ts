// Browser mode and the CLI: a password given during this process lives only in its
// memory and is gone when the process ends. Nothing reaches disk.
import type { SecretStore, SecretStoreStatus } from './secret-store';

export class MemorySecretStore implements SecretStore {
  readonly backend = 'memory';
  readonly persistent = false;
  private readonly secrets = new Map<string, string>();

  status(): SecretStoreStatus {
    return { available: true };
  }

  get(profileId: string): string | null {
    return this.secrets.get(profileId) ?? null;
  }

  set(profileId: string, secret: string): void {
    this.secrets.set(profileId, secret);
  }

  delete(profileId: string): void {
    this.secrets.delete(profileId);
  }
}

// Where the app keeps passwords it was given. Never plaintext: the desktop app encrypts
// with Electron safeStorage (an OS keychain) and refuses when the OS offers none; the CLI
// and browser mode keep them only in process memory and otherwise rely on ~/.pgpass,
// PGPASSWORD or a prompt.

export interface SecretStoreStatus {
  available: boolean;
  /** Why secrets cannot be kept, in words a user can act on. */
  reason?: string;
}

/**
 * Which secret of a profile: the database password, the SSH bastion's key passphrase or
 * password, the jump host's, the storage (S3) connection's secret access key, or the
 * break-glass role's password (issue #19). Callers that predate SSH omit it and mean 'db'.
 */
export type SecretKind = 'db' | 'ssh' | 'jump' | 'storage' | 'breakglass';
export const SECRET_KINDS: readonly SecretKind[] = ['db', 'ssh', 'jump', 'storage', 'breakglass'];

export interface SecretStore {
  /** e.g. "safeStorage:gnome_libsecret", "memory". */
  readonly backend: string;
  /** True when a secret set here outlives the process. */
  readonly persistent: boolean;
  status(): SecretStoreStatus;
  get(profileId: string, kind?: SecretKind): string | null;
  /** Throws OpsError SECRET_STORE_UNAVAILABLE when status().available is false. */
  set(profileId: string, secret: string, kind?: SecretKind): void;
  delete(profileId: string, kind?: SecretKind): void;
}

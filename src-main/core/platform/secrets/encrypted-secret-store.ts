// Desktop: passwords encrypted by the OS keychain (Electron safeStorage, passed in by the
// shell as a `SecretCipher`), only ciphertext in the store's `secrets` table. The shell
// decides whether the backend is trustworthy (it refuses safeStorage's plaintext
// fallbacks on Linux); this class only honours that decision.
import type Database from 'better-sqlite3';
import { OpsError } from '../../../contract/errors';
import { log } from '../kernel/log';
import type { SecretKind, SecretStore, SecretStoreStatus } from './secret-store';

export interface SecretCipher {
  /** Label of the keychain, e.g. "safeStorage:gnome_libsecret". */
  backend: string;
  isAvailable(): boolean;
  unavailableReason(): string | undefined;
  encrypt(plain: string): Buffer;
  decrypt(buf: Buffer): string;
}

interface SecretRow {
  backend: string;
  ciphertext: Buffer;
}

const DEFAULT_REASON = 'No OS keychain is available to encrypt passwords, so none can be saved. Use ~/.pgpass, PGPASSWORD or enter the password when asked.';

export class EncryptedSecretStore implements SecretStore {
  readonly persistent = true;
  readonly backend: string;

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: SecretCipher,
  ) {
    this.backend = cipher.backend;
  }

  status(): SecretStoreStatus {
    if (this.cipher.isAvailable()) return { available: true };
    return { available: false, reason: this.cipher.unavailableReason() ?? DEFAULT_REASON };
  }

  get(profileId: string, kind: SecretKind = 'db'): string | null {
    const row = this.db.prepare('SELECT backend, ciphertext FROM secrets WHERE profile_id = ? AND kind = ?').get(profileId, kind) as SecretRow | undefined;
    if (!row || !this.cipher.isAvailable()) return null;
    if (row.backend !== this.cipher.backend) {
      // Encrypted by another keychain (e.g. the user switched desktop); we cannot read it.
      log.warn(`${kind} secret for profile ${profileId} was saved with ${row.backend}, now using ${this.cipher.backend}; ignoring it`);
      return null;
    }
    try {
      return this.cipher.decrypt(row.ciphertext);
    } catch (err) {
      log.warn(`cannot decrypt the saved ${kind} secret for profile ${profileId}`, err instanceof Error ? err.message : String(err));
      return null;
    }
  }

  set(profileId: string, secret: string, kind: SecretKind = 'db'): void {
    const status = this.status();
    if (!status.available) throw new OpsError('SECRET_STORE_UNAVAILABLE', `The password cannot be saved: ${status.reason ?? DEFAULT_REASON}`);
    const ciphertext = this.cipher.encrypt(secret);
    this.db
      .prepare(
        `INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(profile_id, kind) DO UPDATE SET backend = excluded.backend, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(profileId, kind, this.cipher.backend, ciphertext, new Date().toISOString());
  }

  delete(profileId: string, kind: SecretKind = 'db'): void {
    this.db.prepare('DELETE FROM secrets WHERE profile_id = ? AND kind = ?').run(profileId, kind);
  }
}

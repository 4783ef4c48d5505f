// Where a destination's secret access key comes from. The profiles' secret store is keyed by
// profile (a foreign key to profiles), so destinations keep theirs in offsite_secrets,
// encrypted by the same cipher when the desktop shell hands one over; without a cipher (CLI,
// browser mode) they live in this process's memory only, and the CLI reads the environment.
import type Database from 'better-sqlite3';
import { OpsError } from '../../contract/errors';
import type { SecretCipher } from '../platform/secrets/encrypted-secret-store';

export type OffsiteSecretKind = 'access' | 'encryption';

/** The environment variables the CLI (and any process) may give the secrets through. */
export const OFFSITE_ENV: Record<OffsiteSecretKind, string> = {
  access: 'OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY',
  encryption: 'OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY',
};

export class OffsiteSecrets {
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: SecretCipher | null = null,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Saved (or remembered) first, then the environment; null when neither has it. */
  get(destinationId: string, kind: OffsiteSecretKind): string | null {
    const remembered = this.memory.get(`${kind}\u0000${destinationId}`);
    if (remembered !== undefined) return remembered;
    if (this.cipher?.isAvailable()) {
      const row = this.db.prepare('SELECT backend, ciphertext FROM offsite_secrets WHERE destination_id = ? AND kind = ?').get(destinationId, kind) as
        { backend: string; ciphertext: Buffer } | undefined;
      if (row && row.backend === this.cipher.backend) {
        try {
          return this.cipher.decrypt(row.ciphertext);
        } catch {
          // Unreadable with this keychain: fall through to the environment.
        }
      }
    }
    const fromEnv = this.env[OFFSITE_ENV[kind]];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : null;
  }

  set(destinationId: string, kind: OffsiteSecretKind, secret: string): void {
    if (this.cipher === null) {
      this.memory.set(`${kind}\u0000${destinationId}`, secret);
      return;
    }
    if (!this.cipher.isAvailable())
      throw new OpsError('SECRET_STORE_UNAVAILABLE', `The secret cannot be saved: ${this.cipher.unavailableReason() ?? 'no OS keychain is available'}.`);
    this.db
      .prepare(
        `INSERT INTO offsite_secrets (destination_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(destination_id, kind) DO UPDATE SET backend = excluded.backend, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      )
      .run(destinationId, kind, this.cipher.backend, this.cipher.encrypt(secret), new Date().toISOString());
  }

  delete(destinationId: string, kind: OffsiteSecretKind): void {
    this.memory.delete(`${kind}\u0000${destinationId}`);
    this.db.prepare('DELETE FROM offsite_secrets WHERE destination_id = ? AND kind = ?').run(destinationId, kind);
  }
}

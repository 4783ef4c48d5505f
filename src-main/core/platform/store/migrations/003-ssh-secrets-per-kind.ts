// Migration 3. SSH tunnels: the hop settings on the profile and one secret per (profile, kind).
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/003-ssh-secrets-per-kind.test.ts.
import type { Migration } from './migration';

export const migration003: Migration = {
  version: 3,
  name: 'SSH tunnel settings and secrets per kind',
  sql: `
      -- The profile's SSH hop(s) as validated JSON (sshSettingsSchema); NULL = direct connection.
      -- Never a secret: key passphrases and SSH passwords live in secrets, kind 'ssh'/'jump'.
      ALTER TABLE profiles ADD COLUMN ssh_json TEXT;

      -- One secret per profile and kind: the database password, the bastion's key
      -- passphrase or password, and the jump host's. Existing rows are database passwords.
      CREATE TABLE secrets_v3 (
        profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL DEFAULT 'db' CHECK (kind IN ('db','ssh','jump')),
        backend     TEXT NOT NULL,
        ciphertext  BLOB NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (profile_id, kind)
      );
      INSERT INTO secrets_v3 (profile_id, kind, backend, ciphertext, updated_at)
        SELECT profile_id, 'db', backend, ciphertext, updated_at FROM secrets;
      DROP TABLE secrets;
      ALTER TABLE secrets_v3 RENAME TO secrets;
    `,
};

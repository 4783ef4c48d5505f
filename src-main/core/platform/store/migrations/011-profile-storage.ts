// Migration 11. Supabase Storage (S3) connection on a profile; its secret kind.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/011-profile-storage.test.ts.
import type { Migration } from './migration';

export const migration011: Migration = {
  version: 11,
  name: 'profile storage connection',
  sql: `
      -- The profile's S3 connection as validated JSON (storageSettingsSchema); NULL = none.
      -- Never the secret access key: that lives in secrets, kind 'storage'.
      ALTER TABLE profiles ADD COLUMN storage_json TEXT;

      -- SQLite cannot alter a CHECK: rebuild secrets with 'storage' allowed, rows kept.
      CREATE TABLE secrets_v11 (
        profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL DEFAULT 'db' CHECK (kind IN ('db','ssh','jump','storage')),
        backend     TEXT NOT NULL,
        ciphertext  BLOB NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (profile_id, kind)
      );
      INSERT INTO secrets_v11 (profile_id, kind, backend, ciphertext, updated_at)
        SELECT profile_id, kind, backend, ciphertext, updated_at FROM secrets;
      DROP TABLE secrets;
      ALTER TABLE secrets_v11 RENAME TO secrets;
    `,
};

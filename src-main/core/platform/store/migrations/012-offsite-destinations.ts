// Migration 12. Named S3-compatible offsite destinations (issue #18), their secrets and the
// copies of backups on them.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/012-offsite-destinations.test.ts.
import type { Migration } from './migration';

export const migration012: Migration = {
  version: 12,
  name: 'offsite destinations',
  sql: `
      -- Never a secret here: the secret access key and the encryption key live in
      -- offsite_secrets, encrypted by the same backend as the profiles' secrets.
      CREATE TABLE offsite_destinations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        endpoint TEXT NOT NULL,
        region TEXT NOT NULL,
        bucket TEXT NOT NULL,
        prefix TEXT NOT NULL DEFAULT '',
        access_key_id TEXT NOT NULL,
        force_path_style INTEGER NOT NULL DEFAULT 1,
        encrypt INTEGER NOT NULL DEFAULT 0,
        key_id TEXT,
        retention_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- The profiles' secrets table has a foreign key to profiles; a destination is not a
      -- profile, so its secrets get their own table (same backend column and ciphertext).
      CREATE TABLE offsite_secrets (
        destination_id TEXT NOT NULL REFERENCES offsite_destinations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('access','encryption')),
        backend TEXT NOT NULL,
        ciphertext BLOB NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (destination_id, kind)
      );

      -- One row per copy attempt. artifact_kind 'backup' names backups.id; 'storage' (a
      -- storage snapshot) comes later. No foreign key: a copy outlives its local backup.
      -- destination_name is kept so the list still reads after the destination is gone.
      CREATE TABLE backup_copies (
        id TEXT PRIMARY KEY,
        artifact_kind TEXT NOT NULL DEFAULT 'backup' CHECK (artifact_kind IN ('backup','storage')),
        artifact_id TEXT NOT NULL,
        destination_id TEXT NOT NULL,
        destination_name TEXT NOT NULL,
        object_key TEXT NOT NULL,
        stored_bytes INTEGER,
        plain_sha256 TEXT,
        encrypted INTEGER NOT NULL DEFAULT 0,
        key_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled','deleted')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        verified_at TEXT,
        error TEXT
      );
      CREATE INDEX backup_copies_artifact ON backup_copies (artifact_id, status);
      CREATE INDEX backup_copies_destination ON backup_copies (destination_id, status);
    `,
};

// Migration 1. The first schema: connection profiles, their secrets (ciphertext only) and app settings.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/001-profiles-secrets-settings.test.ts.
import type { Migration } from './migration';

export const migration001: Migration = {
  version: 1,
  name: 'profiles, secrets and settings',
  sql: `
      CREATE TABLE profiles (
        id                   TEXT PRIMARY KEY,
        name                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
        host                 TEXT NOT NULL,
        port                 INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        database             TEXT NOT NULL,
        user                 TEXT NOT NULL,
        sslmode              TEXT NOT NULL,
        ssl_root_cert        TEXT,
        env                  TEXT NOT NULL CHECK (env IN ('production','staging','development','sandbox')),
        read_only            INTEGER NOT NULL CHECK (read_only IN (0,1)),
        statement_timeout_ms INTEGER,
        notes                TEXT NOT NULL DEFAULT '',
        contacts_json        TEXT NOT NULL DEFAULT '[]',
        escalation_level     INTEGER CHECK (escalation_level IN (1,2,3)),
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL
      );

      -- Only ciphertext lives here (Electron safeStorage); never a plaintext password.
      CREATE TABLE secrets (
        profile_id  TEXT PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
        backend     TEXT NOT NULL,
        ciphertext  BLOB NOT NULL,
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
};

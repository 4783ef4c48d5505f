// Migration 7. The backup catalog: every backup the app started, failed ones included.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/007-backup-catalog.test.ts.
import type { Migration } from './migration';

export const migration007: Migration = {
  version: 7,
  name: 'backup catalog',
  sql: `
      -- Every backup the app started, good or not: a failed or cancelled one stays listed
      -- (with its error) so the catalog and the audit trail agree. manifest_json is the
      -- manifest written beside a good backup; profile_name outlives a removed profile.
      CREATE TABLE backups (
        id             TEXT PRIMARY KEY,
        profile_id     TEXT NOT NULL,
        profile_name   TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('full','schema','data','roles')),
        format         TEXT NOT NULL CHECK (format IN ('custom','plain','directory')),
        path           TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled')),
        bytes          INTEGER,
        sha256         TEXT,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        duration_ms    INTEGER,
        command        TEXT NOT NULL,
        error          TEXT,
        verified_at    TEXT,
        verified_ok    INTEGER,
        manifest_json  TEXT CHECK (manifest_json IS NULL OR json_valid(manifest_json))
      );
      CREATE INDEX backups_profile ON backups (profile_id, started_at);
      CREATE INDEX backups_started ON backups (started_at);
    `,
};

// Migration 6. A profile's own alert thresholds and imported Markdown runbooks.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/006-thresholds-runbooks.test.ts.
import type { Migration } from './migration';

export const migration006: Migration = {
  version: 6,
  name: 'threshold overrides and saved runbooks',
  sql: `
      -- A profile's own alert thresholds; a key without a row uses the default
      -- (core/runbook/thresholds.ts). Removed with the profile.
      CREATE TABLE threshold_overrides (
        profile_id  TEXT NOT NULL,
        key         TEXT NOT NULL,
        warn        REAL NOT NULL,
        critical    REAL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (profile_id, key)
      );

      -- Markdown runbooks kept after import: the parsed outline (never executed on import).
      CREATE TABLE runbooks (
        id            TEXT PRIMARY KEY,
        title         TEXT NOT NULL,
        source        TEXT,
        imported_at   TEXT NOT NULL,
        outline_json  TEXT NOT NULL CHECK (json_valid(outline_json))
      );
      CREATE INDEX runbooks_imported ON runbooks (imported_at);
    `,
};

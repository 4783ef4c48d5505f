// Migration 19. The largest tables and indexes over time (issue #23, the capacity forecast):
// the overview already stores key figures once a minute (metric_snapshots, migration 9); the
// sizes of the few largest relations are recorded beside them at most once an hour, so the
// monthly capacity step can say which tables grow and how fast.
// Not shipped yet while issue #23 is in progress; once shipped, never edit this text.
// Tested by tests/unit/store-migrations/019-relation-size-snapshots.test.ts.
import type { Migration } from './migration';

export const migration019: Migration = {
  version: 19,
  name: 'relation size snapshots',
  sql: `
      -- One row per relation per (hourly) snapshot: the top few tables (total size, TOAST and
      -- indexes included) and the top few indexes of a profile's database, by bytes.
      CREATE TABLE relation_size_snapshots (
        profile_id  TEXT NOT NULL,
        at          TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('table', 'index')),
        name        TEXT NOT NULL,
        bytes       INTEGER NOT NULL CHECK (bytes >= 0),
        PRIMARY KEY (profile_id, kind, name, at)
      );
      CREATE INDEX relation_size_snapshots_at ON relation_size_snapshots (profile_id, at);
    `,
};

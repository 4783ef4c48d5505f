// Migration 13. The catalog of Supabase Storage snapshots (issue #18): one row per
// snapshot folder, written 'running' before the first byte lands and finished as ok, failed
// or cancelled; a row left 'running' by a process that died is failed at the next start.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/013-storage-snapshots.test.ts.
import type { Migration } from './migration';

export const migration013: Migration = {
  version: 13,
  name: 'storage snapshots',
  sql: `
      -- profile_name is kept: the folder and the list must still read after the profile is gone.
      CREATE TABLE storage_snapshots (
        id TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        path TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'cancelled')),
        buckets_json TEXT NOT NULL DEFAULT '[]',
        objects INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        changed_objects INTEGER NOT NULL DEFAULT 0,
        reused_objects INTEGER NOT NULL DEFAULT 0,
        manifest_sha256 TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms INTEGER,
        error TEXT,
        verified_at TEXT,
        verified_ok INTEGER
      );
      -- The incremental run reads the newest ok snapshot of its profile.
      CREATE INDEX storage_snapshots_profile ON storage_snapshots (profile_id, started_at);
    `,
};

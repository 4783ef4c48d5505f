// Migration 18. The team store's link and outbox (issue #22). The local store stays the
// source of truth; these tables only remember what has reached the team store:
// - team_link (one row): this home's workstation id (a random UUID made once and kept, also
//   across a disconnect), the team store's connection settings (never a password: that is in
//   the secret store, PGPASSWORD or ~/.pgpass), and the high-water mark of the append-only
//   audit chain — records up to audit_sent_seq are in the team store. The chain itself is the
//   outbox for the trail: nothing is copied, and a crash between an upload and the mark's
//   update only re-sends rows the store skips (INSERT … ON CONFLICT DO NOTHING).
// - team_sent: for the objects that change in place (profiles, saved runbooks, signed-off
//   checklist runs), the digest of the version last uploaded per object. Pending = the
//   objects whose current digest differs (or that were removed here), computed from the
//   local tables at each sync, so nothing has to be written beside every profile edit.
// Not shipped yet while issue #22 is in progress; once shipped, never edit this text.
// Tested by tests/unit/store-migrations/018-team-outbox.test.ts.
import type { Migration } from './migration';

export const migration018: Migration = {
  version: 18,
  name: 'team outbox',
  sql: `
      CREATE TABLE team_link (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        workstation_id   TEXT NOT NULL,
        connection_json  TEXT CHECK (connection_json IS NULL OR json_valid(connection_json)),
        store_version    INTEGER,
        audit_sent_seq   INTEGER NOT NULL DEFAULT 0 CHECK (audit_sent_seq >= 0),
        last_sync_at     TEXT,
        last_error       TEXT,
        last_error_at    TEXT
      );

      CREATE TABLE team_sent (
        kind      TEXT NOT NULL CHECK (kind IN ('profile', 'runbook', 'checklist_run')),
        key       TEXT NOT NULL,
        digest    TEXT NOT NULL,
        sent_at   TEXT NOT NULL,
        PRIMARY KEY (kind, key)
      );
    `,
};

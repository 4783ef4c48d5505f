// Migration 5. Signed-off checklist runs, kept after their profile is removed.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/005-checklist-runs.test.ts.
import type { Migration } from './migration';

export const migration005: Migration = {
  version: 5,
  name: 'signed-off checklist runs',
  sql: `
      -- One row per signed-off run: who, when, the overall status, every step's result as
      -- it was shown (result_json) and the operator's decisions. profile_name is copied so
      -- the record outlives a removed profile, like the query history.
      CREATE TABLE checklist_runs (
        id              TEXT PRIMARY KEY,
        profile_id      TEXT NOT NULL,
        profile_name    TEXT NOT NULL,
        checklist_id    TEXT NOT NULL,
        title           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('ok','warning','critical','unknown')),
        actor           TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        signed_at       TEXT NOT NULL,
        result_json     TEXT NOT NULL CHECK (json_valid(result_json)),
        decisions_json  TEXT NOT NULL CHECK (json_valid(decisions_json)),
        note            TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX checklist_runs_profile ON checklist_runs (profile_id, signed_at);
      CREATE INDEX checklist_runs_signed ON checklist_runs (signed_at);
    `,
};

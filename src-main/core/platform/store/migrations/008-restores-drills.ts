// Migration 8. Restores with their validation report, and restore drills.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/008-restores-drills.test.ts.
import type { Migration } from './migration';

export const migration008: Migration = {
  version: 8,
  name: 'restores and restore drills',
  sql: `
      -- Every restore the app started, with its validation report; failed ones stay listed.
      CREATE TABLE restores (
        id                     TEXT PRIMARY KEY,
        backup_id              TEXT,
        source_path            TEXT NOT NULL,
        target_kind            TEXT NOT NULL CHECK (target_kind IN ('profile','new-database','scratch')),
        profile_id             TEXT,
        target                 TEXT NOT NULL,
        database_name          TEXT NOT NULL,
        status                 TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled')),
        started_at             TEXT NOT NULL,
        finished_at            TEXT,
        duration_ms            INTEGER,
        command                TEXT NOT NULL,
        error                  TEXT,
        pre_restore_backup_id  TEXT,
        validation_json        TEXT CHECK (validation_json IS NULL OR json_valid(validation_json))
      );
      CREATE INDEX restores_started ON restores (started_at);

      -- Restore drills: the whole record (timings, validation, report) as JSON, with the
      -- columns the history filters and sorts by.
      CREATE TABLE drills (
        id           TEXT PRIMARY KEY,
        profile_id   TEXT,
        backup_id    TEXT,
        status       TEXT NOT NULL CHECK (status IN ('running','ok','failed','cancelled')),
        started_at   TEXT NOT NULL,
        record_json  TEXT NOT NULL CHECK (json_valid(record_json))
      );
      CREATE INDEX drills_profile ON drills (profile_id, started_at);
    `,
};

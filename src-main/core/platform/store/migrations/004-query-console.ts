// Migration 4. The query console: editor tabs per profile, execution history and user snippets.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/004-query-console.test.ts.
import type { Migration } from './migration';

export const migration004: Migration = {
  version: 4,
  name: 'query console: editor tabs, execution history, user snippets',
  sql: `
      -- The editor's tabs per profile (drafts: what the user typed, kept across launches).
      CREATE TABLE editor_tabs (
        profile_id  TEXT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        id          TEXT NOT NULL,
        title       TEXT NOT NULL,
        sql         TEXT NOT NULL,
        active      INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0,1)),
        PRIMARY KEY (profile_id, id)
      );

      -- Every console execution. profile_name is copied so history outlives a removed profile;
      -- audit_id links to the audit entry of the same execution.
      CREATE TABLE query_history (
        id           INTEGER PRIMARY KEY,
        profile_id   TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        sql          TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        duration_ms  INTEGER NOT NULL,
        rows         INTEGER,
        outcome      TEXT NOT NULL CHECK (outcome IN ('ok','error','cancelled','blocked')),
        error        TEXT,
        audit_id     INTEGER
      );
      CREATE INDEX query_history_profile ON query_history (profile_id, id);

      CREATE TABLE snippets (
        id          TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        sql         TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `,
};

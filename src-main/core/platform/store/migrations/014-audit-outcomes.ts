// Migration 14. Audit outcomes of their own for guard refusals ('refused') and user cancels
// ('cancelled'), so real errors stand out (issue #19).
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/014-audit-outcomes.test.ts.
//
// SQLite cannot alter a CHECK, so both audit tables are rebuilt with every row copied as it
// is: the chain's records keep their seq, fields and hashes byte for byte (the hash covers
// the values, not the table), so `audit verify` still proves the old trail intact. The
// append-only triggers are recreated on the new tables; audit_fts is external content keyed
// by entry id, which the copy keeps, and audit_head is untouched.
import type { Migration } from './migration';

export const migration014: Migration = {
  version: 14,
  name: 'audit outcomes refused and cancelled',
  sql: `
      CREATE TABLE audit_chain_v14 (
        seq           INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('begin','complete')),
        entry_id      INTEGER NOT NULL,
        at            TEXT NOT NULL,
        actor         TEXT,
        action        TEXT,
        profile       TEXT,
        summary       TEXT,
        detail        TEXT,
        outcome       TEXT CHECK (outcome IS NULL OR outcome IN ('ok','error','refused','cancelled')),
        duration_ms   INTEGER,
        rows_affected INTEGER,
        error         TEXT,
        prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash          TEXT NOT NULL CHECK (length(hash) = 64)
      );
      INSERT INTO audit_chain_v14 SELECT seq, kind, entry_id, at, actor, action, profile, summary, detail, outcome,
        duration_ms, rows_affected, error, prev_hash, hash FROM audit_chain ORDER BY seq;
      DROP TABLE audit_chain;
      ALTER TABLE audit_chain_v14 RENAME TO audit_chain;
      CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

      CREATE TABLE audit_entries_v14 (
        id            INTEGER PRIMARY KEY,
        at            TEXT NOT NULL,
        actor         TEXT NOT NULL,
        profile       TEXT COLLATE NOCASE,
        action        TEXT NOT NULL,
        outcome       TEXT NOT NULL CHECK (outcome IN ('pending','ok','error','refused','cancelled')),
        duration_ms   INTEGER,
        summary       TEXT NOT NULL,
        detail        TEXT,
        rows_affected INTEGER,
        error         TEXT,
        begin_seq     INTEGER NOT NULL,
        complete_seq  INTEGER
      );
      INSERT INTO audit_entries_v14 SELECT id, at, actor, profile, action, outcome, duration_ms, summary, detail,
        rows_affected, error, begin_seq, complete_seq FROM audit_entries ORDER BY id;
      DROP TABLE audit_entries;
      ALTER TABLE audit_entries_v14 RENAME TO audit_entries;
      CREATE TRIGGER audit_entries_no_rewrite BEFORE UPDATE ON audit_entries
        WHEN OLD.outcome <> 'pending'
        BEGIN SELECT RAISE(ABORT, 'a completed audit entry cannot change'); END;
      CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
    `,
};

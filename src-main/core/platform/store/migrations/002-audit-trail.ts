// Migration 2. The tamper-evident audit trail: hash chain, searchable entries, full-text index and head.
// Shipped: never edit this text (a store that already ran it would not see the change);
// add the next number instead. Tested by tests/unit/store-migrations/002-audit-trail.test.ts.
import type { Migration } from './migration';

export const migration002: Migration = {
  version: 2,
  name: 'tamper-evident audit trail',
  sql: `
      -- The hash chain: immutable records, one 'begin' when an action starts and one
      -- 'complete' when it ends. Each record's hash covers its predecessor's hash, so an
      -- edit, a deletion or a reordering breaks the chain from that point on.
      CREATE TABLE audit_chain (
        seq           INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('begin','complete')),
        entry_id      INTEGER NOT NULL,
        at            TEXT NOT NULL,
        actor         TEXT,
        action        TEXT,
        profile       TEXT,
        summary       TEXT,
        detail        TEXT,
        outcome       TEXT CHECK (outcome IS NULL OR outcome IN ('ok','error')),
        duration_ms   INTEGER,
        rows_affected INTEGER,
        error         TEXT,
        prev_hash     TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash          TEXT NOT NULL CHECK (length(hash) = 64)
      );
      CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
      CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

      -- What users see and search: one row per action, begin merged with its completion.
      -- A projection of the chain (verify() checks every row against it), kept so search
      -- never has to join two records per entry.
      CREATE TABLE audit_entries (
        id            INTEGER PRIMARY KEY,
        at            TEXT NOT NULL,
        actor         TEXT NOT NULL,
        profile       TEXT COLLATE NOCASE,
        action        TEXT NOT NULL,
        outcome       TEXT NOT NULL CHECK (outcome IN ('pending','ok','error')),
        duration_ms   INTEGER,
        summary       TEXT NOT NULL,
        detail        TEXT,
        rows_affected INTEGER,
        error         TEXT,
        begin_seq     INTEGER NOT NULL,
        complete_seq  INTEGER
      );
      -- No secondary indexes: each cost as much as a quarter of an append. Time ranges are
      -- found by bisecting ids (at never decreases with id) and filters go through audit_fts.
      -- Only a pending entry may change (once, by its completion); none may be deleted.
      CREATE TRIGGER audit_entries_no_rewrite BEFORE UPDATE ON audit_entries
        WHEN OLD.outcome <> 'pending'
        BEGIN SELECT RAISE(ABORT, 'a completed audit entry cannot change'); END;
      CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;

      CREATE VIRTUAL TABLE audit_fts USING fts5(
        summary, detail, action, profile, error, outcome,
        content = 'audit_entries', content_rowid = 'id'
      );

      -- The chain's head, so cutting records off the end is detected too.
      CREATE TABLE audit_head (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        seq       INTEGER NOT NULL,
        hash      TEXT NOT NULL,
        entries   INTEGER NOT NULL,
        last_at   TEXT NOT NULL,
        -- The full-text index is current up to this chain record (see core/audit/fts-index.ts).
        fts_seq   INTEGER NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash, entries, last_at, fts_seq)
        VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, '', 0);
    `,
};

// Migration 20 (issue #21, audit append speed). The chain's head moves from the audit_head row
// into the newest audit_entries row, a page every append already writes: each commit wrote
// three B-tree pages (the chain's last leaf, the entries table's last leaf, audit_head's page)
// and now writes two, so there is a third less to write and fsync per action.
// audit_head stays, as a floor: the head as it was at most one full-text batch ago (and after
// the very first record), so cutting every entry, or back past that point, still shows.
// O(1) on any store: ADD COLUMN only changes the schema, and one row is updated.
// Once shipped, never edit this text. Tested by tests/unit/store-migrations/020-audit-head-in-entries.test.ts.
import type { Migration } from './migration';

export const migration020: Migration = {
  version: 20,
  name: 'audit head in the newest entry',
  sql: `
      -- Set on the newest entry only (each begin clears them on the entry before it): the last
      -- chain record's seq and hash and the last stamp. See core/platform/audit/head.ts.
      ALTER TABLE audit_entries ADD COLUMN head_seq INTEGER;
      ALTER TABLE audit_entries ADD COLUMN head_hash TEXT;
      ALTER TABLE audit_entries ADD COLUMN head_at TEXT;
      -- A completed entry still cannot change what it shows; only the head columns move on.
      DROP TRIGGER audit_entries_no_rewrite;
      CREATE TRIGGER audit_entries_no_rewrite
        BEFORE UPDATE OF id, at, actor, profile, action, outcome, duration_ms, summary, detail, rows_affected, error, begin_seq, complete_seq
        ON audit_entries
        WHEN OLD.outcome <> 'pending'
        BEGIN SELECT RAISE(ABORT, 'a completed audit entry cannot change'); END;
      UPDATE audit_entries SET
        head_seq = (SELECT seq FROM audit_head WHERE id = 1),
        head_hash = (SELECT hash FROM audit_head WHERE id = 1),
        head_at = (SELECT last_at FROM audit_head WHERE id = 1)
        WHERE id = (SELECT entries FROM audit_head WHERE id = 1);
      -- An Ops Console started before this migration (the desktop app left open while a newer
      -- CLI upgraded the store) would go on writing the head into audit_head only, leaving the
      -- newest entries without one: the trail would read as cut and refuse every later append.
      -- This version moves the floor only to a head its newest entry already carries.
      CREATE TRIGGER audit_head_follows_entries
        BEFORE UPDATE OF seq ON audit_head
        WHEN NEW.seq IS NOT (SELECT head_seq FROM audit_entries WHERE id = NEW.entries)
        BEGIN SELECT RAISE(ABORT, 'the audit trail was upgraded by a newer Ops Console: restart this one'); END;
    `,
};

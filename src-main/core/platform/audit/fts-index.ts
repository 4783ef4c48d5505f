// The full-text index is derived data, rebuilt from the chain in batches rather than on
// every append: FTS5 writes a new segment per transaction, which cost as much as the rest of
// an append put together. audit_head.fts_seq says up to which chain record the index is
// current; a text search (or every BATCH records, inside an append) brings it up to date.
import type Database from 'better-sqlite3';

/**
 * Records left unindexed before an append indexes them in its own transaction. Each batch's
 * commit writes a new FTS5 segment (and merges older ones) and fsyncs it: 1,024 records cost
 * the append 17-19 us less CPU per action than 256 (A/B, issue #21), and a search indexing a
 * full backlog of 1,023 records takes about as long as one of 254 (~7 ms, the search itself).
 */
export const FTS_BATCH_RECORDS = 1024;

export class FtsIndexer {
  private readonly stmt: {
    watermark: Database.Statement<[], { fts_seq: number; seq: number }>;
    remove: Database.Statement<[number, number]>;
    insert: Database.Statement<[number]>;
    setWatermark: Database.Statement<[number]>;
  };

  constructor(private readonly db: Database.Database) {
    // A batch is two statements, not one call per record and entry: the calls into SQLite cost
    // more than FTS5's own work on 128 short entries.
    this.stmt = {
      // The chain's last record, not audit_head.seq: that is only the head's floor (head.ts).
      watermark: db.prepare('SELECT fts_seq, (SELECT coalesce(max(seq), 0) FROM audit_chain) AS seq FROM audit_head WHERE id = 1'),
      // Entries begun at or before the watermark and completed after it: the index holds their
      // pending text, which is their begin record's (it never changes), and it must go first.
      // Once per entry even if the chain (tampered) completes it twice: a second delete of the
      // same text would corrupt the index.
      remove: db.prepare(
        `INSERT INTO audit_fts (audit_fts, rowid, summary, detail, action, profile, error, outcome)
         SELECT 'delete', e.id, b.summary, b.detail, b.action, b.profile, NULL, 'pending'
         FROM audit_entries e JOIN audit_chain b ON b.seq = e.begin_seq
         WHERE e.id IN (SELECT entry_id FROM audit_chain WHERE seq > ? AND kind = 'complete') AND e.begin_seq <= ?`,
      ),
      // Every entry begun or completed after the watermark, with its text as it is now.
      insert: db.prepare(
        `INSERT INTO audit_fts (rowid, summary, detail, action, profile, error, outcome)
         SELECT id, summary, detail, action, profile, error, outcome FROM audit_entries WHERE id IN (SELECT entry_id FROM audit_chain WHERE seq > ?)`,
      ),
      setWatermark: db.prepare('UPDATE audit_head SET fts_seq = ? WHERE id = 1'),
    };
  }

  /** Unindexed chain records (cheap: the head row and the chain's last key). */
  backlog(): number {
    const w = this.stmt.watermark.get();
    return w ? w.seq - w.fts_seq : 0;
  }

  /** Indexes everything up to the head. Must run inside a write transaction. */
  catchUpInTx(): void {
    const w = this.stmt.watermark.get();
    if (!w || w.seq <= w.fts_seq) return;
    this.stmt.remove.run(w.fts_seq, w.fts_seq);
    this.stmt.insert.run(w.fts_seq);
    this.stmt.setWatermark.run(w.seq);
  }

  catchUp(): void {
    if (this.backlog() === 0) return;
    this.db.transaction(() => this.catchUpInTx()).immediate();
  }
}

// The full-text index is derived data, rebuilt from the chain in batches rather than on
// every append: FTS5 writes a new segment per transaction, which cost as much as the rest of
// an append put together. audit_head.fts_seq says up to which chain record the index is
// current; a text search (or every BATCH records, inside an append) brings it up to date.
import type Database from 'better-sqlite3';

/** Records left unindexed before an append indexes them in its own transaction. */
export const FTS_BATCH_RECORDS = 256;

interface BacklogRecord {
  seq: number;
  kind: 'begin' | 'complete';
  entry_id: number;
}

interface IndexedText {
  action: string;
  profile: string | null;
  summary: string;
  detail: string | null;
  error: string | null;
  outcome: string;
}

export class FtsIndexer {
  private readonly stmt: {
    watermark: Database.Statement<[], { fts_seq: number; seq: number }>;
    backlog: Database.Statement<[number], BacklogRecord>;
    beginText: Database.Statement<[number], IndexedText & { begin_seq: number }>;
    currentText: Database.Statement<[number], IndexedText>;
    insert: Database.Statement;
    remove: Database.Statement;
    setWatermark: Database.Statement<[number]>;
  };

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      // The chain's last record, not audit_head.seq: that is only the head's floor (head.ts).
      watermark: db.prepare('SELECT fts_seq, (SELECT coalesce(max(seq), 0) FROM audit_chain) AS seq FROM audit_head WHERE id = 1'),
      backlog: db.prepare('SELECT seq, kind, entry_id FROM audit_chain WHERE seq > ? ORDER BY seq'),
      // What the entry was indexed with while pending: its begin record, which never changes.
      beginText: db.prepare(
        "SELECT b.action, b.profile, b.summary, b.detail, NULL AS error, 'pending' AS outcome, e.begin_seq FROM audit_entries e JOIN audit_chain b ON b.seq = e.begin_seq WHERE e.id = ?",
      ),
      currentText: db.prepare('SELECT action, profile, summary, detail, error, outcome FROM audit_entries WHERE id = ?'),
      insert: db.prepare('INSERT INTO audit_fts (rowid, summary, detail, action, profile, error, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      remove: db.prepare("INSERT INTO audit_fts (audit_fts, rowid, summary, detail, action, profile, error, outcome) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)"),
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
    const touched = new Set<number>();
    for (const r of this.stmt.backlog.all(w.fts_seq)) {
      if (r.kind === 'complete' && !touched.has(r.entry_id)) {
        // Begun before the watermark: its pending text is in the index and must go first.
        const old = this.stmt.beginText.get(r.entry_id);
        if (old && old.begin_seq <= w.fts_seq) this.stmt.remove.run(r.entry_id, old.summary, old.detail, old.action, old.profile, old.error, old.outcome);
      }
      touched.add(r.entry_id);
    }
    for (const id of touched) {
      const t = this.stmt.currentText.get(id);
      if (t) this.stmt.insert.run(id, t.summary, t.detail, t.action, t.profile, t.error, t.outcome);
    }
    this.stmt.setWatermark.run(w.seq);
  }

  catchUp(): void {
    if (this.backlog() === 0) return;
    this.db.transaction(() => this.catchUpInTx()).immediate();
  }
}

// The tamper-evident audit trail. Every action gets an entry before it runs (begin) and its
// result after (complete); both are separate immutable records in a hash chain (chain.ts).
// Users see one merged entry per action.
//
// Durability. Every record commits with synchronous=FULL: the WAL is fsynced before begin(),
// complete() or record() returns, so nothing the app acknowledged can be lost, even to a
// power cut. `completionSync: 'deferred'` (benchmarks only) lets complete() skip its own
// fsync and ride on the next one: twice the append rate, but a power cut in that window
// would leave an acknowledged action 'pending', which the trail's promise does not allow.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { OpsError } from '../../../contract/errors';
import type { AuditEntry, AuditVerifyResult, auditQuerySchema } from '../../../contract/models';
import { log } from '../kernel/log';
import { outcomeFor, type CompletedOutcome } from './outcome';
import { hashValues, INSERT_CHAIN_SQL, recordValues, type ChainRecord, type ChainValue } from './chain';
import { entriesToCsv, entriesToJson } from './export';
import { FTS_BATCH_RECORDS, FtsIndexer } from './fts-index';
import { FLOOR_DISTANCE_RECORDS, prepareHead, type AuditHead, type HeadRead } from './head';
import { redactSecrets } from './redact';
import { AuditSearch, ENTRY_COLUMNS, rowToEntry, type EntryRow } from './search';
import { verifyAuditTrail } from './verify';

export interface AuditBegin {
  actor: string;
  action: string;
  profile: string | null;
  summary: string;
  detail: string | null;
}

export interface AuditCompletion {
  /** 'error' with an `error` naming a guard code or CANCELLED is recorded as refused / cancelled (outcome.ts). */
  outcome: CompletedOutcome;
  durationMs: number;
  profile?: string | null;
  summary?: string;
  detail?: string | null;
  rowsAffected?: number | null;
  error?: string;
  /** The elevation the action ran under (guard/elevation.ts): added to the summary, so it is in the chain and searchable. */
  elevation?: string;
}

export interface AuditLogOptions {
  /** Injected by tests and the benchmark to spread entries over time. */
  now?: () => Date;
  /** 'full' (default): fsync every completion. 'deferred': see the durability note at the top. */
  completionSync?: 'deferred' | 'full';
}

type Query = z.output<typeof auditQuerySchema>;

function withElevation(summary: string, elevation: string | undefined): string {
  return elevation === undefined ? summary : `${summary} — ${elevation}`;
}

function wholeOrNull(n: number | null | undefined): number | null {
  return n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n);
}

export class AuditLog {
  private readonly now: () => Date;
  private readonly searcher: AuditSearch;
  private readonly indexer: FtsIndexer;
  private readonly completionSync: 'deferred' | 'full';
  /** A completion was committed without fsync and no fsync has covered it yet. */
  private unsynced = false;
  private flushQueued = false;
  /**
   * The three write transactions, wrapped once: better-sqlite3 builds four wrappers per
   * db.transaction() call, which cost more per append than hashing the record.
   */
  private readonly tx: {
    begin: Database.Transaction<(b: AuditBegin) => AuditEntry>;
    complete: Database.Transaction<(id: number, c: AuditCompletion) => AuditEntry>;
    record: Database.Transaction<(r: AuditBegin & AuditCompletion) => AuditEntry>;
  };
  private readonly head: () => HeadRead;
  private readonly stmt: {
    setHead: Database.Statement<[number, string, string, number]>;
    clearHead: Database.Statement<[number]>;
    setFloor: Database.Statement<[number, string, number, string]>;
    chain: Database.Statement<ChainValue[]>;
    insertEntry: Database.Statement<[number, string, string, string | null, string, string, string | null, number, number, string, string]>;
    completeEntry: Database.Statement<[string, number | null, string | null, string, string | null, number | null, string | null, number, number]>;
    completeNewest: Database.Statement<
      [string, number | null, string | null, string, string | null, number | null, string | null, number, number, string, string, number]
    >;
    entry: Database.Statement<[number], EntryRow & { complete_seq: number | null }>;
  };

  constructor(
    private readonly db: Database.Database,
    private readonly onAppend?: (entry: AuditEntry) => void,
    options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.completionSync = options.completionSync ?? 'full';
    this.indexer = new FtsIndexer(db);
    this.searcher = new AuditSearch(db, this.indexer);
    this.head = prepareHead(db);
    this.stmt = {
      // The head lives in the newest entry (head.ts): a begin writes it into the row it
      // inserts and clears it on the row before; a complete moves it on in place.
      setHead: db.prepare('UPDATE audit_entries SET head_seq = ?, head_hash = ?, head_at = ? WHERE id = ?'),
      clearHead: db.prepare('UPDATE audit_entries SET head_seq = NULL, head_hash = NULL, head_at = NULL WHERE id = ?'),
      setFloor: db.prepare('UPDATE audit_head SET seq = ?, hash = ?, entries = ?, last_at = ? WHERE id = 1'),
      chain: db.prepare<ChainValue[]>(INSERT_CHAIN_SQL),
      // Positional parameters: binding by name looks every name up on the object per call.
      insertEntry: db.prepare(
        `INSERT INTO audit_entries (${ENTRY_COLUMNS}, begin_seq, complete_seq, head_seq, head_hash, head_at) VALUES (?, ?, ?, ?, ?, 'pending', NULL, ?, ?, NULL, NULL, ?, NULL, ?, ?, ?)`,
      ),
      completeEntry: db.prepare(
        `UPDATE audit_entries SET outcome = ?, duration_ms = ?, profile = ?, summary = ?, detail = ?, rows_affected = ?, error = ?, complete_seq = ? WHERE id = ?`,
      ),
      // Completing the newest entry (the usual case: actions rarely overlap) moves the head in
      // the same row write: one B-tree update per commit instead of two.
      completeNewest: db.prepare(
        `UPDATE audit_entries SET outcome = ?, duration_ms = ?, profile = ?, summary = ?, detail = ?, rows_affected = ?, error = ?, complete_seq = ?, head_seq = ?, head_hash = ?, head_at = ? WHERE id = ?`,
      ),
      entry: db.prepare(`SELECT ${ENTRY_COLUMNS}, complete_seq FROM audit_entries WHERE id = ?`),
    };
    this.tx = {
      begin: db.transaction((b: AuditBegin) => this.beginInTx(b)),
      complete: db.transaction((id: number, c: AuditCompletion) => this.completeInTx(id, c)),
      record: db.transaction((r: AuditBegin & AuditCompletion) => this.completeInTx(this.beginInTx(r).id, r)),
    };
  }

  private readHead(): AuditHead {
    const read = this.head();
    if (read.state !== 'ok') throw new OpsError('INTERNAL', 'The audit trail head record is missing from the local store; run "ops-console audit verify".');
    return read.head;
  }

  /**
   * After the first record and then at least every FLOOR_DISTANCE_RECORDS, the floor moves up
   * to the head (head.ts); a full-text batch moves it too, since that commit writes audit_head's
   * page anyway for the index's watermark. The floor has its own distance, shorter than the
   * batch: how far back a cut with a forged head goes unseen should not depend on how often
   * the index is brought up to date (by appends, or by searches indexing the backlog).
   */
  private afterAppend(head: AuditHead, seq: number, hash: string, entries: number, at: string): void {
    const indexDue = seq - head.fts_seq >= FTS_BATCH_RECORDS;
    if (!indexDue && seq - head.floor_seq < FLOOR_DISTANCE_RECORDS && seq !== 1) return;
    if (indexDue) this.indexer.catchUpInTx();
    this.stmt.setFloor.run(seq, hash, entries, at);
  }

  /** The chain's order is the truth: if the wall clock steps back, keep the later time so `at` never decreases (search relies on it). */
  private stamp(head: AuditHead): string {
    const now = this.now().toISOString();
    return now > head.last_at ? now : head.last_at;
  }

  /** `record.seq` must be head.seq + 1. */
  private appendRecord(head: AuditHead, record: ChainRecord): string {
    const values = recordValues(record);
    const hash = hashValues(head.hash, values);
    values.push(head.hash, hash);
    this.stmt.chain.run(...values);
    return hash;
  }

  private beginInTx(b: AuditBegin): AuditEntry {
    const head = this.readHead();
    const at = this.stamp(head);
    const entry: AuditEntry = {
      id: head.entries + 1,
      at,
      actor: redactSecrets(b.actor),
      profile: redactSecrets(b.profile),
      action: redactSecrets(b.action),
      outcome: 'pending',
      durationMs: null,
      summary: redactSecrets(b.summary),
      detail: redactSecrets(b.detail),
      rowsAffected: null,
      error: null,
    };
    const seq = head.seq + 1;
    const hash = this.appendRecord(head, {
      seq,
      kind: 'begin',
      entryId: entry.id,
      at,
      actor: entry.actor,
      action: entry.action,
      profile: entry.profile,
      summary: entry.summary,
      detail: entry.detail,
      outcome: null,
      durationMs: null,
      rowsAffected: null,
      error: null,
    });
    this.stmt.insertEntry.run(entry.id, at, entry.actor, entry.profile, entry.action, entry.summary, entry.detail, seq, seq, hash, at);
    if (head.entries > 0) this.stmt.clearHead.run(head.entries);
    this.afterAppend(head, seq, hash, entry.id, at);
    return entry;
  }

  private completeInTx(id: number, c: AuditCompletion): AuditEntry {
    const head = this.readHead();
    const row = this.stmt.entry.get(id);
    if (!row) throw new OpsError('NOT_FOUND', `Audit entry #${id} does not exist, so it cannot be completed.`);
    if (row.outcome !== 'pending') throw new OpsError('CONFLICT', `Audit entry #${id} was already completed (${row.outcome}).`);
    const before = rowToEntry(row);
    const at = this.stamp(head);
    const outcome = outcomeFor(c.outcome, c.error);
    const entry: AuditEntry = {
      ...before,
      outcome,
      durationMs: wholeOrNull(c.durationMs),
      profile: c.profile === undefined ? before.profile : redactSecrets(c.profile),
      summary: redactSecrets(withElevation(c.summary === undefined ? before.summary : c.summary, c.elevation)),
      detail: c.detail === undefined ? before.detail : redactSecrets(c.detail),
      rowsAffected: wholeOrNull(c.rowsAffected),
      error: c.error === undefined ? null : redactSecrets(c.error),
    };
    const seq = head.seq + 1;
    const hash = this.appendRecord(head, {
      seq,
      kind: 'complete',
      entryId: id,
      at,
      actor: null,
      action: null,
      profile: entry.profile,
      summary: entry.summary,
      detail: entry.detail,
      outcome,
      durationMs: entry.durationMs,
      rowsAffected: entry.rowsAffected,
      error: entry.error,
    });
    if (id === head.entries) {
      this.stmt.completeNewest.run(
        outcome,
        entry.durationMs,
        entry.profile,
        entry.summary,
        entry.detail,
        entry.rowsAffected,
        entry.error,
        seq,
        seq,
        hash,
        at,
        id,
      );
    } else {
      this.stmt.completeEntry.run(outcome, entry.durationMs, entry.profile, entry.summary, entry.detail, entry.rowsAffected, entry.error, seq, id);
      this.stmt.setHead.run(seq, hash, at, head.entries);
    }
    this.afterAppend(head, seq, hash, head.entries, at);
    return entry;
  }

  private notify(entry: AuditEntry): void {
    if (!this.onAppend) return;
    try {
      this.onAppend(entry);
    } catch (err) {
      // A failing listener (a closed window) must not fail an action that is already recorded.
      log.warn('audit onAppend listener failed', err);
    }
  }

  /** Records that an action starts. Committed (IMMEDIATE: another process cannot slip in between reading the head and appending). */
  begin(b: AuditBegin): number {
    const entry = this.tx.begin.immediate(b);
    // That commit fsynced the whole WAL, earlier unsynced completions included.
    this.unsynced = false;
    this.notify(entry);
    return entry.id;
  }

  complete(id: number, c: AuditCompletion): void {
    let entry: AuditEntry;
    if (this.completionSync === 'full' || this.db.inTransaction) {
      entry = this.tx.complete.immediate(id, c);
    } else {
      this.db.pragma('synchronous = NORMAL');
      try {
        entry = this.tx.complete.immediate(id, c);
      } finally {
        this.db.pragma('synchronous = FULL');
      }
      this.unsynced = true;
      this.queueFlush();
    }
    this.notify(entry);
  }

  /** fdatasync of the WAL off the main thread; any fd of the file flushes its dirty pages. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.unsynced) return;
      this.unsynced = false;
      const wal = `${this.db.name}-wal`;
      fs.open(wal, 'r+', (openErr, fd) => {
        // No WAL: the store was closed, and closing checkpoints and syncs everything.
        if (openErr) return;
        fs.fdatasync(fd, (syncErr) => {
          if (syncErr) log.warn('audit: could not flush the store journal to disk', syncErr);
          fs.close(fd, () => undefined);
        });
      });
    });
  }

  /** Makes every committed completion durable now (called before closing, and by tests). */
  flush(): void {
    if (!this.unsynced || !this.db.open) return;
    const fd = fs.openSync(`${this.db.name}-wal`, 'r+');
    try {
      fs.fdatasyncSync(fd);
      this.unsynced = false;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** One-shot for an action already done: both records in one commit. */
  record(b: AuditBegin & AuditCompletion): number {
    const entry = this.tx.record.immediate(b);
    this.unsynced = false;
    this.notify(entry);
    return entry.id;
  }

  /** Newest first. */
  search(q: Query): AuditEntry[] {
    return this.searcher.search(q);
  }

  get(id: number): AuditEntry | null {
    const row = this.stmt.entry.get(id);
    return row ? rowToEntry(row) : null;
  }

  verify(): AuditVerifyResult {
    return verifyAuditTrail(this.db);
  }

  /** With a query: what search returns (its limit applies). Without: the whole trail, newest first. */
  export(format: 'csv' | 'json', q?: Query): { content: string; entries: number } {
    const entries = q ? this.search(q) : (this.db.prepare(`SELECT ${ENTRY_COLUMNS} FROM audit_entries ORDER BY id DESC`).all() as EntryRow[]).map(rowToEntry);
    return { content: format === 'csv' ? entriesToCsv(entries) : entriesToJson(entries), entries: entries.length };
  }

  /** Entries ever appended (from the chain head: O(1) at any size). */
  count(): number {
    return this.readHead().entries;
  }
}

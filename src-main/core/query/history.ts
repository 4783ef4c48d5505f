// The console's execution history: one row per run (ok, error, cancelled or blocked),
// per profile, linked to the audit entry of the same execution. It is a convenience for
// finding and re-running SQL; the audit trail stays the record of what happened.
import type { QueryHistoryEntry, QueryHistoryOutcome } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { redactSecrets } from '../platform/audit/redact';

/** Entries kept per profile, and how often (in inserted ids) the pruning runs. */
export const HISTORY_LIMITS = { keepPerProfile: 10_000, pruneEvery: 100 } as const;

export interface HistoryLimits {
  keepPerProfile: number;
  pruneEvery: number;
}

export interface HistoryQuery {
  profileId?: string | undefined;
  /** Case-insensitive substring of the SQL text (ASCII letters: SQLite's LIKE). */
  search?: string | undefined;
  limit: number;
}

interface HistoryRow {
  id: number;
  profile_id: string;
  profile_name: string;
  sql: string;
  started_at: string;
  duration_ms: number;
  rows: number | null;
  outcome: QueryHistoryOutcome;
  error: string | null;
  audit_id: number | null;
}

function toEntry(row: HistoryRow): QueryHistoryEntry {
  return {
    id: row.id,
    profileId: row.profile_id,
    profileName: row.profile_name,
    sql: row.sql,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    rows: row.rows,
    outcome: row.outcome,
    error: row.error,
    auditId: row.audit_id,
  };
}

/**
 * Records one execution and returns its id. The SQL and error go through the same
 * redaction as the audit trail: a `PASSWORD '…'` typed into the console must not be kept
 * in clear here either (re-running such an entry then shows the redacted text).
 */
export function recordHistory(deps: Pick<CoreDeps, 'store'>, entry: Omit<QueryHistoryEntry, 'id'>, limits: HistoryLimits = HISTORY_LIMITS): number {
  const db = deps.store.db;
  const info = db
    .prepare(
      `INSERT INTO query_history (profile_id, profile_name, sql, started_at, duration_ms, rows, outcome, error, audit_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      entry.profileId,
      entry.profileName,
      redactSecrets(entry.sql),
      entry.startedAt,
      Math.max(0, Math.round(entry.durationMs)),
      entry.rows,
      entry.outcome,
      redactSecrets(entry.error),
      entry.auditId,
    );
  const id = Number(info.lastInsertRowid);
  // Bounded history: without it a console used all day grows the store for ever. Pruning
  // on every insert would cost an index walk of 10,000 rows per run, so it runs when the
  // new id is a multiple of `pruneEvery` (about every 100th run of each profile, and it
  // works across processes too: each CLI call inserts once, so a per-process counter
  // would never reach 100). A profile may briefly hold up to keep + pruneEvery entries.
  if (id % limits.pruneEvery === 0) pruneHistory(deps, entry.profileId, limits.keepPerProfile);
  return id;
}

/** Deletes all but the newest `keep` entries of one profile (uses the (profile_id, id) index). */
export function pruneHistory(deps: Pick<CoreDeps, 'store'>, profileId: string, keep: number): number {
  const info = deps.store.db
    .prepare(
      `DELETE FROM query_history
       WHERE profile_id = ?
         AND id < (SELECT id FROM query_history WHERE profile_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    )
    .run(profileId, profileId, keep - 1);
  return info.changes;
}

/** `%`, `_` and the escape character itself match literally. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Newest first (ids only grow), optionally one profile's and matching a piece of SQL. */
export function listQueryHistory(deps: Pick<CoreDeps, 'store'>, query: HistoryQuery): QueryHistoryEntry[] {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (query.profileId !== undefined) {
    where.push('profile_id = ?');
    params.push(query.profileId);
  }
  const search = query.search ?? '';
  if (search.trim() !== '') {
    where.push(`sql LIKE ? ESCAPE '\\'`);
    params.push(likePattern(search));
  }
  const sql = `SELECT * FROM query_history ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  params.push(query.limit);
  return (deps.store.db.prepare(sql).all(...params) as HistoryRow[]).map(toEntry);
}

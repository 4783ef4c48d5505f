// Audit search at a million entries. Entry ids grow with time (audit-log.ts never lets `at`
// go backwards), so a time range becomes an id range found with two index probes; that id
// range is handed to FTS5 as a rowid range and the newest-first walk stops at `limit`.
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { AuditEntry, auditQuerySchema } from '../../contract/models';
import { OpsError } from '../../contract/errors';

export type AuditSearchQuery = z.output<typeof auditQuerySchema>;

export interface EntryRow {
  id: number;
  at: string;
  actor: string;
  profile: string | null;
  action: string;
  outcome: AuditEntry['outcome'];
  duration_ms: number | null;
  summary: string;
  detail: string | null;
  rows_affected: number | null;
  error: string | null;
}

export const ENTRY_COLUMNS = 'id, at, actor, profile, action, outcome, duration_ms, summary, detail, rows_affected, error';

export function rowToEntry(row: EntryRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    profile: row.profile,
    action: row.action,
    outcome: row.outcome,
    durationMs: row.duration_ms,
    summary: row.summary,
    detail: row.detail,
    rowsAffected: row.rows_affected,
    error: row.error,
  };
}

/**
 * The user's text as FTS5 syntax that can never be a syntax error: every word becomes a
 * quoted string (so `"`, `-`, `:`, `OR`, `NEAR` are plain text), all words must match, and
 * the last one matches as a prefix so results follow typing. Null when no word is left.
 */
export function toFtsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .map((w) => `"${w.replace(/"/g, '""')}"`);
  if (words.length === 0) return null;
  words[words.length - 1] = `${words[words.length - 1]!}*`;
  return words.join(' ');
}

function isoBound(value: string, field: 'since' | 'until'): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new OpsError('INVALID_INPUT', `${field} must be an ISO 8601 date-time`, { fields: [{ field, message: 'not a date-time' }] });
  return new Date(ms).toISOString();
}

export class AuditSearch {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly firstAtOrAfter: Database.Statement<[string], { id: number }>;
  private readonly lastAtOrBefore: Database.Statement<[string], { id: number }>;

  constructor(private readonly db: Database.Database) {
    this.firstAtOrAfter = db.prepare('SELECT id FROM audit_entries WHERE at >= ? ORDER BY at ASC, id ASC LIMIT 1');
    this.lastAtOrBefore = db.prepare('SELECT id FROM audit_entries WHERE at <= ? ORDER BY at DESC, id DESC LIMIT 1');
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  search(q: AuditSearchQuery): AuditEntry[] {
    const params: Record<string, string | number> = { limit: q.limit, lo: 1, hi: Number.MAX_SAFE_INTEGER };
    const where: string[] = [];
    if (q.beforeId !== undefined) params.hi = q.beforeId - 1;
    if (q.since !== undefined) {
      params.since = isoBound(q.since, 'since');
      const first = this.firstAtOrAfter.get(params.since);
      if (!first) return [];
      params.lo = first.id;
      where.push('e.at >= @since');
    }
    if (q.until !== undefined) {
      params.until = isoBound(q.until, 'until');
      const last = this.lastAtOrBefore.get(params.until);
      if (!last) return [];
      params.hi = Math.min(Number(params.hi), last.id);
      where.push('e.at <= @until');
    }
    if (Number(params.lo) > Number(params.hi)) return [];
    if (q.profile !== undefined) {
      params.profile = q.profile;
      where.push('e.profile = @profile');
    }
    if (q.action !== undefined) {
      params.action = q.action;
      where.push('e.action = @action');
    }
    if (q.outcome !== undefined) {
      params.outcome = q.outcome;
      where.push('e.outcome = @outcome');
    }
    const match = q.search === undefined ? null : toFtsQuery(q.search);
    const extra = where.map((w) => ` AND ${w}`).join('');
    let sql: string;
    if (match !== null) {
      params.match = match;
      // CROSS JOIN keeps FTS5 as the outer loop: it walks matches newest first inside the
      // rowid range, so LIMIT stops the walk early instead of sorting every match.
      sql =
        `SELECT ${ENTRY_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM audit_fts CROSS JOIN audit_entries e ON e.id = audit_fts.rowid ` +
        `WHERE audit_fts MATCH @match AND audit_fts.rowid BETWEEN @lo AND @hi${extra} ORDER BY audit_fts.rowid DESC LIMIT @limit`;
    } else {
      sql = `SELECT ${ENTRY_COLUMNS} FROM audit_entries e WHERE e.id BETWEEN @lo AND @hi${extra} ORDER BY e.id DESC LIMIT @limit`;
    }
    return (this.statement(sql).all(params) as EntryRow[]).map(rowToEntry);
  }
}

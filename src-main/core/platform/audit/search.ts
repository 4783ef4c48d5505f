// Audit search at a million entries. Entry ids grow with time (audit-log.ts never lets `at`
// go backwards), so a time range becomes an id range by bisecting ids (about 20 primary-key
// probes, no index on `at` to maintain on every append). Text and the profile/action/outcome
// filters all become one FTS5 query walked newest first inside that rowid range, so LIMIT
// stops the walk early; exact equality is re-checked on the entry row.
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import type { AuditEntry, auditQuerySchema } from '../../../contract/models';
import { OpsError } from '../../../contract/errors';
import type { FtsIndexer } from './fts-index';

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

/** One FTS5 string: quoting makes `"`, `-`, `:`, `OR`, `NEAR` plain text. Null when it holds no word characters (FTS5 would find no token in it). */
function ftsString(text: string): string | null {
  return /[\p{L}\p{N}]/u.test(text) ? `"${text.replace(/"/g, '""')}"` : null;
}

/**
 * The user's text as FTS5 syntax that can never be a syntax error: every word becomes a
 * quoted string, all words must match, and the last one matches as a prefix so results
 * follow typing. Null when no word is left.
 */
export function toFtsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map(ftsString)
    .filter((w): w is string => w !== null);
  if (words.length === 0) return null;
  words[words.length - 1] = `${words[words.length - 1]!}*`;
  return words.join(' ');
}

function isoBound(value: string, field: 'since' | 'until'): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new OpsError('INVALID_INPUT', `${field} must be an ISO 8601 date-time`, { fields: [{ field, message: 'not a date-time' }] });
  return new Date(ms).toISOString();
}

const FTS_COLUMNS = `e.${ENTRY_COLUMNS.split(', ').join(', e.')}`;

export class AuditSearch {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly idBounds: Database.Statement<[], { lo: number | null; hi: number | null }>;
  private readonly atFrom: Database.Statement<[number], { id: number; at: string }>;

  constructor(
    private readonly db: Database.Database,
    private readonly indexer: FtsIndexer,
  ) {
    // Two subqueries: min() and max() in one SELECT defeat SQLite's O(1) min/max optimisation.
    this.idBounds = db.prepare('SELECT (SELECT min(id) FROM audit_entries) AS lo, (SELECT max(id) FROM audit_entries) AS hi');
    this.atFrom = db.prepare('SELECT id, at FROM audit_entries WHERE id >= ? ORDER BY id LIMIT 1');
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Smallest id whose `at` satisfies `pass` (monotone: false…false true…true), or null. */
  private bisect(lo: number, hi: number, pass: (at: string) => boolean): number | null {
    let found: number | null = null;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = this.atFrom.get(mid);
      if (!row || row.id > hi) {
        hi = mid - 1;
      } else if (pass(row.at)) {
        found = row.id;
        hi = mid - 1;
      } else {
        lo = row.id + 1;
      }
    }
    return found;
  }

  search(q: AuditSearchQuery): AuditEntry[] {
    const bounds = this.idBounds.get();
    if (!bounds || bounds.lo === null || bounds.hi === null) return [];
    let lo = bounds.lo;
    let hi = q.beforeId === undefined ? bounds.hi : Math.min(bounds.hi, q.beforeId - 1);
    const params: Record<string, string | number> = { limit: q.limit };
    const where: string[] = [];
    if (q.since !== undefined) {
      const since = isoBound(q.since, 'since');
      const first = this.bisect(lo, hi, (at) => at >= since);
      if (first === null) return [];
      lo = first;
      params.since = since;
      where.push('e.at >= @since');
    }
    if (q.until !== undefined) {
      const until = isoBound(q.until, 'until');
      const after = this.bisect(lo, hi, (at) => at > until);
      if (after !== null) hi = after - 1;
      params.until = until;
      where.push('e.at <= @until');
    }
    if (lo > hi) return [];
    params.lo = lo;
    params.hi = hi;

    const match: string[] = [];
    const text = q.search === undefined ? null : toFtsQuery(q.search);
    if (text !== null) match.push(`(${text})`);
    const filters: Array<['profile' | 'action' | 'outcome', string | undefined]> = [
      ['profile', q.profile],
      ['action', q.action],
      ['outcome', q.outcome],
    ];
    for (const [column, value] of filters) {
      if (value === undefined) continue;
      params[column] = value;
      where.push(column === 'profile' ? 'e.profile = @profile COLLATE NOCASE' : `e.${column} = @${column}`);
      const phrase = ftsString(value);
      if (phrase !== null) match.push(`${column} : ${phrase}`);
    }
    const extra = where.map((w) => ` AND ${w}`).join('');
    let sql: string;
    if (match.length > 0) {
      params.match = match.join(' AND ');
      this.indexer.catchUp();
      // CROSS JOIN keeps FTS5 as the outer loop (rowid order, descending, within the range).
      sql =
        `SELECT ${FTS_COLUMNS} FROM audit_fts CROSS JOIN audit_entries e ON e.id = audit_fts.rowid ` +
        `WHERE audit_fts MATCH @match AND audit_fts.rowid BETWEEN @lo AND @hi${extra} ORDER BY audit_fts.rowid DESC LIMIT @limit`;
    } else {
      sql = `SELECT ${ENTRY_COLUMNS} FROM audit_entries e WHERE e.id BETWEEN @lo AND @hi${extra} ORDER BY e.id DESC LIMIT @limit`;
    }
    return (this.statement(sql).all(params) as EntryRow[]).map(rowToEntry);
  }
}

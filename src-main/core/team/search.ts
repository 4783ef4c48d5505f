// The whole team's trail with the Audit screen's filters (who, where = profile, when, what =
// action, outcome, text), newest first. An entry is its begin record merged with its
// completion, as the local entries table shows it; `beforeId` pages within one workstation's
// ids, so across the team a page continues with `until` = the last entry's time instead.
import type pg from 'pg';
import type { z } from 'zod';
import type { AuditEntry } from '../../contract/models';
import type { TeamAuditEntry, teamAuditQuerySchema } from '../../contract/team';

type Query = z.output<typeof teamAuditQuerySchema>;

interface Row {
  workstation_id: string;
  workstation: string;
  id: string;
  at: string;
  actor: string;
  profile: string | null;
  action: string;
  outcome: string;
  duration_ms: string | null;
  summary: string;
  detail: string | null;
  rows_affected: string | null;
  error: string | null;
}

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

/** LIKE's wildcards in the user's text are plain characters. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function searchTeamTrail(client: pg.Client, q: Query): Promise<TeamAuditEntry[]> {
  const where: string[] = ["b.kind = 'begin'"];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.since) add('b.at >= ?', new Date(q.since).toISOString());
  if (q.until) add('b.at <= ?', new Date(q.until).toISOString());
  if (q.profile) add('lower(coalesce(c.profile, b.profile)) = lower(?)', q.profile);
  if (q.action) add('b.action = ?', q.action);
  if (q.outcome) add(q.outcome === 'pending' ? "(c.seq IS NULL AND ? = 'pending')" : 'c.outcome = ?', q.outcome);
  if (q.workstation) add('b.workstation_id::text = ?', q.workstation);
  if (q.beforeId !== undefined) add('b.entry_id < ?', q.beforeId);
  if (q.search)
    add(
      "concat_ws(' ', b.actor, b.action, coalesce(c.profile, b.profile), coalesce(c.summary, b.summary), coalesce(c.detail, b.detail), c.error) ILIKE ?",
      likePattern(q.search),
    );
  params.push(q.limit);
  const sql = `
    SELECT b.workstation_id::text AS workstation_id, w.name AS workstation, b.entry_id::text AS id, b.at, b.actor,
           coalesce(c.profile, b.profile) AS profile, b.action, coalesce(c.outcome, 'pending') AS outcome, c.duration_ms::text AS duration_ms,
           coalesce(c.summary, b.summary) AS summary, coalesce(c.detail, b.detail) AS detail, c.rows_affected::text AS rows_affected, c.error
    FROM ops_team.audit_chain b
    JOIN ops_team.workstations w ON w.id = b.workstation_id
    LEFT JOIN ops_team.audit_chain c ON c.workstation_id = b.workstation_id AND c.entry_id = b.entry_id AND c.kind = 'complete'
    WHERE ${where.join(' AND ')}
    ORDER BY b.at DESC, b.workstation_id, b.entry_id DESC
    LIMIT $${params.length}`;
  const result = await client.query<Row>(sql, params);
  return result.rows.map((r) => ({
    workstationId: r.workstation_id,
    workstation: r.workstation,
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    profile: r.profile,
    action: r.action,
    outcome: r.outcome as AuditEntry['outcome'],
    durationMs: num(r.duration_ms),
    summary: r.summary,
    detail: r.detail,
    rowsAffected: num(r.rows_affected),
    error: r.error,
  }));
}

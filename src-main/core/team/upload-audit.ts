// Uploading the local audit chain to the team store: the records after the high-water mark,
// 500 per INSERT, one transaction per batch, exactly the fields the local chain hashes.
// Idempotent by (workstation id, local seq): ON CONFLICT DO NOTHING skips what a previous,
// interrupted sync already delivered; a key the store holds with a *different* hash is
// recorded in ops_team.audit_conflicts and never written over.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { CHAIN_FIELDS, type ChainValue } from '../platform/audit/chain';
import type { TeamLink } from './link';

export const AUDIT_BATCH = 500;

const COLUMNS = [...CHAIN_FIELDS, 'prev_hash', 'hash'] as const;
const TYPES: Record<(typeof COLUMNS)[number], string> = {
  seq: 'int8',
  kind: 'text',
  entry_id: 'int8',
  at: 'text',
  actor: 'text',
  action: 'text',
  profile: 'text',
  summary: 'text',
  detail: 'text',
  outcome: 'text',
  duration_ms: 'int8',
  rows_affected: 'int8',
  error: 'text',
  prev_hash: 'text',
  hash: 'text',
};
const SEQ = 0;
const HASH = COLUMNS.length - 1;

// One array parameter per column (unnest): 15 parameters per batch instead of 7,500.
const INSERT_SQL = `INSERT INTO ops_team.audit_chain (workstation_id, ${COLUMNS.join(', ')})
  SELECT $1::uuid, * FROM unnest(${COLUMNS.map((c, i) => `$${i + 2}::${TYPES[c]}[]`).join(', ')})
  ON CONFLICT (workstation_id, seq) DO NOTHING RETURNING seq`;

export interface AuditUploadResult {
  uploaded: number;
  conflicts: number;
}

export type Progress = (message: string) => void;

async function flagConflicts(client: pg.Client, workstationId: string, rows: ChainValue[][], inserted: Set<string>): Promise<number> {
  const skipped = rows.filter((r) => !inserted.has(String(r[SEQ])));
  if (skipped.length === 0) return 0;
  const held = await client.query<{ seq: string; hash: string }>(
    'SELECT seq::text AS seq, hash FROM ops_team.audit_chain WHERE workstation_id = $1 AND seq = ANY($2::int8[])',
    [workstationId, skipped.map((r) => r[SEQ])],
  );
  const heldHash = new Map(held.rows.map((r) => [r.seq, r.hash]));
  let conflicts = 0;
  for (const row of skipped) {
    const hash = heldHash.get(String(row[SEQ]));
    if (hash === undefined || hash === row[HASH]) continue;
    conflicts += 1;
    const record = Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]]));
    await client.query('INSERT INTO ops_team.audit_conflicts (workstation_id, seq, hash, record) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      workstationId,
      row[SEQ],
      row[HASH],
      JSON.stringify(record),
    ]);
  }
  return conflicts;
}

/** Uploads until the local chain's head (as it was when the sync started) is in the store. */
export async function uploadAudit(
  client: pg.Client,
  db: Database.Database,
  link: TeamLink,
  workstationId: string,
  progress: Progress,
): Promise<AuditUploadResult> {
  const read = db.prepare(`SELECT ${COLUMNS.join(', ')} FROM audit_chain WHERE seq > ? ORDER BY seq LIMIT ${AUDIT_BATCH}`).raw();
  const target = link.chainHead();
  let from = link.read().auditSentSeq;
  const total = Math.max(0, target - from);
  let uploaded = 0;
  let conflicts = 0;
  while (from < target) {
    const rows = read.all(from) as ChainValue[][];
    if (rows.length === 0) break;
    const last = rows[rows.length - 1]![SEQ] as number;
    const params: unknown[] = [workstationId, ...COLUMNS.map((_, i) => rows.map((r) => r[i]))];
    await client.query('BEGIN');
    try {
      const result = await client.query<{ seq: string }>(INSERT_SQL, params);
      const inserted = new Set(result.rows.map((r) => String(r.seq)));
      if (inserted.size < rows.length) conflicts += await flagConflicts(client, workstationId, rows, inserted);
      await client.query('UPDATE ops_team.workstations SET head_seq = greatest(head_seq, $2), last_seen = now() WHERE id = $1', [workstationId, last]);
      await client.query('COMMIT');
      uploaded += inserted.size;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    // After the commit: a crash between the two only re-sends this batch, which the store skips.
    link.markAuditSent(last);
    from = last;
    progress(`audit: ${Math.min(total, last - (target - total))}/${total} records`);
  }
  return { uploaded, conflicts };
}

// `audit verify --team`: every workstation's chain recomputed from the team store's rows with
// the local verifier's hash (platform/audit/chain.ts), naming each one's first bad entry:
// a record whose content no longer matches its hash, a broken link, a gap, entries out of
// order, a tail shorter than the workstation's uploaded head, or a conflicting re-upload.
import type pg from 'pg';
import type { TeamVerifyResult, TeamWorkstationVerify } from '../../contract/team';
import { CHAIN_FIELDS, GENESIS_HASH, hashValues, type ChainValue } from '../platform/audit/chain';

const PAGE = 5_000;
const NUMERIC = new Set<string>(['seq', 'entry_id', 'duration_ms', 'rows_affected']);
const SELECT_SQL = `SELECT ${CHAIN_FIELDS.join(', ')}, prev_hash, hash FROM ops_team.audit_chain WHERE workstation_id = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`;
const PREV = CHAIN_FIELDS.length;
const HASH = CHAIN_FIELDS.length + 1;

/** int8 arrives as text from node-postgres; the chain hashed numbers. */
function values(row: unknown[]): ChainValue[] {
  return row.slice(0, PREV).map((v, i) => (v !== null && NUMERIC.has(CHAIN_FIELDS[i]!) ? Number(v) : (v as ChainValue)));
}

interface Bad {
  id: number;
  problem: string;
}

interface Walk {
  entries: number;
  bad: Bad | null;
}

async function walk(client: pg.Client, workstationId: string, headSeq: number): Promise<Walk> {
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let nextEntry = 1;
  const open = new Set<number>();
  for (;;) {
    const page = await client.query<unknown[]>({ text: SELECT_SQL, values: [workstationId, expectSeq - 1], rowMode: 'array' });
    for (const raw of page.rows) {
      const row = values(raw);
      const [seq, kind, entryId] = [row[0] as number, row[1] as string, row[2] as number];
      if (seq !== expectSeq)
        return { entries: nextEntry - 1, bad: { id: entryId, problem: `record ${expectSeq} is missing from the team store; the next one present is ${seq}.` } };
      if (raw[PREV] !== prev) return { entries: nextEntry - 1, bad: { id: entryId, problem: `record ${seq} does not follow the record before it.` } };
      if (hashValues(prev, row) !== raw[HASH])
        return {
          entries: nextEntry - 1,
          bad: { id: entryId, problem: `entry #${entryId} was changed in the team store: record ${seq} (${kind}) no longer matches its hash.` },
        };
      if (kind === 'begin') {
        if (entryId !== nextEntry)
          return {
            entries: nextEntry - 1,
            bad: { id: Math.min(entryId, nextEntry), problem: `entries out of order at record ${seq} (expected #${nextEntry}, found #${entryId}).` },
          };
        open.add(entryId);
        nextEntry += 1;
      } else if (!open.delete(entryId)) {
        return { entries: nextEntry - 1, bad: { id: entryId, problem: `record ${seq} completes entry #${entryId}, which was not open.` } };
      }
      prev = raw[HASH] as string;
      expectSeq += 1;
    }
    if (page.rows.length < PAGE) break;
  }
  if (expectSeq - 1 < headSeq)
    return {
      entries: nextEntry - 1,
      bad: { id: nextEntry, problem: `the last ${headSeq - expectSeq + 1} record(s) uploaded (up to ${headSeq}) are missing from the team store.` },
    };
  return { entries: nextEntry - 1, bad: null };
}

export async function verifyTeamTrail(client: pg.Client): Promise<TeamVerifyResult> {
  // One snapshot for every workstation: uploads arriving meanwhile must not look like gaps.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const stations = await client.query<{ id: string; name: string; head_seq: string }>(
      'SELECT id::text AS id, name, head_seq FROM ops_team.workstations ORDER BY name, id',
    );
    const conflicts = await client.query<{ workstation_id: string; seq: string; entry_id: string | null }>(
      `SELECT c.workstation_id::text AS workstation_id, min(c.seq)::text AS seq, min(a.entry_id)::text AS entry_id
       FROM ops_team.audit_conflicts c LEFT JOIN ops_team.audit_chain a ON a.workstation_id = c.workstation_id AND a.seq = c.seq GROUP BY c.workstation_id`,
    );
    const conflictOf = new Map(conflicts.rows.map((c) => [c.workstation_id, c]));
    const workstations: TeamWorkstationVerify[] = [];
    for (const s of stations.rows) {
      const result = await walk(client, s.id, Number(s.head_seq));
      let bad = result.bad;
      const conflict = conflictOf.get(s.id);
      if (conflict && conflict.entry_id !== null && (bad === null || Number(conflict.entry_id) < bad.id))
        bad = {
          id: Number(conflict.entry_id),
          problem: `record ${conflict.seq} was uploaded again with different content (kept in ops_team.audit_conflicts).`,
        };
      workstations.push({
        id: s.id,
        name: s.name,
        entries: result.entries,
        ok: bad === null,
        firstBadId: bad?.id ?? null,
        problem: bad === null ? null : `Entry #${bad.id}: ${bad.problem}`,
      });
    }
    return { ok: workstations.every((w) => w.ok), workstations };
  } finally {
    await client.query('COMMIT').catch(() => undefined);
  }
}

// Where the chain's head lives (migration 20). The head — the last chain record's seq and hash
// and the last stamp — is kept in head_* columns of the newest audit_entries row: every commit
// already writes that row's page (a begin inserts it, a complete updates an entry that is almost
// always on the same last leaf), so keeping the head there costs no extra page per commit,
// where a separate audit_head row cost a third more pages to write and fsync.
//
// Why a cut still shows: a begin clears the head columns of the entry before it, so only the
// newest entry carries a head. Cutting entries off the end leaves a newest entry without one;
// cutting chain records leaves a head past the chain's end. Either way the cut shows unless
// the head is forged too, which was already so with audit_head (see verify.ts's limit).
// audit_head is kept as a floor: the head as it was after the first record and at most
// FLOOR_DISTANCE_RECORDS ago, so removing every entry, or rolling the trail back past that
// point, shows as well.
import type Database from 'better-sqlite3';

/**
 * The floor is never more than this many records behind the head: a cut back past it shows
 * even with a forged head (the limit of what a head can prove, see verify.ts). Moving it costs
 * one more page in that commit, so not on every append.
 */
export const FLOOR_DISTANCE_RECORDS = 256;

export interface AuditHead {
  seq: number;
  hash: string;
  /** Entries ever begun: ids run 1..entries. */
  entries: number;
  last_at: string;
  fts_seq: number;
  /** The floor's seq (audit_head.seq): moved up at least every FLOOR_DISTANCE_RECORDS. */
  floor_seq: number;
}

export interface HeadFloor {
  seq: number;
  hash: string;
  entries: number;
}

interface HeadRow {
  floor_seq: number;
  floor_hash: string;
  floor_entries: number;
  floor_at: string;
  fts_seq: number;
  id: number | null;
  head_seq: number | null;
  head_hash: string | null;
  head_at: string | null;
}

export type HeadRead = { state: 'ok'; head: AuditHead; floor: HeadFloor } | { state: 'missing'; floor: HeadFloor | null };

/**
 * The newest entry that carries a head (normally the newest entry: a backward walk of one
 * row), and the floor. A trail whose entries were cut has none left: then the walk reaches
 * the first entry and finds nothing, which is the answer.
 */
export const HEAD_SQL = `
  SELECT h.seq AS floor_seq, h.hash AS floor_hash, h.entries AS floor_entries, h.last_at AS floor_at, h.fts_seq,
         e.id, e.head_seq, e.head_hash, e.head_at
  FROM audit_head h
  LEFT JOIN (SELECT id, head_seq, head_hash, head_at FROM audit_entries WHERE head_seq IS NOT NULL ORDER BY id DESC LIMIT 1) e ON 1
  WHERE h.id = 1`;

/** Is there any entry at all (a trail with entries but no head was cut). */
const HAS_ENTRIES_SQL = 'SELECT EXISTS (SELECT 1 FROM audit_entries) AS has_entries';

export function prepareHead(db: Database.Database): () => HeadRead {
  const head = db.prepare<[], HeadRow>(HEAD_SQL);
  const hasEntries = db.prepare<[], { has_entries: number }>(HAS_ENTRIES_SQL);
  return () => {
    const row = head.get();
    if (!row) return { state: 'missing', floor: null };
    const floor: HeadFloor = { seq: row.floor_seq, hash: row.floor_hash, entries: row.floor_entries };
    if (row.id !== null && row.head_seq !== null && row.head_hash !== null)
      return {
        state: 'ok',
        floor,
        head: { seq: row.head_seq, hash: row.head_hash, entries: row.id, last_at: row.head_at ?? '', fts_seq: row.fts_seq, floor_seq: row.floor_seq },
      };
    // No entry carries a head: a store that never had an entry starts from the floor (the
    // genesis head of migration 2); one that has entries was cut.
    if (hasEntries.get()!.has_entries === 0 && row.floor_entries === 0)
      return {
        state: 'ok',
        floor,
        head: { seq: row.floor_seq, hash: row.floor_hash, entries: 0, last_at: row.floor_at, fts_seq: row.fts_seq, floor_seq: row.floor_seq },
      };
    return { state: 'missing', floor };
  };
}

// Walks the audit trail and names the FIRST entry that is not what was written: the chain
// (every record's hash and link), its head (so cutting the tail shows), and the user-facing
// entries table against the chain (so editing what users see shows too).
// Limit, by design of any unkeyed chain: someone who rewrites every record after an edit and
// the head, recomputing all hashes, is not detected. Exported copies or an external anchor of
// the head hash catch that.
//
// Speed: fastProof() (verify-fast.ts) proves an intact trail in a fraction of the time; only
// when it cannot does the exact walk below run, so what a damaged trail reports (the first
// bad entry and why) comes from this walk alone.
import type Database from 'better-sqlite3';
import type { AuditVerifyResult } from '../../../contract/models';
import { CHAIN_FIELDS, GENESIS_HASH, hashValues, type ChainValue } from './chain';
import { prepareHead, type HeadFloor } from './head';
import { fastProof, type FastReport, type FastVerifyOptions } from './verify-fast';

export type { FastVerifyOptions } from './verify-fast';

interface Bad {
  id: number;
  problem: string;
}

interface Head {
  seq: number;
  hash: string;
  entries: number;
}

interface ChainWalk {
  bad: Bad | null;
  /** Entries the chain shows begun and never completed. */
  open: Set<number>;
}

const COL = Object.fromEntries(CHAIN_FIELDS.map((f, i) => [f, i])) as Record<(typeof CHAIN_FIELDS)[number], number>;
const PREV = CHAIN_FIELDS.length;
const HASH = CHAIN_FIELDS.length + 1;

/** Which entry a chain position belongs to, by the entries table (only asked once a problem is found). */
function entryForSeq(db: Database.Database, seq: number): number | null {
  const row = db.prepare('SELECT id FROM audit_entries WHERE begin_seq = ? OR complete_seq = ? LIMIT 1').get(seq, seq) as { id: number } | undefined;
  return row?.id ?? null;
}

/** When the entry that owned a deleted record is gone too: if the next start record skips an id, that id is the one deleted. */
function missingBegin(db: Database.Database, fromSeq: number, nextEntry: number, head: Head): number | null {
  const next = db.prepare("SELECT entry_id FROM audit_chain WHERE seq >= ? AND kind = 'begin' ORDER BY seq LIMIT 1").get(fromSeq) as
    { entry_id: number } | undefined;
  if (next ? next.entry_id > nextEntry : nextEntry <= head.entries) return nextEntry;
  return null;
}

function lowest(...ids: Array<number | null>): number {
  const real = ids.filter((i): i is number => typeof i === 'number' && i > 0);
  return real.length === 0 ? 1 : Math.min(...real);
}

function walkChain(db: Database.Database, head: Head): ChainWalk {
  const open = new Set<number>();
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let nextEntry = 1;
  const rows = db
    .prepare(`SELECT ${CHAIN_FIELDS.join(', ')}, prev_hash, hash FROM audit_chain ORDER BY seq`)
    .raw()
    .iterate() as IterableIterator<ChainValue[]>;
  for (const row of rows) {
    const seq = row[COL.seq] as number;
    const kind = row[COL.kind];
    const entryId = row[COL.entry_id] as number;
    if (seq !== expectSeq) {
      const id = entryForSeq(db, expectSeq) ?? missingBegin(db, seq, nextEntry, head) ?? entryId;
      rows.return?.();
      return { open, bad: { id, problem: `Entry #${id}: audit record ${expectSeq} is missing (deleted from the trail); the next record present is ${seq}.` } };
    }
    if (row[PREV] !== prev) {
      const id = lowest(entryId, entryForSeq(db, seq));
      rows.return?.();
      return {
        open,
        bad: { id, problem: `Entry #${id}: audit record ${seq} does not follow the record before it; records were removed, inserted or reordered here.` },
      };
    }
    if (hashValues(prev, row.slice(0, PREV)) !== row[HASH]) {
      const id = lowest(entryId, entryForSeq(db, seq));
      rows.return?.();
      return { open, bad: { id, problem: `Entry #${id} was changed after it was written: audit record ${seq} (${String(kind)}) no longer matches its hash.` } };
    }
    if (kind === 'begin') {
      if (entryId !== nextEntry) {
        const id = Math.min(entryId, nextEntry);
        rows.return?.();
        return {
          open,
          bad: { id, problem: `Entry #${id}: entries are out of order or missing at audit record ${seq} (expected entry #${nextEntry}, found #${entryId}).` },
        };
      }
      open.add(entryId);
      nextEntry += 1;
    } else if (!open.delete(entryId)) {
      rows.return?.();
      return {
        open,
        bad: { id: entryId, problem: `Entry #${entryId}: audit record ${seq} completes an entry that was not open (duplicated or moved completion).` },
      };
    }
    prev = row[HASH] as string;
    expectSeq += 1;
  }
  const last = expectSeq - 1;
  if (last < head.seq) {
    const id = entryForSeq(db, expectSeq) ?? nextEntry;
    return { open, bad: { id, problem: `Entry #${id}: the last ${head.seq - last} audit record(s) are missing; the trail was cut after record ${last}.` } };
  }
  if (last > head.seq || prev !== head.hash) {
    const id = entryForSeq(db, Math.min(last, head.seq + 1)) ?? nextEntry - 1;
    return {
      open,
      bad: {
        id,
        problem: `Entry #${id}: the trail does not end where it was last written (record ${head.seq}); records were added or changed outside Ops Console.`,
      },
    };
  }
  return { open, bad: null };
}

const PROJECTION_SQL = `
  SELECT e.id, e.at, e.actor, e.profile, e.action, e.outcome, e.duration_ms, e.summary, e.detail, e.rows_affected, e.error, e.complete_seq,
         b.kind, b.entry_id, b.at, b.actor, b.action, b.profile, b.summary, b.detail,
         c.kind, c.entry_id, c.profile, c.summary, c.detail, c.outcome, c.duration_ms, c.rows_affected, c.error
  FROM audit_entries e
  LEFT JOIN audit_chain b ON b.seq = e.begin_seq
  LEFT JOIN audit_chain c ON c.seq = e.complete_seq
  ORDER BY e.id`;

/** Why the entries-table row differs from what the chain says it is, or null when it matches. */
function projectionMismatch(r: ChainValue[], open: Set<number>): string | null {
  const [id, at, actor, profile, action, outcome, durationMs, summary, detail, rowsAffected, error, completeSeq] = r;
  const [bKind, bEntry, bAt, bActor, bAction, bProfile, bSummary, bDetail] = r.slice(12, 20);
  const [cKind, cEntry, cProfile, cSummary, cDetail, cOutcome, cDuration, cRows, cError] = r.slice(20);
  if (bKind !== 'begin' || bEntry !== id) return 'its start record is missing or belongs to another entry';
  if (at !== bAt || actor !== bActor || action !== bAction) return 'its time, actor or action differs from what was recorded';
  if (completeSeq === null) {
    if (!open.has(id as number)) return 'it shows as pending but its completion was recorded';
    if (outcome !== 'pending' || durationMs !== null || rowsAffected !== null || error !== null) return 'it shows a result that was never recorded';
    if (profile !== bProfile || summary !== bSummary || detail !== bDetail) return 'its profile, summary or detail differs from what was recorded';
    return null;
  }
  if (cKind !== 'complete' || cEntry !== id) return 'its completion record is missing or belongs to another entry';
  if (outcome !== cOutcome || durationMs !== cDuration || rowsAffected !== cRows || error !== cError)
    return 'its outcome, duration, rows or error differs from what was recorded';
  if (profile !== cProfile || summary !== cSummary || detail !== cDetail) return 'its profile, summary or detail differs from what was recorded';
  return null;
}

function walkEntries(db: Database.Database, open: Set<number>, expected: number): Bad | null {
  let expectId = 1;
  const rows = db.prepare(PROJECTION_SQL).raw().iterate() as IterableIterator<ChainValue[]>;
  for (const row of rows) {
    const id = row[0] as number;
    if (id !== expectId) {
      rows.return?.();
      const missing = Math.min(id, expectId);
      return { id: missing, problem: `Entry #${missing} is missing from the audit entries (deleted or renumbered).` };
    }
    const why = projectionMismatch(row, open);
    if (why !== null) {
      rows.return?.();
      return { id, problem: `Entry #${id} was changed after it was written: ${why}.` };
    }
    expectId += 1;
  }
  if (expectId - 1 < expected)
    return { id: expectId, problem: `Entry #${expectId} and later are missing from the audit entries (${expected - expectId + 1} entries).` };
  if (expectId - 1 > expected) return { id: expected + 1, problem: `Entry #${expected + 1} was added outside Ops Console (not in the audit chain).` };
  return null;
}

function hashAt(db: Database.Database, seq: number): string | null {
  return (db.prepare('SELECT hash FROM audit_chain WHERE seq = ?').pluck().get(seq) as string | undefined) ?? null;
}

/** The floor (head.ts) is a head the trail had: it must still be in the chain, at or before the head. */
function floorProblem(db: Database.Database, head: Head, floor: HeadFloor): Bad | null {
  if (floor.seq > head.seq || floor.entries > head.entries) {
    const id = head.entries + 1;
    return {
      id,
      problem: `Entry #${id}: the trail ends at record ${head.seq}, but it had already reached record ${floor.seq} (entry #${floor.entries}); the trail was cut.`,
    };
  }
  if (floor.seq === 0 ? floor.hash === GENESIS_HASH : hashAt(db, floor.seq) === floor.hash) return null;
  const id = entryForSeq(db, floor.seq) ?? 1;
  return { id, problem: `Entry #${id}: audit record ${floor.seq} is not the record the trail held when it was written; the trail was rewritten.` };
}

/** The exact walk: names the first bad entry. `known` is a problem found before the walk (a missing head). */
function walkTrail(db: Database.Database, head: Head, floor: HeadFloor, known: Bad | null = null): AuditVerifyResult {
  const chain = walkChain(db, head);
  const entries = walkEntries(db, chain.open, head.entries);
  const bad = [chain.bad, entries, floorProblem(db, head, floor), known].filter((b): b is Bad => b !== null).sort((a, b) => a.id - b.id)[0];
  const count = (db.prepare('SELECT count(*) AS n FROM audit_entries').get() as { n: number }).n;
  if (bad) return { ok: false, entries: count, firstBadId: bad.id, problem: bad.problem };
  return { ok: true, entries: count, firstBadId: null, problem: null };
}

/**
 * No entry carries the head (only the newest one does, head.ts): entries were cut off the end,
 * or the head was wiped. The walk still names anything earlier, against the chain's own end.
 */
function walkCutTrail(db: Database.Database, floor: HeadFloor): AuditVerifyResult {
  const end = db.prepare('SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const newest = (db.prepare('SELECT coalesce(max(id), 0) FROM audit_entries').pluck().get() as number) ?? 0;
  const head: Head = { seq: end?.seq ?? 0, hash: end?.hash ?? GENESIS_HASH, entries: newest };
  const id = newest + 1;
  const cut: Bad = {
    id,
    problem:
      newest === 0
        ? 'Entry #1: every audit entry is gone; the trail was cut.'
        : `Entry #${id}: the newest entry left (#${newest}) does not carry the trail's head; entries were cut off the end of the trail.`,
  };
  return walkTrail(db, head, floor, cut);
}

export interface VerifyReport {
  result: AuditVerifyResult;
  /** Null when the head was missing (nothing to prove). */
  fast: FastReport | null;
}

function tryFastProof(db: Database.Database, head: Head, options: FastVerifyOptions, canUseWorker: boolean): FastReport {
  if (options.walkOnly) return { intact: false, workerItems: 0, items: 0 };
  try {
    return fastProof(db, head, options, canUseWorker);
  } catch {
    // Anything unexpected (a value SQLite's JSON refuses, a worker that cannot start) only
    // means the fast proof is not available; the walk still gives the answer.
    return { intact: false, workerItems: 0, items: 0 };
  }
}

/** verifyAuditTrail plus how the answer was reached (tests and the benchmark). */
export function verifyAuditTrailReport(db: Database.Database, options: FastVerifyOptions = {}): VerifyReport {
  // Uncommitted records on this connection are invisible to a worker's connection.
  const canUseWorker = !db.inTransaction && !db.memory;
  // One read snapshot for head, chain and entries: an append by another process halfway
  // through must not look like tampering.
  return db.transaction((): VerifyReport => {
    const read = prepareHead(db)();
    if (read.state === 'missing') {
      if (read.floor === null)
        return {
          fast: null,
          result: { ok: false, entries: 0, firstBadId: 1, problem: 'The audit trail head record is missing; the trail was tampered with.' },
        };
      return { fast: null, result: walkCutTrail(db, read.floor) };
    }
    const { head, floor } = read;
    const floorOk = floorProblem(db, head, floor) === null;
    const fast = floorOk ? tryFastProof(db, head, options, canUseWorker) : { intact: false, workerItems: 0, items: 0 };
    if (fast.intact) return { fast, result: { ok: true, entries: head.entries, firstBadId: null, problem: null } };
    return { fast, result: walkTrail(db, head, floor) };
  })();
}

export function verifyAuditTrail(db: Database.Database, options: FastVerifyOptions = {}): AuditVerifyResult {
  return verifyAuditTrailReport(db, options).result;
}

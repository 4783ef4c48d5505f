// The fast proof that an audit trail is intact. It answers only "intact: yes / not proven";
// whenever it cannot prove a trail intact, verify.ts runs the exact record-by-record walk,
// which alone names the first bad entry and says what is wrong. So this file may be
// stricter than the walk, never more lenient: everything it accepts, the walk accepts.
//
// Where the time goes over 1,000,000 entries (2,000,000 chain records) and why it is split:
// - SQLite compares the entries table with the chain records it was projected from, in C,
//   returning aggregates instead of 29 columns per entry (PROJECTION_SQL).
// - Hashing needs JS (node:crypto). SQLite serializes each record to the canonical JSON and
//   returns 64 records per row, and two threads (this one and a worker with its own read-only
//   connection) hash disjoint seq ranges (verify-scan.ts).
// Why the walk's checks follow from these ones is spelled out at fastProof().
import { createRequire } from 'node:module';
import { hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { CHAIN_FIELDS, GENESIS_HASH } from './chain';
import { CTL_ABORT, CTL_SLOTS, NUMS_PER_ITEM, scanBuffer, scanChainItems, scanViews, type ScanJob } from './verify-scan';
import { nativeBinding } from '../store/native-binding';

export interface FastVerifyOptions {
  /** Trails with fewer chain records are hashed on this thread only (a worker costs ~50 ms to start). */
  parallelMinRecords?: number;
  /** Chain records / entries per work item; tests use small items so that both threads get some. */
  itemSize?: number;
  entrySize?: number;
  /** How long to wait for the worker's unfinished items before giving up on the fast proof. */
  workerTimeoutMs?: number;
  /** Tests: leave every item to the worker, so its code (run from source text) is what is checked. */
  workerOnly?: boolean;
  /** Tests and the benchmark: skip the fast proof and always run the exact walk. */
  walkOnly?: boolean;
}

export interface FastHead {
  seq: number;
  hash: string;
  entries: number;
}

/** What happened, for tests and the benchmark. */
export interface FastReport {
  intact: boolean;
  /** Work items the worker thread finished (0 when it was not used or lost every race). */
  workerItems: number;
  items: number;
}

const DEFAULT_PARALLEL_MIN = 50_000;
const DEFAULT_ITEM_SIZE = 8192;
const DEFAULT_ENTRY_SIZE = 16384;
const GROUP_SIZE = 64;
const DEFAULT_WORKER_TIMEOUT_MS = 60_000;
/**
 * The worker reads through a memory map: about 10% less CPU than a read() per page. Only on
 * its own short-lived read-only connection; nothing in Ops Console shrinks the store file,
 * which is what makes a mapping unsafe.
 */
const WORKER_MMAP_BYTES = 2 ** 31;

/**
 * JSON of a record as SQLite writes it, or NULL (then the scan recomputes the record in JS).
 * For text, whole numbers, reals and null, the JSON SQLite writes parses back to exactly the
 * value better-sqlite3 returns, and for the values Ops Console stores it is byte-identical to
 * JSON.stringify (tests/unit/audit-verify.test.ts). So when it hashes to the stored hash, so
 * does the JSON.stringify the hash is defined by: equal JSON texts mean equal values. When it
 * does not (a real printed as 1.0e+20, an integer beyond 2^53), the JS recomputation decides.
 * Blobs are the exception (json_array reads them as JSONB), so every blob column gives NULL.
 * "x >= x''" is true exactly for blobs, and cheaper than typeof() in the hot loop.
 */
const BLOB_COLUMNS = CHAIN_FIELDS.filter((f) => f !== 'seq')
  .map((c) => `${c} >= x''`)
  .join(' OR ');

/**
 * One row per group of records: how many there are, and their JSON, hashes and prev_hashes as
 * three lists joined by "\x1e" (JSON escapes every control character; a blob row's JSON is
 * NULL, which group_concat leaves out, so the list comes up short and the group is recomputed).
 */
const GROUP_SQL = `
  SELECT count(*), group_concat(CASE WHEN ${BLOB_COLUMNS} THEN NULL ELSE json_array(${CHAIN_FIELDS.join(', ')}) END, x'1e'),
         group_concat(hash, x'1e'), group_concat(prev_hash, x'1e')
  FROM audit_chain WHERE seq BETWEEN ? AND ?`;
const ROW_SQL = `SELECT ${CHAIN_FIELDS.join(', ')}, prev_hash, hash FROM audit_chain WHERE seq = ?`;
const HASH_SQL = 'SELECT hash FROM audit_chain WHERE seq = ?';

/**
 * Every entries-table row against the chain records it shows, as the walk compares them
 * (same joins). IS with BINARY collation and same-affinity columns is equality of the values
 * better-sqlite3 would return, or stricter (never blobs here: the scan refuses blob records).
 * The pending/completed split follows the walk; "its completion comes after its start" and
 * the count of completed entries stand in for the walk's set of open entries.
 */
const PROJECTION_SQL = `
  SELECT count(*), count(e.complete_seq), total(
    b.kind IS NOT 'begin' OR b.entry_id IS NOT e.id
    OR e.at IS NOT b.at OR e.actor IS NOT b.actor OR e.action IS NOT b.action
    OR CASE WHEN e.complete_seq IS NULL THEN
         e.outcome IS NOT 'pending' OR e.duration_ms IS NOT NULL OR e.rows_affected IS NOT NULL OR e.error IS NOT NULL
         OR e.profile IS NOT b.profile COLLATE BINARY OR e.summary IS NOT b.summary OR e.detail IS NOT b.detail
       ELSE
         c.kind IS NOT 'complete' OR c.entry_id IS NOT e.id OR NOT (c.seq > b.seq)
         OR e.outcome IS NOT c.outcome OR e.duration_ms IS NOT c.duration_ms OR e.rows_affected IS NOT c.rows_affected OR e.error IS NOT c.error
         OR e.profile IS NOT c.profile COLLATE BINARY OR e.summary IS NOT c.summary OR e.detail IS NOT c.detail
       END)
  FROM audit_entries e
  LEFT JOIN audit_chain b ON b.seq = e.begin_seq
  LEFT JOIN audit_chain c ON c.seq = e.complete_seq
  WHERE e.id BETWEEN ? AND ?`;

/**
 * Runs in the worker: plain CommonJS, better-sqlite3 from the path the main thread resolved.
 * If it cannot even open the store it claims nothing and the main thread does every item.
 */
function workerSource(): string {
  return `'use strict';
var __name = function (target) { return target; };
const { workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const scan = (${scanChainItems.toString()});
let db = null;
try {
  const Database = require(workerData.sqlite);
  db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: 5000, nativeBinding: workerData.nativeBinding });
  db.pragma('mmap_size = ' + workerData.mmap);
} catch (err) {
  if (db) db.close();
  db = null;
}
if (db) {
  try {
    scan(db, hash, workerData.job, workerData.shared);
  } finally {
    db.close();
  }
}`;
}

function startWorker(db: Database.Database, job: ScanJob, shared: SharedArrayBuffer): Worker | null {
  try {
    const sqlite = createRequire(__filename).resolve('better-sqlite3');
    const worker = new Worker(workerSource(), {
      eval: true,
      execArgv: [],
      workerData: { sqlite, file: db.name, job, shared, mmap: WORKER_MMAP_BYTES, nativeBinding: nativeBinding() },
    });
    // Its failures show up as items it never finished; an 'error' event must not crash the app.
    worker.on('error', () => undefined);
    worker.unref();
    return worker;
  } catch {
    return null;
  }
}

interface Totals {
  ok: boolean;
  begins: number;
  completes: number;
  completedEntries: number;
  workerItems: number;
}

const NOT_PROVEN: Totals = { ok: false, begins: 0, completes: 0, completedEntries: 0, workerItems: 0 };

/** Waits (bounded) for items the worker claimed, then joins the chain items' runs of begins into one. */
function collect(shared: SharedArrayBuffer, job: ScanJob, mainItems: number, timeoutMs: number): Totals {
  const items = job.chainItems + job.entryItems;
  const { ctl, nums } = scanViews(shared, items);
  const deadline = Date.now() + timeoutMs;
  let nextEntry = 1;
  let completes = 0;
  let completedEntries = 0;
  for (let item = 0; item < items; item++) {
    while (Atomics.load(ctl, CTL_SLOTS + item) === 0) {
      // A bad item stops both threads, so later items may never be claimed.
      const left = deadline - Date.now();
      if (Atomics.load(ctl, CTL_ABORT) !== 0 || left <= 0) return NOT_PROVEN;
      Atomics.wait(ctl, CTL_SLOTS + item, 0, Math.min(left, 50));
    }
    if (Atomics.load(ctl, CTL_SLOTS + item) !== 1) return NOT_PROVEN;
    const [begins, firstBegin, completed] = [nums[item * NUMS_PER_ITEM]!, nums[item * NUMS_PER_ITEM + 1]!, nums[item * NUMS_PER_ITEM + 2]!];
    if (item >= job.chainItems) {
      completedEntries += completed;
      continue;
    }
    if (begins > 0) {
      if (firstBegin !== nextEntry) return NOT_PROVEN;
      nextEntry += begins;
    }
    completes += completed;
  }
  return { ok: true, begins: nextEntry - 1, completes, completedEntries, workerItems: items - mainItems };
}

/**
 * Proves the trail intact, or returns intact=false (then the exact walk decides). Call inside
 * a read transaction so head, chain and entries are one snapshot; the worker reads only
 * records up to head.seq, which the app never changes once written.
 *
 * Why intact here means the walk finds nothing:
 * - chain: rows are exactly seq 1..head.seq (every range has as many rows as seqs, none
 *   outside), each row's prev_hash is the previous row's hash (GENESIS first), its hash is the
 *   chain.ts hash of its values, and the last hash is the head's;
 * - begins appear in seq order as entries 1, 2, 3 … head.entries;
 * - entries are ids 1..head.entries, each matching its begin record (and its completion record,
 *   which comes after the begin), and the chain has exactly as many 'complete' records as
 *   entries show completed. Completion records of different entries are different records, so
 *   every completion closes an open entry exactly once, and pending entries are the open ones.
 */
export function fastProof(db: Database.Database, head: FastHead, options: FastVerifyOptions, canUseWorker: boolean): FastReport {
  const itemSize = options.itemSize ?? DEFAULT_ITEM_SIZE;
  const entrySize = options.entrySize ?? DEFAULT_ENTRY_SIZE;
  const job: ScanJob = {
    headSeq: head.seq,
    itemSize,
    chainItems: Math.ceil(head.seq / itemSize),
    entrySize,
    entryItems: Math.ceil(head.entries / entrySize),
    headEntries: head.entries,
    groupSize: GROUP_SIZE,
    groupSql: GROUP_SQL,
    rowSql: ROW_SQL,
    hashSql: HASH_SQL,
    projectionSql: PROJECTION_SQL,
    genesis: GENESIS_HASH,
  };
  const items = job.chainItems + job.entryItems;
  const report = (intact: boolean, workerItems = 0): FastReport => ({ intact, workerItems, items });
  // Nothing outside seq 1..head.seq and ids 1..head.entries; the items cover those ranges.
  const seqs = db.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM audit_chain').get() as { lo: number | null; hi: number | null };
  const ids = db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM audit_entries').get() as { lo: number | null; hi: number | null };
  if (head.seq === 0) return report(seqs.hi === null && ids.hi === null && head.hash === GENESIS_HASH && head.entries === 0);
  if (seqs.lo !== 1 || seqs.hi !== head.seq) return report(false);
  if (head.entries === 0 ? ids.hi !== null : ids.lo !== 1 || ids.hi !== head.entries) return report(false);
  if (db.prepare(HASH_SQL).pluck().get(head.seq) !== head.hash) return report(false);

  const shared = scanBuffer(items);
  const useWorker = canUseWorker && items > 1 && head.seq >= (options.parallelMinRecords ?? DEFAULT_PARALLEL_MIN);
  const worker = useWorker ? startWorker(db, job, shared) : null;
  try {
    const mainItems = worker && options.workerOnly ? 0 : scanChainItems(db, hash, job, shared);
    const totals = collect(shared, job, mainItems, options.workerTimeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS);
    return report(totals.ok && totals.begins === head.entries && totals.completes === totals.completedEntries, totals.workerItems);
  } finally {
    // Stops a worker that is still starting or was left behind by a bad item; a finished one has exited.
    if (worker) void worker.terminate();
  }
}

// The hashing half of the fast verify (verify-fast.ts): checks chain records by seq range,
// in work items that the main thread and one worker thread take turns claiming. The worker
// runs the SOURCE TEXT of scanChainItems (Function.prototype.toString), so the function
// must stay self-contained: no imports, no module-level names, no nested functions
// (a bundler's keepNames could wrap those in a helper the worker does not have).
//
// What it proves for every record in its items, without ever reading 13 columns into JS:
// the record is present (seq contiguous), links to the record before it, hashes to its
// stored hash under the one hash definition (chain.ts), and is a 'begin' of the next entry
// id or a 'complete'. SQLite builds the canonical JSON (json_array) for ordinary rows, 64
// records per round trip; a group that does not prove out that way (a blob, a real SQLite
// prints differently, a real edit) is recomputed record by record from the columns with
// JSON.stringify, as chain.ts defines the hash, before anything is called bad. So a
// representation difference can only cost time, never make a record pass or fail.

/** The subset of better-sqlite3 the scan uses (the worker passes its own connection). */
export interface ScanStatement {
  pluck(): ScanStatement;
  raw(): ScanStatement;
  get(...params: unknown[]): unknown;
}
export interface ScanDb {
  prepare(sql: string): ScanStatement;
}
export type Sha256Hex = (algorithm: string, data: string, outputEncoding: 'hex') => string;

export interface ScanJob {
  headSeq: number;
  /** Chain records per chain work item (the unit the two threads claim). */
  itemSize: number;
  chainItems: number;
  /** Entries per projection work item; projection items follow the chain items. */
  entrySize: number;
  entryItems: number;
  headEntries: number;
  /** Records per SQL round trip inside a chain item. */
  groupSize: number;
  groupSql: string;
  rowSql: string;
  hashSql: string;
  projectionSql: string;
  genesis: string;
}

/** Shared memory: Int32 [next item, abort flag, status per item (0 open, 1 ok, 2 bad)], then Float64 per item [begins, first begin id, completions]. */
export const CTL_NEXT = 0;
export const CTL_ABORT = 1;
export const CTL_SLOTS = 2;
export const NUMS_PER_ITEM = 3;

export function scanViews(shared: SharedArrayBuffer, items: number): { ctl: Int32Array; nums: Float64Array } {
  const intBytes = Math.ceil(((CTL_SLOTS + items) * 4) / 8) * 8;
  return { ctl: new Int32Array(shared, 0, CTL_SLOTS + items), nums: new Float64Array(shared, intBytes, items * NUMS_PER_ITEM) };
}

export function scanBuffer(items: number): SharedArrayBuffer {
  const intBytes = Math.ceil(((CTL_SLOTS + items) * 4) / 8) * 8;
  return new SharedArrayBuffer(intBytes + items * NUMS_PER_ITEM * 8);
}

/**
 * Claims and checks work items until none are left or one is bad. Every claimed item gets a
 * final status, even when something throws, so the other thread never waits for nothing.
 * Chain item: nums = [begins, first begin's entry id, 'complete' records]. Projection item:
 * nums = [0, 0, entries shown completed].
 */
export function scanChainItems(db: ScanDb, sha256: Sha256Hex, job: ScanJob, shared: SharedArrayBuffer): number {
  const items = job.chainItems + job.entryItems;
  const ctl = new Int32Array(shared, 0, 2 + items);
  const nums = new Float64Array(shared, Math.ceil(((2 + items) * 4) / 8) * 8, items * 3);
  let prepared = false;
  let groupStmt: ScanStatement | null = null;
  let rowStmt: ScanStatement | null = null;
  let hashStmt: ScanStatement | null = null;
  let projectionStmt: ScanStatement | null = null;
  let done = 0;
  for (;;) {
    if (Atomics.load(ctl, 1) !== 0) break;
    const item = Atomics.add(ctl, 0, 1);
    if (item >= items) break;
    let ok: boolean;
    let begins = 0;
    let firstBegin = 0;
    let completes = 0;
    try {
      if (!prepared) {
        prepared = true;
        groupStmt = db.prepare(job.groupSql).raw();
        rowStmt = db.prepare(job.rowSql).raw();
        hashStmt = db.prepare(job.hashSql).pluck();
        projectionStmt = db.prepare(job.projectionSql).raw();
      }
      if (item >= job.chainItems) {
        // Entries lo..hi against their chain records; ids are unique, so a full count means all present.
        const lo = 1 + (item - job.chainItems) * job.entrySize;
        const hi = Math.min(job.headEntries, lo + job.entrySize - 1);
        const r = projectionStmt!.get(lo, hi) as [number, number, number];
        ok = r[0] === hi - lo + 1 && r[2] === 0;
        completes = r[1];
      } else {
        const from = 1 + item * job.itemSize;
        const to = Math.min(job.headSeq, from + job.itemSize - 1);
        let prev = from === 1 ? job.genesis : (hashStmt!.get(from - 1) as unknown);
        let next = 0;
        ok = typeof prev === 'string' && prev.length === 64;
        for (let lo = from; ok && lo <= to; lo += job.groupSize) {
          const n = Math.min(to, lo + job.groupSize - 1) - lo + 1;
          const group = groupStmt!.get(lo, lo + n - 1) as [number, string | null, string | null, string | null];
          if (group[0] !== n) {
            ok = false;
            break;
          }
          // Pass 1, the usual one: hash SQLite's JSON of each record, then compare all the
          // group's hashes and prev_hashes at once. Each list is joined by "\x1e", which no
          // JSON and no hex digest contains, so equal lists mean equal values one by one.
          const jsons = group[1];
          const parts = typeof jsons === 'string' ? jsons.split('\x1e') : [];
          let fast = parts.length === n && typeof group[2] === 'string' && typeof group[3] === 'string';
          let digest = prev as string;
          const digests: string[] = [];
          let groupNext = next;
          let groupFirst = 0;
          let groupBegins = 0;
          let groupCompletes = 0;
          for (let k = 0; fast && k < n; k++) {
            const part = parts[k]!;
            const seqText = String(lo + k);
            const at = 2 + seqText.length;
            if (!part.startsWith(seqText, 1) || part.charCodeAt(at - 1) !== 44) {
              fast = false;
            } else if (part.startsWith('"begin",', at)) {
              // The entry id as JSON writes a whole number: digits, no leading zero.
              let p = at + 8;
              let entry = 0;
              while (p < part.length && part.charCodeAt(p) >= 48 && part.charCodeAt(p) <= 57 && entry < 1e15) entry = entry * 10 + part.charCodeAt(p++) - 48;
              if (p === at + 8 || part.charCodeAt(p) !== 44 || part.charCodeAt(at + 8) === 48 || entry < 1 || (groupNext !== 0 && entry !== groupNext)) {
                fast = false;
              } else {
                if (groupNext === 0) groupFirst = entry;
                groupNext = entry + 1;
                groupBegins += 1;
              }
            } else if (part.startsWith('"complete",', at)) {
              groupCompletes += 1;
            } else {
              fast = false;
            }
            digest = sha256('sha256', `${digest}\n${part}`, 'hex');
            digests.push(digest);
          }
          if (fast) {
            const hashes = digests.join('\x1e');
            fast = group[2] === hashes && group[3] === (n > 1 ? `${prev as string}\x1e${hashes.slice(0, hashes.length - 65)}` : prev);
          }
          if (fast) {
            if (next === 0 && groupBegins > 0) firstBegin = groupFirst;
            next = groupNext;
            begins += groupBegins;
            completes += groupCompletes;
            prev = digest;
            continue;
          }
          // Pass 2, only for a group pass 1 could not prove: record by record from the
          // columns, exactly as chain.ts defines the hash.
          for (let k = 0; k < n; k++) {
            const row = rowStmt!.get(lo + k) as unknown[] | undefined;
            if (!row || row.length !== 15 || row[13] !== prev) {
              ok = false;
              break;
            }
            const values = row.slice(0, 13);
            let plain = true;
            for (let v = 0; v < values.length; v++) if (values[v] !== null && typeof values[v] === 'object') plain = false;
            const stored = row[14];
            if (!plain || typeof stored !== 'string' || sha256('sha256', `${prev as string}\n${JSON.stringify(values)}`, 'hex') !== stored) {
              ok = false;
              break;
            }
            if (values[1] === 'begin') {
              const entry = values[2];
              if (typeof entry !== 'number' || !Number.isSafeInteger(entry) || entry < 1 || (next !== 0 && entry !== next)) {
                ok = false;
                break;
              }
              if (next === 0) firstBegin = entry;
              next = entry + 1;
              begins += 1;
            } else if (values[1] === 'complete') {
              completes += 1;
            } else {
              ok = false;
              break;
            }
            prev = stored;
          }
        }
      }
    } catch {
      ok = false;
    }
    nums[item * 3] = begins;
    nums[item * 3 + 1] = firstBegin;
    nums[item * 3 + 2] = completes;
    Atomics.store(ctl, 2 + item, ok ? 1 : 2);
    Atomics.notify(ctl, 2 + item);
    done += 1;
    if (!ok) {
      Atomics.store(ctl, 1, 1);
      break;
    }
  }
  return done;
}

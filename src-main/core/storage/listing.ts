// A snapshot's listing of one bucket. Three things keep it off the snapshot's critical path (an
// incremental run is about as long as its listing; the storage bench):
// - it reads ahead: each page's objects are queued and the next page is asked for at once, so
//   the work on one page (links, size checks, the start call's catalog row and audit entry)
//   runs while the store answers the next, instead of before it is asked;
// - the start call's check of the key and the bucket IS the listing's first page (`firstPage`),
//   not a request of its own, and the job goes on from it;
// - an incremental run splits it in ranges at keys of the previous snapshot (`split`) and lists
//   them at once: range i is every key after split key i up to split key i+1, read from a
//   ListObjectsV2 with StartAfter until it passes its end, so keys added or removed anywhere
//   are still found. The ranges are handed over in order (the manifest reads as a plain
//   listing would), and each boundary is checked: the key at which range i stopped must be the
//   first key range i+1 listed, in S3's order (UTF-8 bytes). A store that sorts otherwise, or
//   a key written at a boundary while it was listed, fails that check and the bucket is listed
//   again from the start (keys already taken are not taken twice): slower, never a missed key.
import { setMaxListeners } from 'node:events';
import type { ObjectInfo, ObjectStore } from '../platform/objectstore';

/** Ranges listed at once; the next starts as one finishes (a bucket of 200,000 keys is 211 ranges). */
export const RANGES_AT_ONCE = 8;

/** S3's order of keys: their UTF-8 bytes (JavaScript's `<` compares UTF-16 units, which differs past U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Keys of the previous snapshot per range: a little under a page, so a range that gained a
 * few keys still ends inside its first page, which then also holds the key after its end.
 */
export function rangeSize(pageSize = 1000): number {
  return Math.max(1, pageSize - Math.max(1, Math.floor(pageSize / 20)));
}

/** Every `every`th of `keys` in S3's order, short of the last: where the ranges end. */
export function splitPoints(keys: readonly string[], every: number): string[] {
  const sorted = keys.map((k) => ({ k, b: Buffer.from(k, 'utf8') })).sort((x, y) => Buffer.compare(x.b, y.b));
  const points: string[] = [];
  for (let i = every - 1; i < sorted.length - 1; i += every) points.push(sorted[i]!.k);
  return points;
}

interface Range {
  /** Keys after this one (null: from the first). */
  after: string | null;
  /** Up to this one, included (null: to the last). Range 0's is set by split(), maybe while it runs. */
  until: string | null;
  /** Listed, not handed over yet. */
  items: ObjectInfo[];
  first: string | null;
  last: string | null;
  /** The first key past `until` it saw, where it stopped (null: it reached the end). */
  past: string | null;
  finished: boolean;
  done: Promise<void>;
}

export class BucketListing {
  private readonly ranges: Range[] = [];
  /** The range being handed over; the ones after it wait for it to finish. */
  private current = 0;
  /** Keys handed over: a listing done again after a failed boundary check skips them. */
  private readonly seen = new Set<string>();
  /** A range listed keys out of S3's order (or before its start): the boundaries cannot be trusted. */
  private disordered = false;
  private splitDone = false;
  /** Ranges not started yet (at most RANGES_AT_ONCE run), in key order. */
  private readonly pending: Array<[after: string, until: string | null]> = [];
  private running = 0;
  private consumer: ((info: ObjectInfo) => void) | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private readonly abort = new AbortController();
  /** The consumer's failure (thrown on a later turn of the event loop, it is readAll's to report). */
  private failure: unknown = null;
  /** The first range's failure (the others were aborted because of it). */
  private listFailure: unknown = null;
  private firstArrived: () => void = () => undefined;
  /** Settles when the first page has arrived (or the bucket is empty); rejects as the listing does. */
  readonly firstPage: Promise<void>;
  /** Settles when the last page has arrived; rejects with the listing's failure. */
  readonly done: Promise<void>;
  /** Ranges listed at once (1 when not split), and whether the boundary check sent it back to a plain listing. */
  readonly stats = { ranges: 1, relisted: false };

  constructor(
    private readonly store: ObjectStore,
    readonly bucket: string,
    private readonly pageSize?: number,
  ) {
    // One listener per range's request in flight.
    setMaxListeners(RANGES_AT_ONCE + 4, this.abort.signal);
    const arrived = new Promise<void>((resolve) => (this.firstArrived = resolve));
    const first = this.startRange(null, null);
    this.done = this.complete(first);
    // Whoever awaits firstPage or done sees the failure; neither is left unhandled meanwhile.
    this.firstPage = Promise.race([arrived, first.done]);
    this.firstPage.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  /**
   * Lists the rest in ranges at `previousKeys` (the previous snapshot's keys of this bucket),
   * at once. Once only, and only while the first range has not finished; split keys it has
   * already passed are dropped.
   */
  split(previousKeys: readonly string[]): void {
    const first = this.ranges[0]!;
    if (this.splitDone || first.finished || this.abort.signal.aborted) return;
    this.splitDone = true;
    const reached = first.last;
    const points = splitPoints(previousKeys, rangeSize(this.pageSize)).filter((p) => reached === null || compareKeys(p, reached) > 0);
    if (points.length === 0) return;
    first.until = points[0]!;
    points.forEach((p, i) => this.pending.push([p, points[i + 1] ?? null]));
    this.stats.ranges = 1 + points.length;
    this.startPending();
  }

  /** Hands every object, in listing order, to `take`, until the listing ends; `signal` stops it. */
  async readAll(take: (info: ObjectInfo) => void, signal: AbortSignal): Promise<void> {
    const stop = () => this.close();
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    this.consumer = take;
    try {
      this.drain();
      await this.done.catch((err: unknown) => {
        throw this.failure ?? err;
      });
      this.drain();
      if (this.failure !== null) throw this.failure;
    } finally {
      signal.removeEventListener('abort', stop);
      this.consumer = null;
    }
  }

  /** Stops the listing (a failure elsewhere, or a call that will start no job). */
  close(): void {
    this.abort.abort();
    for (const r of this.ranges) r.items.length = 0;
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
  }

  private startRange(after: string | null, until: string | null): Range {
    const range: Range = { after, until, items: [], first: null, last: null, past: null, finished: false, done: Promise.resolve() };
    const isFirst = this.ranges.length === 0;
    this.ranges.push(range);
    this.running++;
    range.done = (async () => {
      try {
        for await (const info of this.store.listObjects(this.bucket, '', this.abort.signal, this.pageSize, after ?? undefined)) {
          const bound = range.last ?? range.after;
          if (bound !== null && compareKeys(info.key, bound) <= 0) this.disordered = true;
          if (range.until !== null && compareKeys(info.key, range.until) > 0) {
            range.past = info.key;
            break;
          }
          range.first ??= info.key;
          range.last = info.key;
          range.items.push(info);
          if (isFirst) this.firstArrived();
          // Handed over on the next turn of the event loop, by which time the next page is asked for.
          this.schedule();
        }
        // An empty bucket (or range) has arrived too; a failure is firstPage's rejection, not this.
        if (isFirst) this.firstArrived();
      } catch (err) {
        this.listFailure ??= err;
        this.abort.abort();
        throw err;
      } finally {
        range.finished = true;
        this.running--;
        // Before this range's promise settles, so whoever awaits it finds the next one started.
        this.startPending();
        this.schedule();
      }
    })();
    range.done.catch(() => undefined);
    return range;
  }

  private startPending(): void {
    while (this.running < RANGES_AT_ONCE && this.pending.length > 0 && !this.abort.signal.aborted) {
      const [after, until] = this.pending.shift()!;
      this.startRange(after, until);
    }
  }

  /** Every range to its end, the boundaries checked, and the plain listing again when one fails. */
  private async complete(first: Range): Promise<void> {
    try {
      await first.done;
      // split() adds ranges only while the first one runs; each range that ends starts the next
      // pending one before it settles, so the list is whole once the last one is reached.
      for (let i = 0; i < this.ranges.length; i++) await this.ranges[i]!.done;
      const broken = this.ranges.slice(0, -1).some((r, i) => r.past !== null && r.past !== this.ranges[i + 1]!.first);
      if (this.ranges.length > 1 && (broken || this.disordered)) {
        this.stats.relisted = true;
        await this.startRange(null, null).done;
      }
    } catch (err) {
      throw this.listFailure ?? err;
    }
  }

  private schedule(): void {
    if (this.consumer !== null) this.scheduled ??= setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = null;
    if (this.consumer === null || this.abort.signal.aborted) return;
    try {
      while (this.current < this.ranges.length) {
        const range = this.ranges[this.current]!;
        for (const info of range.items.splice(0)) {
          if (this.seen.has(info.key)) continue;
          this.seen.add(info.key);
          this.consumer(info);
        }
        if (!range.finished) break;
        this.current++;
      }
    } catch (err) {
      this.failure ??= err;
      this.close();
    }
  }
}

/** The previous snapshot's keys of one bucket (for BucketListing.split). */
export function previousKeys(manifest: { objects: ReadonlyArray<{ bucket: string; key: string }> } | undefined, bucket: string): string[] {
  return (manifest?.objects ?? []).filter((o) => o.bucket === bucket).map((o) => o.key);
}

/** Every object of `buckets`, in order, to `take`: from the listings already under way, else new ones, split at `previous`'s keys when given. */
export async function readListings(
  store: ObjectStore,
  buckets: string[],
  started: readonly BucketListing[],
  take: (info: ObjectInfo, bucket: string) => void,
  signal: AbortSignal,
  pageSize?: number,
  previous?: { objects: ReadonlyArray<{ bucket: string; key: string }> },
): Promise<void> {
  const unused = [...started];
  // Each begun listing is read once (a bucket named twice is listed twice, as before).
  const listings = buckets.map((b) => {
    const at = unused.findIndex((l) => l.bucket === b);
    return at < 0 ? null : unused.splice(at, 1)[0]!;
  });
  try {
    for (const [i, bucket] of buckets.entries()) {
      const listing = (listings[i] ??= new BucketListing(store, bucket, pageSize));
      if (previous) listing.split(previousKeys(previous, bucket));
      await listing.readAll((info) => take(info, bucket), signal);
    }
  } finally {
    // After a failure, the listings not reached yet stop too.
    for (const l of [...listings, ...unused]) l?.close();
  }
}

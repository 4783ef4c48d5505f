// A snapshot's listing of one bucket. Two things keep it off the snapshot's critical path (an
// incremental run is about as long as its listing; the storage bench):
// - it reads ahead: the next page is asked for as soon as a page arrives (listObjects'
//   readAhead), before its objects are queued, so the work on one page (links, size checks,
//   the start call's catalog row and audit entry) runs while the store answers the next;
// - the start call's check of the key and the bucket IS the listing's first page (`firstPage`),
//   not a request of its own, and the job goes on from it.
import type { ObjectInfo, ObjectStore } from '../platform/objectstore';

export class BucketListing {
  private readonly queue: ObjectInfo[] = [];
  private consumer: ((info: ObjectInfo) => void) | null = null;
  private scheduled: NodeJS.Immediate | null = null;
  private readonly abort = new AbortController();
  /** The consumer's failure (thrown on a later turn of the event loop, it is readAll's to report). */
  private failure: unknown = null;
  private firstArrived: () => void = () => undefined;
  /** Settles when the first page has arrived (or the bucket is empty); rejects as the listing does. */
  readonly firstPage: Promise<void>;
  /** Settles when the last page has arrived; rejects with the listing's failure. */
  readonly done: Promise<void>;

  constructor(
    store: ObjectStore,
    readonly bucket: string,
    pageSize?: number,
  ) {
    // Settles a turn of the event loop after the first page: by then the next page is asked for
    // (readAhead), so what the start call does next (the job's fsynced catalog row and audit
    // entry) runs while the store answers it, not before the request is sent.
    const arrived = new Promise<void>(
      (resolve) =>
        (this.firstArrived = () => {
          this.firstArrived = () => undefined;
          setImmediate(resolve);
        }),
    );
    this.done = (async () => {
      for await (const info of store.listObjects(bucket, '', this.abort.signal, pageSize, true)) {
        this.queue.push(info);
        this.firstArrived();
        // Handed over on the next turn of the event loop, by which time the next page is asked for.
        if (this.consumer !== null) this.scheduled ??= setImmediate(() => this.drain());
      }
      this.firstArrived();
    })();
    // Whoever awaits firstPage or done sees the failure; neither is left unhandled meanwhile.
    this.firstPage = Promise.race([arrived, this.done]);
    this.firstPage.catch(() => undefined);
    this.done.catch(() => undefined);
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
    this.queue.length = 0;
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
  }

  private drain(): void {
    this.scheduled = null;
    if (this.consumer === null || this.abort.signal.aborted) return;
    try {
      for (const info of this.queue.splice(0)) this.consumer(info);
    } catch (err) {
      this.failure ??= err;
      this.close();
    }
  }
}

/** Every object of `buckets`, in order, to `take`: from the listings already under way, else new ones. */
export async function readListings(
  store: ObjectStore,
  buckets: string[],
  started: readonly BucketListing[],
  take: (info: ObjectInfo, bucket: string) => void,
  signal: AbortSignal,
  pageSize?: number,
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
      await listing.readAll((info) => take(info, bucket), signal);
    }
  } finally {
    // After a failure, the listings not reached yet stop too.
    for (const l of [...listings, ...unused]) l?.close();
  }
}

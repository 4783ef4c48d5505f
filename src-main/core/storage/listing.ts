// A snapshot's listing of its buckets. Two things keep it off the snapshot's critical path
// (an incremental run is about as long as its listing; the storage bench):
// - the start call's check of the key and the bucket IS the listing's first page (primeListing),
//   not a request of its own, and the job goes on from it;
// - the listing is read ahead: each page's objects are queued and the next page is asked
//   for at once, so the work on one page (links, size checks) runs while the store answers
//   the next instead of before it is asked.
import type { ObjectInfo, ObjectStore } from '../platform/objectstore';

/** A bucket's listing whose first page has been fetched (the check that the key may list it). */
export interface PrimedListing {
  bucket: string;
  first: IteratorResult<ObjectInfo>;
  rest: AsyncGenerator<ObjectInfo>;
  /** Aborts the listing's page requests (the job's halt, or the call's failure). */
  abort: AbortController;
}

/** Fetches the first page of `bucket`: a refused key or a missing bucket fails here, as the call's error. */
export async function primeListing(store: ObjectStore, bucket: string): Promise<PrimedListing> {
  const abort = new AbortController();
  const rest = store.listObjects(bucket, '', abort.signal);
  const first = await rest.next();
  return { bucket, first, rest, abort };
}

/** Ends primed listings no job will read (the call failed after priming them). */
export function closeListings(primed: Iterable<PrimedListing>): void {
  for (const p of primed) {
    p.abort.abort();
    void p.rest.return(undefined).catch(() => undefined);
  }
}

/**
 * Every object of `buckets`, handed to `take` in listing order, a page's worth at a time on
 * the next turn of the event loop, by which time the request for the next page has been sent.
 * A primed bucket goes on from its first page; `signal` aborts the listing.
 */
export async function readListing(
  store: ObjectStore,
  buckets: string[],
  primed: ReadonlyMap<string, PrimedListing>,
  take: (info: ObjectInfo, bucket: string) => void,
  signal: AbortSignal,
  pageSize?: number,
): Promise<void> {
  const queue: Array<[ObjectInfo, string]> = [];
  let scheduled: NodeJS.Immediate | null = null;
  const drain = () => {
    scheduled = null;
    // After a failure nothing more is taken: the partial folder is about to be removed.
    if (signal.aborted) return void (queue.length = 0);
    for (const [info, bucket] of queue.splice(0)) take(info, bucket);
  };
  const push = (info: ObjectInfo, bucket: string) => {
    queue.push([info, bucket]);
    scheduled ??= setImmediate(drain);
  };
  try {
    for (const bucket of buckets) {
      const p = primed.get(bucket);
      if (p) {
        const stop = () => p.abort.abort();
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
        if (!p.first.done) push(p.first.value, bucket);
      }
      for await (const info of p ? p.rest : store.listObjects(bucket, '', signal, pageSize)) push(info, bucket);
    }
  } finally {
    if (scheduled !== null) clearImmediate(scheduled);
    // After a failure the primed listings not reached yet are ended too (a finished one is left as it is).
    closeListings(primed.values());
  }
  drain();
}

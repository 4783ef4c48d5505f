// What a process that died mid-copy left behind (start-up). Its running copy rows are failed
// (copies.ts markInterrupted: only rows whose owner process is gone). A copy made from a local
// file keeps its resume log, so a retry sends only the missing parts: nothing is aborted for
// it. A direct one (a backup or a storage snapshot written straight offsite) cannot resume —
// a stream cannot be read twice — so its unfinished multipart uploads are aborted, best
// effort and in the background (the destination may be unreachable now; the store then
// expires them by its own lifecycle rules), and a storage snapshot's temporary objects are
// removed. Each is audited (offsite.copy.interrupted) with what was done or why not.
import type { BackupCopy } from '../../contract/offsite';
import type { CoreDeps } from '../platform/kernel/deps';
import { followOn, ObjectStore } from '../platform/objectstore';
import type { CopyRepo } from './copies';
import type { DestinationRepo } from './destinations';
import { objectsPrefixOf } from './snapshot-copy';

/** Where a direct copy's unfinished uploads are: the dump's key, or the snapshot run's temporary prefix. */
export function unfinishedPrefixOf(copy: Pick<BackupCopy, 'kind' | 'key' | 'backupId'>): string {
  return copy.kind === 'storage' ? `${objectsPrefixOf(copy.key)}tmp/${copy.backupId}/` : copy.key;
}

export async function abortUploads(store: ObjectStore, bucket: string, prefix: string, signal: AbortSignal): Promise<number> {
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  /** Markers already followed: a store that hands one out twice would be listed for ever. */
  const followed = new Set<string>();
  do {
    let page;
    try {
      const { client, sdk } = await store.s3();
      page = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }), {
        abortSignal: signal,
      });
    } catch (err) {
      throw store.fail(err, signal, { bucket }, 'listing unfinished uploads');
    }
    for (const u of page.Uploads ?? []) {
      if (u.Key === undefined || u.UploadId === undefined || !u.Key.startsWith(prefix)) continue;
      try {
        const { client, sdk } = await store.s3();
        await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }), { abortSignal: signal });
      } catch (err) {
        throw store.fail(err, signal, { bucket }, 'aborting an unfinished upload');
      }
      aborted++;
    }
    // The two markers go on together; followed as one, so a repeated pair is caught.
    const next = followOn(
      followed,
      page.IsTruncated,
      page.NextKeyMarker && `${page.NextKeyMarker}\u0000${page.NextUploadIdMarker ?? ''}`,
      { endpoint: store.endpoint, bucket },
      { listing: 'list of unfinished uploads', items: 'uploads', token: 'marker', sameToken: 'marker' },
    );
    keyMarker = next === undefined ? undefined : page.NextKeyMarker;
    uploadIdMarker = next === undefined ? undefined : page.NextUploadIdMarker;
  } while (keyMarker !== undefined);
  return aborted;
}

/** A storage snapshot's big objects wait under its temporary prefix (nothing names them): removed. */
async function removeTemporaries(store: ObjectStore, bucket: string, prefix: string, signal: AbortSignal): Promise<number> {
  if (!prefix.endsWith('/')) return 0;
  let removed = 0;
  for await (const o of store.listObjects(bucket, prefix, signal)) {
    await store.remove(bucket, o.key, signal);
    removed++;
  }
  return removed;
}

/** Fails the dead processes' running copy rows now; cleans up after the direct ones in the background (the promise). */
export function sweepInterruptedCopies(
  deps: Pick<CoreDeps, 'audit' | 'actor' | 'store'>,
  repos: { destinations: DestinationRepo; copies: CopyRepo },
  signal: AbortSignal,
): Promise<void> {
  const marked = repos.copies.markInterrupted();
  const direct = marked.filter((c) => c.direct === true);
  return (async () => {
    for (const copy of direct) {
      const started = Date.now();
      const prefix = unfinishedPrefixOf(copy);
      const auditId = deps.audit.begin({
        actor: deps.actor,
        action: 'offsite.copy.interrupted',
        profile: null,
        summary: `${copy.kind === 'storage' ? 'storage snapshot' : 'backup'} ${copy.backupId} written straight to ${copy.destination} was interrupted (the app stopped): its copy row failed; aborting its unfinished upload under ${prefix}`,
        detail: null,
      });
      let store: ObjectStore | null = null;
      let removed = 0;
      try {
        const d = repos.destinations.get(copy.destinationId);
        store = new ObjectStore({ ...repos.destinations.storeConfig(d), retryDelayMs: 50 });
        removed = await removeTemporaries(store, d.bucket, prefix, signal);
        const aborted = await abortUploads(store, d.bucket, prefix, signal);
        deps.audit.complete(auditId, {
          outcome: 'ok',
          durationMs: Date.now() - started,
          summary: `interrupted copy ${copy.id} on ${copy.destination}: ${removed} temporary object(s) removed, ${aborted} unfinished upload(s) aborted; nothing was published`,
        });
      } catch (err) {
        deps.audit.complete(auditId, {
          outcome: 'error',
          durationMs: Date.now() - started,
          error: `interrupted copy ${copy.id} on ${copy.destination}: ${removed} temporary object(s) removed, but its unfinished upload could not be aborted (the destination expires it by its own lifecycle rules): ${err instanceof Error ? err.message : String(err)}`,
        });
      } finally {
        store?.destroy();
      }
    }
  })();
}

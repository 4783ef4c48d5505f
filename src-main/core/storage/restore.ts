// A storage snapshot restored into a profile's buckets (issue #18). The plan comes from a
// HEAD of every object in the target: absent → create, another size or ETag → overwrite,
// the same → unchanged (not uploaded again). The snapshot's files are verified before the
// first upload (a tampered snapshot writes nothing), each file is hashed again as it is read
// for its upload, and every restored object is read back afterwards (HEAD + a fresh download
// hashed against the manifest), since a 200 from PUT says nothing about what the store kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { OpsError } from '../../contract/errors';
import type {
  StorageManifest,
  StorageManifestObject,
  StorageRestoreAction,
  StorageRestorePreview,
  StorageRestoreProgressEvent,
  StorageRestoreResult,
} from '../../contract/storage';
import { filePartSource, partSizeFor, uploadMultipart, type ObjectStore, type PartSource } from '../platform/objectstore';
import { objectPath } from './paths';
import { NO_RULES, refusalOf, skipOf, type TargetRules } from './target-rules';

/** Objects from this size up go as a multipart upload (and their target ETag is of that form). */
export const MULTIPART_FROM = 8 * 1024 * 1024;
const OVERWRITTEN_LISTED = 200;
const PARALLEL = 4;

export interface RestoreItem {
  source: StorageManifestObject;
  bucket: string;
  action: StorageRestoreAction;
  /** Why the target will refuse it (target-rules.ts): then it is not uploaded, and the restore's validation fails naming it. */
  refusal: string | null;
  /** Why it is left out with nothing lost (a folder marker the target has no place for): noted, not a failure. */
  skipped: string | null;
}

export interface RestoreOptions {
  bucket?: string;
  keys?: string[];
  /** By the snapshot's bucket and key; with `keys` too, an object must be picked by both. */
  objects?: Array<{ bucket: string; key: string }>;
  signal?: AbortSignal;
  /** What the target buckets refuse (Supabase Storage's rules); none by default. */
  rules?: TargetRules;
}

/** The manifest's objects the request picks, each with its target bucket; a key twice in one target is refused. */
export function selectObjects(manifest: StorageManifest, options: RestoreOptions): Array<{ source: StorageManifestObject; bucket: string }> {
  const keys = options.keys ? new Set(options.keys) : null;
  const objects = options.objects ? new Set(options.objects.map((o) => `${o.bucket}\u0000${o.key}`)) : null;
  const picked = manifest.objects
    .filter((o) => (keys === null || keys.has(o.key)) && (objects === null || objects.has(`${o.bucket}\u0000${o.key}`)))
    .map((o) => ({ source: o, bucket: options.bucket ?? o.bucket }));
  const asked = keys?.size ?? objects?.size;
  if (asked !== undefined && picked.length === 0) throw new OpsError('NOT_FOUND', `None of the ${asked} chosen object(s) is in the snapshot.`);
  const seen = new Set<string>();
  for (const p of picked) {
    const id = `${p.bucket}\u0000${p.source.key}`;
    // Two source buckets into one target bucket: which copy should win is not ours to guess.
    if (seen.has(id))
      throw new OpsError('INVALID_INPUT', `${p.source.key} is in more than one bucket of the snapshot: restore them into their own buckets, or pick keys.`, {
        field: 'bucket',
      });
    seen.add(id);
  }
  return picked;
}

/**
 * `run` over `items`, PARALLEL at a time. The first failure stops the rest: no worker takes
 * another item, and the items in flight are aborted through the signal `run` gets (so a dead
 * server fails the call at once rather than after every other transfer's retries). That
 * first failure is thrown once every running item has settled, so what a caller counts as
 * done (the objects written) is final when this rejects.
 */
async function pool<T>(items: T[], run: (item: T, signal: AbortSignal) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const inner = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  let first: { error: unknown } | null = null;
  const worker = async () => {
    while (first === null && next < items.length) {
      signal?.throwIfAborted();
      try {
        await run(items[next++]!, inner);
      } catch (err) {
        first ??= { error: err };
        stop.abort();
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  // (Set inside the workers: control flow analysis would take it for still null here.)
  const failure = first as { error: unknown } | null;
  if (failure !== null) throw failure.error;
  signal?.throwIfAborted();
}

/**
 * The ETag our own upload of `file` gets: its md5 under MULTIPART_FROM, else S3's multipart
 * form (md5 of the parts' md5s, `-N`) with the part size we upload with. A target restored
 * earlier by us then counts as unchanged even when the source's ETag had another form.
 */
async function uploadEtag(file: string, size: number): Promise<string> {
  const partBytes = size < MULTIPART_FROM ? size || 1 : partSizeFor(size);
  const parts: Buffer[] = [];
  let part = crypto.createHash('md5');
  let inPart = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(partBytes - inPart, chunk.length - at);
      part.update(chunk.subarray(at, at + take));
      inPart += take;
      at += take;
      if (inPart === partBytes) {
        parts.push(part.digest());
        part = crypto.createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || parts.length === 0) parts.push(part.digest());
  if (size < MULTIPART_FROM) return parts[0]!.toString('hex');
  return `${crypto.createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
}

/** HEAD of every picked object in its target: create / overwrite / unchanged. Target buckets must exist. */
export async function planRestore(store: ObjectStore, folder: string, manifest: StorageManifest, options: RestoreOptions): Promise<RestoreItem[]> {
  const picked = selectObjects(manifest, options);
  for (const bucket of new Set(picked.map((p) => p.bucket))) await store.checkBucket(bucket, options.signal);
  const rules = options.rules ?? NO_RULES;
  const items: RestoreItem[] = picked.map((p) => {
    const type = p.source.contentType || null;
    // What upload() sends: a single PUT without a type goes as application/octet-stream, a multipart upload with none.
    const sent = p.source.size < MULTIPART_FROM ? (type ?? 'application/octet-stream') : type;
    const skipped = skipOf(rules, p.source.key, p.source.size);
    return { ...p, action: 'create', skipped, refusal: skipped === null ? refusalOf(rules, p.bucket, p.source.key, p.source.size, sent) : null };
  });
  await pool(
    items.filter((i) => i.skipped === null),
    async (item, signal) => {
      const there = await store.head(item.bucket, item.source.key, signal);
      if (there === null) return;
      item.action = 'overwrite';
      if (there.size !== item.source.size) return;
      if (there.etag === item.source.etag) item.action = 'unchanged';
      else if (there.etag === (await uploadEtag(objectPath(folder, item.source.file), item.source.size))) item.action = 'unchanged';
      // Already there as it is in the snapshot: nothing to upload, so nothing for the target to refuse.
      if (item.action === 'unchanged') item.refusal = null;
    },
    options.signal,
  );
  return items;
}

/** The objects a restore uploads: not unchanged, not refused by the target, not skipped. */
export function toUpload(items: RestoreItem[]): RestoreItem[] {
  return items.filter((i) => i.action !== 'unchanged' && i.refusal === null && i.skipped === null);
}

/** `bucket/key: why` of the items `why` picks. */
function namesWhy(items: RestoreItem[], why: (i: RestoreItem) => string | null): string[] {
  return items.flatMap((i) => {
    const w = why(i);
    return w === null ? [] : [`${i.bucket}/${i.source.key}: ${w}`];
  });
}

export function previewOf(items: RestoreItem[], target: string, bucket: string | null, rulesNote: string | null = null): StorageRestorePreview {
  const accepted = items.filter((i) => i.refusal === null && i.skipped === null);
  const count = (a: StorageRestoreAction) => accepted.filter((i) => i.action === a).length;
  const refused = namesWhy(items, (i) => i.refusal);
  const skipped = namesWhy(items, (i) => i.skipped);
  return {
    target,
    bucket,
    buckets: [...new Set(items.map((i) => i.bucket))].sort(),
    objects: items.length,
    create: count('create'),
    overwrite: count('overwrite'),
    unchanged: count('unchanged'),
    bytes: toUpload(items).reduce((sum, i) => sum + i.source.size, 0),
    overwritten: accepted
      .filter((i) => i.action === 'overwrite')
      .slice(0, OVERWRITTEN_LISTED)
      .map((i) => `${i.bucket}/${i.source.key}`),
    refused: refused.length,
    refusedObjects: refused.slice(0, OVERWRITTEN_LISTED),
    skipped: skipped.length,
    skippedObjects: skipped.slice(0, OVERWRITTEN_LISTED),
    rulesNote,
  };
}

function tampered(item: RestoreItem, endpoint: string): OpsError {
  return new OpsError('STORAGE_FAILED', `The snapshot file of ${item.source.bucket}/${item.source.key} no longer has the manifest's sha256: not uploaded.`, {
    reason: 'integrity',
    endpoint,
    bucket: item.bucket,
    key: item.source.key,
  });
}

/** Parts read in order are hashed; when the last one is read the whole must be the manifest's sha256, else the upload fails before it completes. */
function hashingSource(inner: PartSource, sha256: string, fail: () => OpsError): PartSource {
  const hash = crypto.createHash('sha256');
  let next = 0;
  return {
    ...inner,
    async readPart(index) {
      const part = await inner.readPart(index);
      if (index === next) {
        hash.update(part);
        next++;
        if (next === inner.partCount && hash.digest('hex') !== sha256) throw fail();
      }
      return part;
    },
  };
}

async function upload(store: ObjectStore, folder: string, item: RestoreItem, signal: AbortSignal | undefined, onBytes: (delta: number) => void): Promise<void> {
  const file = objectPath(folder, item.source.file);
  const contentType = item.source.contentType ?? undefined;
  if (item.source.size < MULTIPART_FROM) {
    const body = await fs.promises.readFile(file);
    if (crypto.createHash('sha256').update(body).digest('hex') !== item.source.sha256) throw tampered(item, store.endpoint);
    await store.putBody(item.bucket, item.source.key, body, { ...(contentType ? { contentType } : {}), ...(signal ? { signal } : {}) });
    onBytes(body.length);
    return;
  }
  // One part at a time, so the parts are read (and hashed) in order.
  const source = hashingSource(filePartSource(file, partSizeFor(item.source.size)), item.source.sha256, () => tampered(item, store.endpoint));
  await uploadMultipart(store, item.bucket, item.source.key, source, {
    concurrency: 1,
    onBytes,
    ...(contentType ? { contentType } : {}),
    ...(signal ? { signal } : {}),
  });
}

export type RestorePhase = StorageRestoreProgressEvent['phase'];
export type RestoreProgress = Omit<StorageRestoreProgressEvent, 'type' | 'jobId' | 'etaSeconds'>;

/** `a/x, b/y and 3 more`: the objects a message names, cut at 20. */
export function nameList(names: string[]): string {
  return names.slice(0, 20).join(', ') + (names.length > 20 ? ` and ${names.length - 20} more` : '');
}

/**
 * A restore that stopped part-way (a failure or a cancel): the original code and detail, the
 * message saying which objects had already been written to the target (they stay there:
 * S3 has no transaction to roll back, and each of them is whole).
 */
function stoppedPartWay(err: unknown, written: string[], total: number, signal: AbortSignal | undefined, cancelReason: () => string | null): OpsError {
  const what =
    written.length === 0
      ? `nothing was written (0 of ${total} objects)`
      : `${written.length} of ${total} objects were written before it stopped: ${nameList(written)}`;
  if (signal?.aborted || (err instanceof OpsError && err.code === 'CANCELLED'))
    return new OpsError('CANCELLED', `Storage restore stopped (${cancelReason() ?? 'cancelled'}); ${what}.`);
  // The same code and detail (the endpoint, the reason), the message completed.
  if (err instanceof OpsError) return new OpsError(err.code, `${err.message} The restore stopped; ${what}.`, err.detail as never);
  return new OpsError('IO_FAILED', `${err instanceof Error ? err.message : String(err)} The restore stopped; ${what}.`);
}

/** Uploads create + overwrite items, then reads every one back. */
export async function runRestore(
  store: ObjectStore,
  folder: string,
  items: RestoreItem[],
  info: {
    target: string;
    bucket: string | null;
    signal?: AbortSignal;
    onProgress?: (p: RestoreProgress) => void;
    cancelReason?: () => string | null;
  },
): Promise<StorageRestoreResult> {
  const started = Date.now();
  const todo = toUpload(items);
  const refused = namesWhy(items, (i) => i.refusal);
  const progress: RestoreProgress = {
    phase: 'upload',
    objectsDone: 0,
    objectsTotal: todo.length,
    bytesDone: 0,
    bytesTotal: todo.reduce((sum, i) => sum + i.source.size, 0),
  };
  const report = () => info.onProgress?.({ ...progress });
  const written: string[] = [];
  report();
  try {
    await pool(
      todo,
      async (item, signal) => {
        let sent = 0;
        try {
          await upload(store, folder, item, signal, (d) => {
            sent += d;
            progress.bytesDone += d;
            report();
          });
        } catch (err) {
          // A part-way multipart upload is not an object: its bytes are not counted as done.
          progress.bytesDone -= sent;
          throw err;
        }
        written.push(`${item.bucket}/${item.source.key}`);
        progress.objectsDone++;
        report();
      },
      info.signal,
    );
  } catch (err) {
    throw stoppedPartWay(err, written, todo.length, info.signal, info.cancelReason ?? (() => null));
  }

  Object.assign(progress, { phase: 'verify', objectsDone: 0, bytesDone: 0 });
  report();
  const missing: string[] = [];
  const badSize: string[] = [];
  const badHash: string[] = [];
  await pool(
    todo,
    async (item, signal) => {
      const name = `${item.bucket}/${item.source.key}`;
      const there = await store.head(item.bucket, item.source.key, signal);
      if (there === null) return void missing.push(name);
      if (there.size !== item.source.size) badSize.push(`${name} (${there.size} bytes, expected ${item.source.size})`);
      const { body } = await store.getStream(item.bucket, item.source.key, { signal });
      const hash = crypto.createHash('sha256');
      for await (const chunk of body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        progress.bytesDone += chunk.length;
        report();
      }
      if (hash.digest('hex') !== item.source.sha256) badHash.push(name);
      progress.objectsDone++;
      report();
    },
    info.signal,
  ).catch((err: unknown) => {
    // Every object was written; only the read-back stopped.
    throw stoppedPartWay(err, written, todo.length, info.signal, info.cancelReason ?? (() => null));
  });
  const list = nameList;
  const checks = [
    {
      name: 'objects present',
      ok: missing.length === 0,
      detail: missing.length === 0 ? `${todo.length} of ${todo.length} restored objects found` : `missing: ${list(missing)}`,
    },
    { name: 'sizes', ok: badSize.length === 0, detail: badSize.length === 0 ? 'every restored object has its size' : `differ: ${list(badSize)}` },
    {
      name: 'sha256',
      ok: badHash.length === 0,
      detail: badHash.length === 0 ? 'every restored object, downloaded again, has the manifest sha256' : `differ: ${list(badHash)}`,
    },
  ];
  // Not uploaded is not restored: the result says so instead of passing as complete.
  if (refused.length > 0) checks.push({ name: 'accepted by the target', ok: false, detail: `not uploaded, refused by the target: ${list(refused)}` });
  const ok = checks.every((c) => c.ok);
  return {
    ok,
    target: info.target,
    bucket: info.bucket,
    created: todo.filter((i) => i.action === 'create').length,
    overwritten: todo.filter((i) => i.action === 'overwrite').length,
    unchanged: items.filter((i) => i.action === 'unchanged').length,
    refused: refused.length,
    skipped: items.filter((i) => i.skipped !== null).length,
    bytes: todo.reduce((sum, i) => sum + i.source.size, 0),
    durationMs: Date.now() - started,
    validation: { ok, checks },
  };
}

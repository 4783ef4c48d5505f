// The cross-check of a Supabase project's Storage: storage.objects (bucket_id, name,
// metadata->>'size'), read in a READ ONLY transaction from the profile's database, against
// the buckets' listing. Both sides are read whole, then compared by bucket + key.
import type { StorageCheckResult } from '../../contract/storage';
import type { CoreDeps } from '../platform/kernel/deps';
import type { ObjectStore } from '../platform/objectstore';
import { toOpsError } from '../platform/postgres/pg-errors';
import { withClient } from '../platform/postgres/connect';
import type { Profile } from '../../contract/models';

const LIMIT = 1000;

export async function checkStorage(
  deps: CoreDeps,
  profile: Profile,
  store: ObjectStore,
  options: { buckets?: string[]; password?: string },
): Promise<StorageCheckResult> {
  const rows = await withClient(
    deps,
    profile,
    async (client) => {
      await client.query('BEGIN READ ONLY');
      try {
        const r = await client.query<{ bucket_id: string; name: string; size: string | null }>(
          `SELECT bucket_id, name, metadata->>'size' AS size FROM storage.objects WHERE $1::text[] IS NULL OR bucket_id = ANY($1::text[]) ORDER BY bucket_id, name`,
          [options.buckets?.length ? options.buckets : null],
        );
        return r.rows;
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    },
    options.password !== undefined ? { password: options.password } : {},
  ).catch((err: unknown) => {
    throw toOpsError(err, profile);
  });

  const listed = options.buckets?.length ? options.buckets : (await store.listBuckets()).map((b) => b.name);
  const buckets = [...new Set([...listed, ...rows.map((r) => r.bucket_id)])].sort();
  const present = new Set(options.buckets?.length ? options.buckets : listed);
  const inBucket = new Map<string, number>();
  for (const bucket of buckets) {
    if (!present.has(bucket)) continue;
    for await (const o of store.listObjects(bucket)) inBucket.set(`${bucket}\u0000${o.key}`, o.size);
  }
  const result: StorageCheckResult = {
    ok: true,
    buckets,
    databaseObjects: rows.length,
    bucketObjects: inBucket.size,
    missingInBucket: [],
    missingInDatabase: [],
    sizeMismatches: [],
    truncated: false,
  };
  const push = <T>(list: T[], item: T) => {
    if (list.length < LIMIT) list.push(item);
    else result.truncated = true;
  };
  const known = new Set<string>();
  for (const r of rows) {
    const id = `${r.bucket_id}\u0000${r.name}`;
    known.add(id);
    const size = r.size === null ? null : Number(r.size);
    const actual = inBucket.get(id);
    if (actual === undefined) push(result.missingInBucket, { bucket: r.bucket_id, key: r.name, size });
    else if (size !== null && size !== actual) push(result.sizeMismatches, { bucket: r.bucket_id, key: r.name, databaseSize: size, bucketSize: actual });
  }
  for (const [id, size] of inBucket) {
    if (known.has(id)) continue;
    const [bucket, key] = id.split('\u0000') as [string, string];
    push(result.missingInDatabase, { bucket, key, size });
  }
  result.ok = result.missingInBucket.length + result.missingInDatabase.length + result.sizeMismatches.length === 0 && !result.truncated;
  return result;
}

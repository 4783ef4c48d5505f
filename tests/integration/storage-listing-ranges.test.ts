// An incremental snapshot's listing split in ranges at the previous snapshot's keys
// (core/storage/listing.ts), against a real S3 server (s3rver): over random key sets —
// keys added before the first split key, between split keys and after the last, split keys
// deleted, unicode keys across ranges — it hands over exactly what one plain listing does,
// in the same order; a store whose order is not S3's (s3rver's, for keys such as "x", "x-y",
// "x/z") is caught by the boundary checks and listed again, never missing a key.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { BucketListing, compareKeys, rangeSize, splitPoints } from '../../src-main/core/storage/listing';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let store: ObjectStore;

beforeAll(async () => {
  s3 = await startLocalS3(['ranges']);
  store = new ObjectStore(s3.config());
});
afterAll(async () => {
  store.destroy();
  await s3.destroy();
});

/** Deletes every object of the bucket, then writes `keys` (8 at a time). */
async function fill(bucket: string, keys: string[]): Promise<void> {
  const old: string[] = [];
  for await (const o of store.listObjects(bucket)) old.push(o.key);
  await Promise.all(old.map((k) => store.remove(bucket, k)));
  for (let i = 0; i < keys.length; i += 8) await Promise.all(keys.slice(i, i + 8).map((k) => store.putBody(bucket, k, k)));
}

async function plainListing(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.listObjects(bucket)) keys.push(o.key);
  return keys;
}

async function rangedListing(bucket: string, previous: string[], pageSize: number): Promise<{ keys: string[]; listing: BucketListing }> {
  const listing = new BucketListing(store, bucket, pageSize);
  listing.split(previous);
  const keys: string[] = [];
  await listing.readAll((o) => keys.push(o.key), new AbortController().signal);
  return { keys, listing };
}

// Characters whose UTF-16 and UTF-8 orders agree (no surrogates) and that sort after '.', so
// s3rver's file-system order is S3's for them; the unicode ones are 2 and 3 bytes in UTF-8.
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz0123456789', 'é', 'ß', 'ñ', '日', '本', '한', 'Ж'];

function randomKey(rnd: () => number): string {
  const part = (n: number) => Array.from({ length: 1 + Math.floor(rnd() * n) }, () => ALPHABET[Math.floor(rnd() * ALPHABET.length)]).join('');
  // A folder name ends in '~', which no flat key has: s3rver lists a folder "n/" before a key "n".
  return rnd() < 0.5 ? part(6) : `${part(2)}~/${part(5)}`;
}

describe('a listing split in ranges', () => {
  it('splits at every rangeSize-th key in UTF-8 order, not JavaScript order', () => {
    // U+FF21 sorts before U+1F600 in UTF-16 units, after it in UTF-8 bytes (S3's order).
    const keys = ['\u{1F600}', '\uFF21', 'a', 'b', 'c'];
    expect(compareKeys('\uFF21', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF21' < '\u{1F600}').toBe(false);
    // Sorted as S3 sorts: a b c Ａ 😀 (JavaScript's sort would put 😀 before Ａ).
    expect(splitPoints(keys, 2)).toEqual(['b', '\uFF21']);
    expect(splitPoints(keys, 5)).toEqual([]);
    expect(rangeSize(1000)).toBe(950);
    expect(rangeSize(3)).toBe(2);
  });

  it('over random key sets: exactly the plain listing, in its order, whatever was added or deleted around the split keys', async () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 4; round++) {
      const previous = [...new Set(Array.from({ length: 40 + Math.floor(rnd() * 30) }, () => randomKey(rnd)))];
      const pageSize = 4 + Math.floor(rnd() * 4);
      const points = splitPoints(previous, rangeSize(pageSize));
      // Deleted: some split keys and some others; added: before the first split key, between, after the last.
      const deleted = new Set([points[0]!, points[Math.floor(points.length / 2)]!, ...previous.filter(() => rnd() < 0.15)]);
      const sorted = [...previous].sort(compareKeys);
      const added = ['0000', `${points[0]!}0`, `${points[1]!}é`, `${sorted.at(-1)!}z`, '日本~/新', ...Array.from({ length: 8 }, () => randomKey(rnd))];
      const now = [...new Set([...previous.filter((k) => !deleted.has(k)), ...added])];
      await fill('ranges', now);

      const plain = await plainListing('ranges');
      expect([...plain].sort()).toEqual([...now].sort());
      const { keys, listing } = await rangedListing('ranges', previous, pageSize);
      expect(keys).toEqual(plain);
      expect(keys).toEqual([...now].sort(compareKeys));
      expect(listing.stats.ranges).toBe(points.length + 1);
      expect(listing.stats.relisted).toBe(false);
    }
  });

  it('split keys deleted at the end of the bucket: empty ranges, the same keys', async () => {
    await fill('ranges', ['a', 'b', 'c']);
    const { keys, listing } = await rangedListing('ranges', ['a', 'b', 'c', 'd', 'e', 'f'], 2);
    expect(keys).toEqual(['a', 'b', 'c']);
    expect(listing.stats).toEqual({ ranges: 6, relisted: false });
  });

  it("a store that lists out of S3's order is caught at the boundaries and listed again, every key once", async () => {
    // s3rver walks folders as files: "x/z" comes before "x-y" and "x" (S3 puts "x" first).
    const now = [...Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`), 'x', 'x-y', 'x/z', 'y', 'y-1', 'y/2'];
    await fill('ranges', now);
    const plain = await plainListing('ranges');
    expect(plain).not.toEqual([...now].sort(compareKeys));
    const { keys, listing } = await rangedListing('ranges', now, 4);
    expect(listing.stats.relisted).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...now].sort());
  });

  it('a failing range fails the listing with its own error, and close() stops every range', async () => {
    await fill(
      'ranges',
      Array.from({ length: 30 }, () => crypto.randomBytes(4).toString('hex')),
    );
    const listing = new BucketListing(new ObjectStore(s3.config({ accessKeyId: 'NOPE' })), 'ranges', 5);
    listing.split(['1', '4', '8', 'c', 'f']);
    const err = await listing.readAll(() => undefined, new AbortController().signal).catch((e: unknown) => e);
    expect((err as { detail?: { reason?: string } }).detail?.reason).toBe('auth');
  });
});

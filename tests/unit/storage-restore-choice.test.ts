// The storage restore dialog's choice (screens/backups/storage/restore-choice.ts): filter,
// bucket and folder groups, tri-state checkboxes, the chosen total, and what goes to the
// operation (nothing for the whole snapshot, the chosen objects by bucket and key otherwise).
import { describe, expect, it } from 'vitest';
import type { StorageManifest } from '../../src-main/contract/storage';
import {
  checkState,
  choosable,
  groupsOf,
  matching,
  MAX_CHOSEN,
  objectId,
  requestOf,
  toggled,
  totalOf,
} from '../../src-renderer/src/screens/backups/storage/restore-choice';

function manifest(objects: Array<[bucket: string, key: string, size: number]>): StorageManifest {
  return {
    format: 'ops-console-storage-snapshot/1',
    endpoint: 'http://127.0.0.1:9',
    buckets: [...new Set(objects.map((o) => o[0]))],
    startedAt: '2026-12-06T00:00:00.000Z',
    finishedAt: '2026-12-06T00:00:01.000Z',
    skipped: [],
    objects: objects.map(([bucket, key, size], i) => ({
      bucket,
      key,
      size,
      etag: `e${i}`,
      contentType: null,
      lastModified: null,
      sha256: `${i}`.padStart(64, '0'),
      file: `objects/${i}`,
    })),
  } as StorageManifest;
}

const all = choosable(
  manifest([
    ['media', 'logo.png', 10],
    ['media', 'products/ring.jpg', 20],
    ['media', 'products/Necklace.jpg', 30],
    ['uploads', 'notes/readme.txt', 5],
    ['uploads', 'notes/todo.txt', 7],
  ]),
);

describe('storage restore choice', () => {
  it('filters on bucket/key in any case', () => {
    expect(matching(all, ' necklace ').map((o) => o.key)).toEqual(['products/Necklace.jpg']);
    expect(matching(all, 'UPLOADS/').length).toBe(2);
    expect(matching(all, '')).toBe(all);
  });

  it('groups by bucket, then by first folder when a bucket has more than one', () => {
    const groups = groupsOf(all);
    expect(groups.map((g) => [g.label, g.folder, g.ids.length, g.bytes])).toEqual([
      ['media', null, 3, 60],
      ['(top level)', '', 1, 10],
      ['products/', 'products/', 2, 50],
      ['uploads', null, 2, 12],
    ]);
    // Groups of what the filter shows only.
    expect(groupsOf(matching(all, 'ring')).map((g) => g.label)).toEqual(['media']);
  });

  it('a group checkbox is all / some / none and toggles all of its objects', () => {
    const products = groupsOf(all).find((g) => g.label === 'products/')!;
    let chosen: Set<string> = new Set([objectId('media', 'products/ring.jpg')]);
    expect(checkState(products.ids, chosen)).toBe('some');
    chosen = toggled(products.ids, chosen);
    expect(checkState(products.ids, chosen)).toBe('all');
    expect(totalOf(all, chosen)).toEqual({ objects: 2, bytes: 50 });
    chosen = toggled(products.ids, chosen);
    expect(checkState(products.ids, chosen)).toBe('none');
  });

  it('sends nothing for the whole snapshot, the chosen objects otherwise, and refuses an empty choice', () => {
    expect(requestOf(all, new Set(all.map((o) => o.id)))).toEqual({});
    expect(requestOf(all, new Set([objectId('uploads', 'notes/todo.txt')]))).toEqual({ objects: [{ bucket: 'uploads', key: 'notes/todo.txt' }] });
    expect(requestOf(all, new Set())).toBeNull();
  });

  it('more than the operation takes one by one is refused, unless it is everything', () => {
    const many = choosable(manifest(Array.from({ length: MAX_CHOSEN + 2 }, (_, i) => ['b', `k${i}`, 1] as [string, string, number])));
    const ids = many.map((o) => o.id);
    expect(requestOf(many, new Set(ids.slice(1)))).toBeNull();
    expect(requestOf(many, new Set(ids))).toEqual({});
    expect(requestOf(many, new Set(ids.slice(0, MAX_CHOSEN)))?.objects?.length).toBe(MAX_CHOSEN);
  });
});

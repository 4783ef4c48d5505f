// What a storage restore takes from its snapshot (issue #18): the dialog's choice of buckets,
// folders (a key's first path segment) and single objects, as plain functions over the
// manifest so they are tested without a page. A choice is a set of object ids; all of them
// chosen means "the whole snapshot" and sends no list, so a restore of everything is not
// bounded by the operation's 10,000-object limit.
import type { StorageManifest } from '@contract/storage';

export const MAX_CHOSEN = 10_000;

export interface Choosable {
  /** `bucket` NUL `key`: unique in a manifest. */
  id: string;
  bucket: string;
  key: string;
  size: number;
}

/** A bucket, or a folder in it: the objects of it that the filter shows. */
export interface ChoiceGroup {
  id: string;
  bucket: string;
  /** The folder (`products/`), or null for the bucket itself; '' is the bucket's top level. */
  folder: string | null;
  label: string;
  ids: string[];
  bytes: number;
}

export const objectId = (bucket: string, key: string): string => `${bucket}\u0000${key}`;

export function choosable(manifest: StorageManifest): Choosable[] {
  return manifest.objects.map((o) => ({ id: objectId(o.bucket, o.key), bucket: o.bucket, key: o.key, size: o.size }));
}

/** The objects whose `bucket/key` holds the filter text (any case); all when it is blank. */
export function matching(objects: Choosable[], filter: string): Choosable[] {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return objects;
  return objects.filter((o) => `${o.bucket}/${o.key}`.toLowerCase().includes(needle));
}

function folderOf(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash + 1);
}

/** Each bucket, then its folders (only when it has more than one), in name order. */
export function groupsOf(objects: Choosable[]): ChoiceGroup[] {
  const buckets = new Map<string, Map<string, Choosable[]>>();
  for (const o of objects) {
    const folders = buckets.get(o.bucket) ?? new Map<string, Choosable[]>();
    buckets.set(o.bucket, folders);
    const folder = folderOf(o.key);
    const items = folders.get(folder) ?? [];
    folders.set(folder, items);
    items.push(o);
  }
  const groups: ChoiceGroup[] = [];
  const group = (bucket: string, folder: string | null, items: Choosable[], label: string): ChoiceGroup => ({
    id: `${bucket}\u0000${folder ?? '*'}`,
    bucket,
    folder,
    label,
    ids: items.map((o) => o.id),
    bytes: items.reduce((n, o) => n + o.size, 0),
  });
  for (const bucket of [...buckets.keys()].sort()) {
    const folders = buckets.get(bucket)!;
    groups.push(group(bucket, null, [...folders.values()].flat(), bucket));
    if (folders.size < 2) continue;
    for (const folder of [...folders.keys()].sort()) groups.push(group(bucket, folder, folders.get(folder)!, folder === '' ? '(top level)' : folder));
  }
  return groups;
}

export type CheckState = 'all' | 'some' | 'none';

export function checkState(ids: string[], chosen: ReadonlySet<string>): CheckState {
  let n = 0;
  for (const id of ids) if (chosen.has(id)) n++;
  return n === 0 ? 'none' : n === ids.length ? 'all' : 'some';
}

/** `ids` all added when not all were chosen, else all removed (a checkbox over a group). */
export function toggled(ids: string[], chosen: ReadonlySet<string>): Set<string> {
  const next = new Set(chosen);
  const add = checkState(ids, chosen) !== 'all';
  for (const id of ids) {
    if (add) next.add(id);
    else next.delete(id);
  }
  return next;
}

export function totalOf(objects: Choosable[], chosen: ReadonlySet<string>): { objects: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const o of objects)
    if (chosen.has(o.id)) {
      count++;
      bytes += o.size;
    }
  return { objects: count, bytes };
}

/**
 * The operation's part of the choice: {} for the whole snapshot, `objects` for a part of it;
 * null when nothing is chosen or more than MAX_CHOSEN objects are (the dialog says which).
 */
export function requestOf(objects: Choosable[], chosen: ReadonlySet<string>): { objects?: Array<{ bucket: string; key: string }> } | null {
  const picked = objects.filter((o) => chosen.has(o.id));
  if (picked.length === 0) return null;
  if (picked.length === objects.length) return {};
  if (picked.length > MAX_CHOSEN) return null;
  return { objects: picked.map((o) => ({ bucket: o.bucket, key: o.key })) };
}

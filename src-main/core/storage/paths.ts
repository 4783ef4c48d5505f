// Where a snapshot keeps an object's bytes: named by their sha256 only. The object's key
// is never part of a local path, so no key (`../../etc/passwd`, `/abs`, unicode, 2,000
// bytes) can make a write land outside the snapshot folder: that holds by construction,
// not by sanitising.
import path from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;

/** `objects/ab/ab…` relative to the snapshot folder; refuses anything but a sha256 in hex. */
export function objectFile(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256.slice(0, 80))}`);
  return `objects/${sha256.slice(0, 2)}/${sha256}`;
}

/**
 * The absolute path of a manifest's `file` inside `folder`. A manifest is read back from
 * disk (verify, restore, the next incremental run), so its `file` is checked again: only the
 * exact form objectFile writes is accepted.
 */
export function objectPath(folder: string, file: string): string {
  const m = /^objects\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(file);
  if (!m || !m[2]!.startsWith(m[1]!)) throw new Error(`not a snapshot object file: ${JSON.stringify(file.slice(0, 80))}`);
  return path.join(folder, file);
}

/** A snapshot folder's name: its UTC start, sortable, no characters a file system refuses. */
export function snapshotName(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

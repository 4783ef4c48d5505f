// Where a snapshot keeps an object's bytes: named by their sha256 only. The object's key
// is never part of a local path, so no key (`../../etc/passwd`, `/abs`, unicode, 2,000
// bytes) can make a write land outside the snapshot folder: that holds by construction,
// not by sanitising.
import path from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;
/** Today's `objects/<sha256>`, and `objects/<sha256[0:2]>/<sha256>` of snapshots taken before 2026-12-07. */
const OBJECT_FILE = /^objects\/(?:([0-9a-f]{2})\/)?([0-9a-f]{64})$/;

/**
 * `objects/<sha256>` relative to the snapshot folder; refuses anything but a sha256 in hex.
 * One flat folder: an incremental run makes and fsyncs one folder instead of 257 (the
 * 256-way fan-out cost 50-90 ms of a 2,000-object incremental run; ext4, APFS and NTFS index
 * large folders, so a million names in one stays fast).
 */
export function objectFile(sha256: string): string {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256.slice(0, 80))}`);
  return `objects/${sha256}`;
}

/** Whether a manifest's `file` is where a snapshot keeps the bytes of `sha256`, in either layout. */
export function isObjectFileOf(file: unknown, sha256: unknown): boolean {
  if (typeof file !== 'string' || typeof sha256 !== 'string') return false;
  const m = OBJECT_FILE.exec(file);
  return m !== null && m[2] === sha256 && (m[1] === undefined || sha256.startsWith(m[1]));
}

/**
 * The absolute path of a manifest's `file` inside `folder`. A manifest is read back from
 * disk (verify, restore, the next incremental run), so its `file` is checked again: only the
 * exact forms objectFile writes (or wrote before the flat layout) are accepted.
 */
export function objectPath(folder: string, file: string): string {
  const m = OBJECT_FILE.exec(file);
  if (!m || (m[1] !== undefined && !m[2]!.startsWith(m[1]))) throw new Error(`not a snapshot object file: ${JSON.stringify(file.slice(0, 80))}`);
  return path.join(folder, file);
}

/** A snapshot folder's name: its UTC start, sortable, no characters a file system refuses. */
export function snapshotName(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

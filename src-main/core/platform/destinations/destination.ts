// Where a backup (or any artifact the app publishes) goes and is read back from. A
// Destination is one folder-like place: the local file system today (local.ts); S3-compatible
// object storage or Supabase Storage later. Writers follow one protocol whatever the place:
// pick a free name (never an existing artifact's), write `<name>.partial`, seal it, then
// publish it under its final name, which never replaces anything; any failure discards the
// partial, so nothing that looks like a good artifact is left half-written. Readers stat,
// read, list and remove by name. Names are relative to the destination and use "/" between
// the parts of a directory-format dump ("x_full_….dir/toc.dat").
import type { Readable } from 'node:stream';

/**
 * Where an artifact is, as the catalog stores it. Serialised with formatLocation():
 * `file://` + absolute path for the local file system (no percent-encoding, so the
 * catalog's `path` and `location` columns read alike, and migration 10 fills the column
 * from the path by concatenation). A remote destination adds its own variant here.
 */
export interface ArtifactLocation {
  destination: 'local';
  path: string;
}

export type ArtifactShape = 'file' | 'directory';

export interface ArtifactStat {
  /** 'other': neither a file nor a folder (a socket, a device), which is never a dump. */
  shape: ArtifactShape | 'other';
  /** The file's size; for a directory the sum of the sizes of the files under it. */
  bytes: number;
  mtimeMs: number;
  /** Changes when the artifact is replaced by another one of the same size and time (inode locally). */
  identity: string;
}

/** A `.partial` file being written as a stream (exports); `finish` leaves it complete and durable. */
export interface PartialWriter {
  /** Bytes handed to the writer so far. */
  readonly bytes: number;
  /** Resolves when the writer can take more: a slow or full destination slows the producer. */
  write(text: string): Promise<void>;
  /** Flushes, fsyncs and closes: after this the partial's content is on the destination. */
  finish(): Promise<void>;
  /** Stops writing and closes (the caller then discards the partial). Never throws. */
  abort(): Promise<void>;
}

export interface Destination {
  /** What the user reads in messages: the folder (or later bucket/prefix). */
  readonly description: string;
  /**
   * Prepares the destination (creates the folder when missing) and proves it writable with a
   * real write. Rejects with the underlying errno-style error (`code`: EACCES, EROFS, ENOSPC…):
   * the caller words the message for its own users.
   */
  check(): Promise<void>;
  /**
   * Bytes a writer may still use there, or null when the destination cannot tell (object
   * storage without a quota). Not consulted by the backup plan yet: today a full disk shows
   * as pg_dump's "No space left on device" and the partial is discarded; a plan warning
   * from this would change the plan's output, so it waits for its own issue.
   */
  freeBytes(): Promise<number | null>;
  /** `fileName`, or `<stem>-2<ext>`, `-3`… up to maxSuffix: the first whose final name and `.partial` are both free; null if none. */
  freeName(fileName: string, maxSuffix: number): Promise<string | null>;
  /** The `.partial` name an artifact is written under until it is published. */
  partialName(name: string): string;
  /**
   * Creates `<name>.partial` empty and private, refusing one that exists, for a tool that
   * writes it by path (pg_dump opens it with truncation). A directory partial is not
   * created: pg_dump -Fd makes the folder itself (private) and refuses an existing one.
   */
  createPartial(name: string, shape: ArtifactShape): Promise<void>;
  /** Opens `<name>.partial` for streaming, created exclusively (EEXIST when taken). */
  openPartial(name: string): Promise<PartialWriter>;
  /** After a tool wrote the partial: folders 0700 and files 0600 (pg_dump -Fd uses the umask's modes). */
  sealPartial(name: string): Promise<void>;
  /**
   * Gives the partial its final name without ever replacing an artifact: rejects with an
   * error whose code is EEXIST when the name is taken, then the partial is still there.
   * The new name is made durable (directory fsync) where the platform allows.
   */
  publish(name: string): Promise<void>;
  /** Removes `<name>.partial` (file or folder). Never throws: it runs while handling a failure. */
  discard(name: string): Promise<void>;
  stat(name: string): Promise<ArtifactStat | null>;
  exists(name: string): Promise<boolean>;
  /** The bytes of a file, streamed in chunks of about `chunkBytes`. */
  readStream(name: string, chunkBytes?: number): Readable;
  /** Up to `length` bytes from `position` (heads and tails of scripts); fewer at the end. */
  readRange(name: string, position: number, length: number): Promise<Buffer>;
  /** A small text file (a manifest), or null when there is none. */
  readText(name: string): Promise<string | null>;
  /** Writes a small text file whole or not at all (temporary name, fsync, rename, directory fsync). */
  writeText(name: string, text: string): Promise<void>;
  /** Files under a directory-format dump as "a/b" names relative to it, sorted. */
  listFiles(name: string): Promise<string[]>;
  /** Deletes a file or a folder tree; one already gone is fine. Rejects when it cannot. */
  remove(name: string): Promise<void>;
  /**
   * A real path tools can open, when the destination has one. pg_dump, pg_restore and psql
   * need paths: the local destination returns its own; a remote destination returns null,
   * and its callers stage the artifact in a local temporary folder first (and upload the
   * sealed partial before publishing).
   */
  localPath(name: string): string | null;
  location(name: string): ArtifactLocation;
}

const FILE_SCHEME = 'file://';

/** `file:///abs/path` for a local artifact (see ArtifactLocation). */
export function formatLocation(location: ArtifactLocation): string {
  return `${FILE_SCHEME}${location.path}`;
}

/** The inverse of formatLocation; null for a text no destination of this version knows. */
export function parseLocation(text: string): ArtifactLocation | null {
  if (text.startsWith(FILE_SCHEME) && text.length > FILE_SCHEME.length) return { destination: 'local', path: text.slice(FILE_SCHEME.length) };
  return null;
}

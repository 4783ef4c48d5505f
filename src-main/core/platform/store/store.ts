// The local store: one SQLite file in the app home holding profiles, secrets (ciphertext
// only), settings and the audit trail. Opening it must never damage a file this version
// cannot handle, so a file that is not ours to change (corrupt, or written by a newer
// version) is inspected without writing a byte before it is refused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { OpsError } from '../../../contract/errors';
import { PRIVATE_FILE, tighten } from '../fs/private-fs';
import { MIGRATIONS, type Migration } from './migrations';
import { nativeBinding } from './native-binding';

export interface Store {
  db: Database.Database;
  path: string;
  schemaVersion: number;
  close(): void;
}

export interface OpenStoreOptions {
  /** Defaults to every known migration; tests pass a prefix to stop at an older version. */
  migrations?: readonly Migration[];
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_SIZE = 100;
/** Files up to this size get a full page-by-page check on open; larger ones only the structural checks (a full check of a 1 GB trail would take seconds on every CLI call). */
const FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024;
const BUSY_TIMEOUT_MS = 5000;

function corrupt(file: string, why: string): OpsError {
  return new OpsError(
    'STORE_CORRUPT',
    `The local store ${file} is not a readable Ops Console database (${why}). It was left untouched. ` +
      'Move it aside (or restore it from a backup) and start Ops Console again to create a fresh store.',
    { path: file, reason: why },
  );
}

function tooNew(file: string, found: number, latest: number): OpsError {
  return new OpsError(
    'STORE_TOO_NEW',
    `The local store ${file} has schema version ${found}, but this Ops Console only knows versions up to ${latest}. ` +
      'It was written by a newer Ops Console; it was left untouched. Upgrade Ops Console, or point --home at another folder.',
    { path: file, found, latest },
  );
}

function latestOf(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

function checkMigrationOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new OpsError('INTERNAL', `Migration list out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
  });
}

function readHeader(file: string, size: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(Math.min(HEADER_SIZE, size));
    fs.readSync(fd, header, 0, header.length, 0);
    return header;
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs the full integrity check on an in-memory copy, so SQLite never opens the file itself. */
function fullCheck(file: string): string | null {
  const copy = fs.readFileSync(file);
  // A WAL-mode header makes SQLite look for -wal/-shm; mark the copy as rollback-journal.
  copy[18] = 1;
  copy[19] = 1;
  let probe: Database.Database | null = null;
  try {
    probe = new Database(copy, { nativeBinding: nativeBinding() });
    probe.prepare('SELECT count(*) FROM sqlite_schema').get();
    const rows = probe.pragma('quick_check') as Array<{ quick_check: string }>;
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    return problems.length === 0 ? null : `integrity check failed: ${problems.slice(0, 3).join('; ')}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    probe?.close();
  }
}

/**
 * Refuses, before anything writes to it, a file that is not a SQLite database, is damaged,
 * or carries a schema newer than `latest`. Reads only: no lock, no -wal/-shm created.
 */
function inspectExisting(file: string, latest: number): void {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw corrupt(file, 'it is not a regular file');
  // SQLite would treat an empty file as a new database: an emptied audit trail would open
  // as an intact one. We never leave an empty store behind (see createStoreFile), so an
  // empty file is somebody's doing.
  if (stat.size === 0) throw corrupt(file, 'it is empty (0 bytes); a store that existed and was emptied is not opened as a new one');
  const header = readHeader(file, stat.size);
  if (header.length < HEADER_SIZE || !header.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw corrupt(file, 'it does not start with the SQLite file header');
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corrupt(file, `its header gives an impossible page size (${rawPageSize})`);
  }
  // A live -wal may hold newer pages than the main file; then only SQLite can tell.
  const hasWal = fs.existsSync(`${file}-wal`);
  if (!hasWal) {
    const pageCount = header.readUInt32BE(28);
    const countValid = header.readUInt32BE(24) === header.readUInt32BE(92) && pageCount > 0;
    if (stat.size % pageSize !== 0 || (countValid && stat.size < pageCount * pageSize)) {
      throw corrupt(
        file,
        `it is ${stat.size} bytes, shorter than its header says (${countValid ? pageCount * pageSize : 'a whole number of pages'}); it looks truncated`,
      );
    }
    const userVersion = header.readUInt32BE(60);
    if (userVersion > latest) throw tooNew(file, userVersion, latest);
    if (stat.size <= FULL_CHECK_MAX_BYTES) {
      const problem = fullCheck(file);
      if (problem !== null) throw corrupt(file, problem);
    }
  }
}

/**
 * A new store is made under a temporary name (0600, WAL mode, so never 0 bytes) and
 * linked into place: a crash cannot leave an empty file at the store's path, and of two
 * processes creating it at once the second simply opens the first one's.
 */
function createStoreFile(file: string): void {
  const tmp = `${file}.new-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(tmp, '', { mode: PRIVATE_FILE, flag: 'wx' });
    const db = new Database(tmp, { nativeBinding: nativeBinding() });
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
    tighten(tmp, PRIVATE_FILE);
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // A file system without hard links (some network shares): rename, unless it appeared meanwhile.
      if ((code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') && !fs.existsSync(file)) fs.renameSync(tmp, file);
      else throw err;
    }
  } finally {
    for (const leftover of [tmp, `${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(leftover, { force: true });
  }
}

function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  for (const migration of migrations) {
    // IMMEDIATE takes the write lock first, so two processes opening a fresh store at
    // once cannot both run the same migration: the second sees the new user_version.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrationOrder(migrations);
  const latest = latestOf(migrations);
  if (fs.existsSync(file)) inspectExisting(file, latest);
  else createStoreFile(file);

  let db: Database.Database;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBinding() });
  } catch (err) {
    if (isSqliteCorruption(err)) throw corrupt(file, err instanceof Error ? err.message : String(err));
    throw err;
  }
  try {
    // Checked again through SQLite: a -wal left by a crash may carry a newer user_version.
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > latest) throw tooNew(file, found, latest);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // FULL: a committed audit record survives power loss, not only a crash of the app.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const schemaVersion = migrate(db, migrations);
    // SQLite gives -wal/-shm the main file's mode; a store from an older version was 0644.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f, PRIVATE_FILE);
    let closed = false;
    return {
      db,
      path: file,
      schemaVersion,
      close() {
        if (closed) return;
        closed = true;
        db.close();
      },
    };
  } catch (err) {
    db.close();
    if (isSqliteCorruption(err)) throw corrupt(file, err instanceof Error ? err.message : String(err));
    throw err;
  }
}

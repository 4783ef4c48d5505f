// Everything the app writes is private to the user running it: files 0600, folders 0700.
// The store holds the audit trail and encrypted secrets, backups hold whole databases,
// the temp folder holds pgpass files: nothing for other local accounts to read. Writers
// pass explicit modes; `privateUmask()` is the net for files created by code that does
// not (SQLite's -wal/-shm, pg_dump's output, a library's temp file). On Windows modes
// mean little (ACLs of the profile folder apply) and chmod failures are ignored.
import fs from 'node:fs';
import path from 'node:path';
import { log } from '../kernel/log';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;
/** The app's own temp folder (pgpass files, run records); never the shared system one. */
export const TMP_DIR_NAME = 'tmp';
/** Folders of the home holding our files, tightened at open. The sandbox and scratch clusters are not listed: PostgreSQL guards its data dir itself and, as root, the server user must still reach it. */
const OWN_SUBDIRS = ['backups', 'restore-lists', TMP_DIR_NAME];
/** The store and its SQLite companions. */
export const STORE_FILE = 'ops-console.sqlite';
const STORE_FILES = [STORE_FILE, `${STORE_FILE}-wal`, `${STORE_FILE}-shm`, `${STORE_FILE}-journal`];

/** Files created from now on by this process and its children get no group/other bits. */
export function privateUmask(): void {
  if (process.platform === 'win32') return;
  try {
    process.umask(0o077);
  } catch (err) {
    // Worker threads may not change the umask; explicit modes still apply.
    log.warn('could not set the process umask', err instanceof Error ? err.message : String(err));
  }
}

/** chmod that tolerates a file vanishing and a file system without modes (warns otherwise). */
export function tighten(target: string, mode: number): void {
  if (process.platform === 'win32') return;
  try {
    const stat = fs.lstatSync(target);
    if (stat.isSymbolicLink() || (stat.mode & 0o777) === mode) return;
    fs.chmodSync(target, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') log.warn(`could not make ${target} private (${code ?? 'error'})`);
  }
}

/** Creates the folder (and missing parents) 0700, or tightens it when it exists. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  tighten(dir, PRIVATE_DIR);
}

export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  tighten(dir, PRIVATE_DIR);
}

/**
 * An existing home may come from an older version (store 0644, backups/ 0755) or from a
 * folder the user made: make the home, our folders in it and the store private again.
 */
export function tightenHome(home: string): void {
  tighten(home, PRIVATE_DIR);
  for (const name of OWN_SUBDIRS) tighten(path.join(home, name), PRIVATE_DIR);
  for (const name of STORE_FILES) tighten(path.join(home, name), PRIVATE_FILE);
}

/** A file or a folder tree written by a tool: folders 0700, files 0600 (what pg_dump -Fd leaves). */
export async function tightenTree(target: string): Promise<void> {
  if (process.platform === 'win32') return;
  const stat = await fs.promises.lstat(target);
  if (stat.isSymbolicLink()) return;
  if (!stat.isDirectory()) {
    await fs.promises.chmod(target, PRIVATE_FILE);
    return;
  }
  await fs.promises.chmod(target, PRIVATE_DIR);
  for (const entry of await fs.promises.readdir(target)) await tightenTree(path.join(target, entry));
}

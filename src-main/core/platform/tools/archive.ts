// Reading a dump as an archive, whoever wrote it: its sha256 (a directory's over its sorted
// files), pg_restore --list's table of contents, and a plain script's completion marker. The
// backup's verification and every restore and drill read dumps through these.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import type { ClientTool } from '../../../contract/backup';
import { OpsError } from '../../../contract/errors';
import { artifactText, localArtifact, type Destination } from '../destinations';

const HASH_CHUNK = 1024 * 1024;
const TAIL_BYTES = 4096;
const STDERR_KEEP = 8192;

export interface HashedBackup {
  sha256: string;
  bytes: number;
  files?: Array<{ name: string; bytes: number; sha256: string }>;
}

async function hashFile(destination: Destination, name: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of destination.readStream(name, HASH_CHUNK)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * sha256 of a backup file, streamed. A directory backup hashes to the sha256 of its sorted
 * "name sha256\n" lines, so it has one checksum like a file and each file its own.
 */
export async function hashBackup(target: string): Promise<HashedBackup> {
  const { destination, name } = localArtifact(target);
  return hashArtifact(destination, name);
}

/** hashBackup of an artifact in a destination (a partial before it is published, too). */
export async function hashArtifact(destination: Destination, artifact: string): Promise<HashedBackup> {
  const stat = await destination.stat(artifact);
  if (stat === null) throw Object.assign(new Error(`ENOENT: no such file or directory, stat '${artifactText(destination, artifact)}'`), { code: 'ENOENT' });
  if (stat.shape !== 'directory') return hashFile(destination, artifact);
  const files: Array<{ name: string; bytes: number; sha256: string }> = [];
  for (const name of await destination.listFiles(artifact)) files.push({ name, ...(await hashFile(destination, `${artifact}/${name}`)) });
  const listing = files.map((f) => `${f.name} ${f.sha256}\n`).join('');
  return { sha256: crypto.createHash('sha256').update(listing).digest('hex'), bytes: files.reduce((s, f) => s + f.bytes, 0), files };
}

// Object types pg_restore --list prints (several are more than one word); longest first.
const TOC_TYPES = [
  'PUBLICATION TABLES IN SCHEMA',
  'TEXT SEARCH CONFIGURATION',
  'TEXT SEARCH DICTIONARY',
  'MATERIALIZED VIEW DATA',
  'FOREIGN DATA WRAPPER',
  'TEXT SEARCH TEMPLATE',
  'TEXT SEARCH PARSER',
  'SUBSCRIPTION TABLE',
  'PROCEDURAL LANGUAGE',
  'DATABASE PROPERTIES',
  'SEQUENCE OWNED BY',
  'MATERIALIZED VIEW',
  'PUBLICATION TABLE',
  'OPERATOR FAMILY',
  'CHECK CONSTRAINT',
  'OPERATOR CLASS',
  'FOREIGN SERVER',
  'FOREIGN TABLE',
  'ACCESS METHOD',
  'BLOB METADATA',
  'EVENT TRIGGER',
  'FK CONSTRAINT',
  'LARGE OBJECT',
  'ROW SECURITY',
  'SEQUENCE SET',
  'TABLE ATTACH',
  'INDEX ATTACH',
  'USER MAPPING',
  'DEFAULT ACL',
  'SEARCH PATH',
  'SHELL TYPE',
  'TABLE DATA',
  'BLOB DATA',
];

/** "TABLE DATA" from "3361; 0 16388 TABLE DATA public orders owner". */
export function tocEntryType(line: string): string | null {
  const m = /^\s*\d+;\s+\d+\s+\d+\s+(.*)$/.exec(line);
  if (!m?.[1]) return null;
  const rest = m[1];
  for (const t of TOC_TYPES) if (rest === t || rest.startsWith(`${t} `)) return t;
  return rest.split(' ')[0] ?? null;
}

/** Parses `pg_restore --list` output: entries are the lines that are not comments. */
export function parseToc(toc: string): { tocEntries: number; objects: Record<string, number> } {
  const objects: Record<string, number> = {};
  let tocEntries = 0;
  for (const line of toc.split('\n')) {
    if (line.trim() === '' || line.startsWith(';')) continue;
    const type = tocEntryType(line);
    if (type === null) continue;
    tocEntries++;
    objects[type] = (objects[type] ?? 0) + 1;
  }
  return { tocEntries, objects };
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** `pg_restore --list`: reads the archive's table of contents; fails on a damaged or foreign file. */
export async function listArchive(
  pgRestore: ClientTool,
  target: string,
  signal?: AbortSignal,
): Promise<{ tocEntries: number; objects: Record<string, number>; toc: string }> {
  const out: Buffer[] = [];
  let err = '';
  const code = await new Promise<number | string>((resolve, reject) => {
    const child = spawn(pgRestore.path, ['--list', target], {
      shell: false,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
      ...(signal ? { signal } : {}),
    });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (e) => (signal?.aborted ? reject(new OpsError('CANCELLED', 'The archive check was cancelled.')) : reject(e)));
    child.on('close', (exitCode, sig) => resolve(exitCode ?? sig ?? 'unknown'));
  }).catch((e: unknown) => {
    if (e instanceof OpsError) throw e;
    throw new OpsError('BACKUP_FAILED', `pg_restore could not be started (${pgRestore.path}): ${(e as Error).message}`, { tool: pgRestore.path });
  });
  if (code !== 0) {
    const stderr = tail(err);
    throw new OpsError('BACKUP_FAILED', `pg_restore --list cannot read ${target}: ${stderr.split('\n')[0] || `exit ${String(code)}`}`, {
      stderr,
      exit: code,
      tool: pgRestore.path,
    });
  }
  const toc = Buffer.concat(out).toString('utf8');
  const parsed = parseToc(toc);
  // An empty database dumps to an archive with a header and no entries: still a backup.
  // Without the header pg_restore read nothing it recognised.
  if (parsed.tocEntries === 0 && !/^; Archive created at /m.test(toc)) {
    throw new OpsError('BACKUP_FAILED', `pg_restore --list found no archive header and no entries in ${target}: it is not a usable archive.`, { exit: 0 });
  }
  return { ...parsed, toc };
}

const COMPLETE_MARKERS = ['-- PostgreSQL database dump complete', '-- PostgreSQL database cluster dump complete'];

/**
 * True when the script ends with pg_dump's (or pg_dumpall's) completion marker. Only the
 * first and last few kB are read. Current minor releases open the script with
 * `\restrict KEY` and close it with `\unrestrict KEY`: then that exact line must be in
 * the tail (a cut key would make psql fail). After the marker only comments, blank lines
 * and that line may follow.
 */
export async function plainDumpComplete(file: string): Promise<boolean> {
  const { destination, name } = localArtifact(file);
  return plainDumpCompleteAt(destination, name);
}

export async function plainDumpCompleteAt(destination: Destination, name: string): Promise<boolean> {
  const stat = await destination.stat(name).catch(() => null);
  if (stat === null) return false;
  const size = stat.bytes;
  const length = Math.min(size, TAIL_BYTES);
  // Unreadable (permissions, gone meanwhile) counts as incomplete, as a missing file does.
  const first = await destination.readRange(name, 0, length).catch(() => null);
  if (first === null) return false;
  const head = first.toString('utf8');
  const lines = (await destination.readRange(name, size - length, length)).toString('utf8').split(/\r?\n/);
  const at = lines.findLastIndex((l) => COMPLETE_MARKERS.includes(l.trimEnd()));
  if (at < 0) return false;
  const key = /^\\restrict (\S+)\r?$/m.exec(head)?.[1] ?? null;
  const unrestrict = key === null ? null : `\\unrestrict ${key}`;
  // pg_dump closes the key after its marker, pg_dumpall before it.
  if (unrestrict !== null && !lines.some((l) => l.trimEnd() === unrestrict)) return false;
  return lines.slice(at + 1).every((l) => l.trim() === '' || l.startsWith('--') || l.trimEnd() === unrestrict);
}

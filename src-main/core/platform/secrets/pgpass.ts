// ~/.pgpass (or PGPASSFILE) lookups with libpq's exact rules, so a password that works
// for psql works here too: `*` alone matches any value, `\` escapes `:` and `\`, the
// first matching line wins, and a file readable by group or others is ignored with a
// warning, as libpq does on POSIX.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PgpassTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface PgpassLookup {
  password: string | null;
  /** The file consulted (whether or not it exists). */
  file: string;
  warnings: string[];
}

export interface PgpassOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

/** Socket directories libpq treats as "localhost" in the file (Debian's and upstream's default). */
const DEFAULT_SOCKET_DIRS = new Set(['/var/run/postgresql', '/run/postgresql', '/tmp']);

export function pgpassPath(options: PgpassOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = env.PGPASSFILE;
  if (explicit && explicit !== '') return explicit;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'postgresql', 'pgpass.conf');
  return path.join(home, '.pgpass');
}

/**
 * libpq's pwdfMatchesString: matches one field of `line` starting at `start` against
 * `token`; returns the index after the field's closing colon, or -1.
 */
function matchField(line: string, start: number, token: string): number {
  if (line[start] === '*' && line[start + 1] === ':') return start + 2;
  let i = start;
  let t = 0;
  while (i < line.length) {
    let escaped = false;
    if (line[i] === '\\') {
      i += 1;
      escaped = true;
      if (i >= line.length) return -1;
    }
    if (line[i] === ':' && !escaped && t === token.length) return i + 1;
    if (t === token.length) return -1;
    if (line[i] !== token[t]) return -1;
    i += 1;
    t += 1;
  }
  return -1;
}

/** The password field: backslash escapes removed, ends at the first unescaped colon. */
function readPassword(line: string, start: number): string {
  let out = '';
  for (let i = start; i < line.length; i += 1) {
    let ch = line[i]!;
    if (ch === ':') break;
    if (ch === '\\' && i + 1 < line.length) {
      i += 1;
      ch = line[i]!;
    }
    out += ch;
  }
  return out;
}

/** Looks `target` up in pgpass text. Exported for tests; `lookupPgpass` reads the file. */
export function findPgpassPassword(text: string, target: PgpassTarget): string | null {
  if (target.database === '' || target.user === '') return null;
  let host = target.host;
  if (host === '' || DEFAULT_SOCKET_DIRS.has(host.replace(/\/+$/, ''))) host = 'localhost';
  const port = String(target.port);
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let at = matchField(line, 0, host);
    if (at >= 0) at = matchField(line, at, port);
    if (at >= 0) at = matchField(line, at, target.database);
    if (at >= 0) at = matchField(line, at, target.user);
    if (at >= 0) return readPassword(line, at);
  }
  return null;
}

export function lookupPgpass(target: PgpassTarget, options: PgpassOptions = {}): PgpassLookup {
  const file = pgpassPath(options);
  const platform = options.platform ?? process.platform;
  const warnings: string[] = [];
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { password: null, file, warnings };
  }
  if (platform !== 'win32') {
    if (!stat.isFile()) {
      warnings.push(`password file "${file}" is not a plain file; it was ignored`);
      return { password: null, file, warnings };
    }
    if ((stat.mode & 0o077) !== 0) {
      warnings.push(`password file "${file}" has group or world access; permissions should be u=rw (0600) or less — it was ignored (run: chmod 600 ${file})`);
      return { password: null, file, warnings };
    }
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    warnings.push(`password file "${file}" could not be read: ${(err as Error).message}`);
    return { password: null, file, warnings };
  }
  return { password: findPgpassPassword(text, target), file, warnings };
}

/** Escapes one field for a pgpass line (for temporary PGPASSFILEs given to pg_dump/psql). */
export function escapePgpassField(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

export function formatPgpassLine(target: PgpassTarget, password: string): string {
  return [target.host, String(target.port), target.database, target.user, password].map(escapePgpassField).join(':');
}

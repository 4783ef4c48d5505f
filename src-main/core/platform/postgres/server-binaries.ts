// Finds the PostgreSQL *server* programs (initdb, pg_ctl, postgres) the sandbox and the
// test harness need. Client tools alone (psql from a libpq package) are not enough, so
// we look in every place a server package is known to land and report each major found.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { OpsError } from '../../../contract/errors';

const execFileAsync = promisify(execFile);

export interface ServerBinaries {
  /** Folder holding initdb, pg_ctl and postgres (symlinks resolved). */
  binDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** Major version, e.g. 15 or 16 (9.6 reports 9). */
  major: number;
  /** What `postgres --version` printed, e.g. "postgres (PostgreSQL) 15.18 (Debian …)". */
  version: string;
}

const EXE = process.platform === 'win32' ? '.exe' : '';

function exists(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Directories matching `<parent>/<prefix>*<suffix>` (one wildcard), sorted. */
function globDirs(parent: string, prefix: string, suffix: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix))
    .map((name) => path.join(parent, name, suffix))
    .sort();
}

async function pgConfigBindir(): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(`pg_config${EXE}`, ['--bindir'], { timeout: 5_000, windowsHide: true });
    const dir = stdout.trim();
    return dir.length > 0 ? dir : null;
  } catch {
    return null;
  }
}

/** Every place we look, in order of preference before sorting by version. */
export function candidateDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const dirs: string[] = [];
  const pathVar = env.PATH ?? env.Path ?? '';
  dirs.push(...pathVar.split(path.delimiter).filter((d) => d.length > 0));
  if (platform === 'win32') {
    for (const base of [env.ProgramFiles, env['ProgramFiles(x86)'], env.ProgramW6432]) {
      if (base) dirs.push(...globDirs(path.join(base, 'PostgreSQL'), '', 'bin'));
    }
    return dirs;
  }
  dirs.push(...globDirs('/usr/lib/postgresql', '', 'bin'));
  dirs.push('/usr/local/pgsql/bin');
  dirs.push(...globDirs('/usr', 'pgsql-', 'bin'));
  dirs.push(...globDirs('/opt/homebrew/opt', 'postgresql', 'bin'));
  dirs.push(...globDirs('/usr/local/opt', 'postgresql', 'bin'));
  dirs.push('/opt/homebrew/bin', '/usr/local/bin');
  dirs.push(...globDirs('/Applications/Postgres.app/Contents/Versions', '', 'bin'));
  return dirs;
}

/** Human list of the places searched, for the "not found" message. */
export function searchedPlaces(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'win32') return ['PATH', 'pg_config --bindir', '%ProgramFiles%\\PostgreSQL\\*\\bin'];
  return [
    'PATH',
    'pg_config --bindir',
    '/usr/lib/postgresql/*/bin',
    '/usr/local/pgsql/bin',
    '/usr/pgsql-*/bin',
    '/opt/homebrew/opt/postgresql@*/bin',
    '/usr/local/opt/postgresql@*/bin',
    '/opt/homebrew/bin',
    '/Applications/Postgres.app/Contents/Versions/*/bin',
  ];
}

export function parseServerVersion(output: string): number | null {
  // "postgres (PostgreSQL) 15.18 (Debian …)", "postgres (PostgreSQL) 9.6.24", "… 17beta1"
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!match?.[1]) return null;
  return Number(match[1]);
}

async function probeDir(dir: string): Promise<ServerBinaries | null> {
  const initdb = path.join(dir, `initdb${EXE}`);
  const pgCtl = path.join(dir, `pg_ctl${EXE}`);
  const postgres = path.join(dir, `postgres${EXE}`);
  if (!exists(initdb) || !exists(pgCtl) || !exists(postgres)) return null;
  // Symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) point at the
  // real folder; use it so sibling tools (pg_dump, psql) and dedupe work.
  const realPostgres = fs.realpathSync(postgres);
  const binDir = path.dirname(realPostgres);
  try {
    const { stdout } = await execFileAsync(realPostgres, ['--version'], { timeout: 5_000, windowsHide: true, env: { ...process.env, LC_MESSAGES: 'C' } });
    const major = parseServerVersion(stdout);
    if (major === null) return null;
    return {
      binDir,
      initdb: path.join(binDir, `initdb${EXE}`),
      pgCtl: path.join(binDir, `pg_ctl${EXE}`),
      postgres: realPostgres,
      major,
      version: stdout.trim(),
    };
  } catch {
    return null;
  }
}

/** Every installed server, newest major first, one entry per real folder. */
export async function findServerBinaries(): Promise<ServerBinaries[]> {
  const dirs = candidateDirs();
  const fromPgConfig = await pgConfigBindir();
  if (fromPgConfig) dirs.splice(1, 0, fromPgConfig);
  const seen = new Set<string>();
  const found: ServerBinaries[] = [];
  for (const dir of dirs) {
    const result = await probeDir(dir);
    if (!result || seen.has(result.binDir)) continue;
    seen.add(result.binDir);
    found.push(result);
  }
  // Stable sort keeps PATH order among equal majors.
  return found.sort((a, b) => b.major - a.major);
}

export function installHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Install it with `brew install postgresql@16` (or Postgres.app).';
  if (platform === 'win32') return 'Install it from https://www.postgresql.org/download/windows/ (the EDB installer).';
  return 'Install it with `sudo apt install postgresql` (Debian/Ubuntu) or `sudo dnf install postgresql-server` (Fedora/RHEL).';
}

/** The newest installed server; `minMajor` rejects servers too old for the caller's SQL. */
export async function pickServerBinaries(minMajor = 0): Promise<ServerBinaries> {
  const found = await findServerBinaries();
  const newest = found[0];
  if (!newest) {
    const places = searchedPlaces();
    throw new OpsError(
      'BINARIES_NOT_FOUND',
      `PostgreSQL server programs (initdb, pg_ctl, postgres) were not found. Looked in: ${places.join(', ')}. ${installHint()}`,
      { searched: places },
    );
  }
  if (newest.major < minMajor) {
    throw new OpsError(
      'BINARIES_NOT_FOUND',
      `The newest PostgreSQL server installed here is ${newest.major} (${newest.binDir}); PostgreSQL ${minMajor} or newer is needed. ${installHint()}`,
      { found: found.map((b) => ({ binDir: b.binDir, major: b.major })) },
    );
  }
  return newest;
}

/** The server in a given folder (e.g. the one recorded in the sandbox state), or null. */
export async function serverBinariesIn(dir: string): Promise<ServerBinaries | null> {
  return probeDir(dir);
}

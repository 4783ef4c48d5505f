// Finds the PostgreSQL client tools (pg_dump, pg_dumpall, pg_restore, psql) of every major
// version installed here and picks the one a server needs. pg_dump refuses to dump a
// server newer than itself, and finding that out after the dump started is the peers'
// most common complaint: the choice is made, and refused with a useful message, up front.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLIENT_TOOL_NAMES, type ClientTool, type ClientToolName, type ClientToolsReport } from '../../../contract/backup';
import { OpsError } from '../../../contract/errors';
import type { CoreDeps } from '../kernel/deps';
import { candidateDirs } from '../postgres/server-binaries';
import { binaryIdentity, ToolVersions } from './tool-versions';

const execFileAsync = promisify(execFile);

export const CLIENT_TOOL_PATHS_KEY = 'client-tool-paths';
const CACHE_MS = 30_000;
const VERSION_TIMEOUT_MS = 5_000;
const EXE = process.platform === 'win32' ? '.exe' : '';

interface CacheEntry {
  key: string;
  at: number;
  report: ClientToolsReport;
}
let cache: CacheEntry | null = null;

/** The folders saved in Settings, in the order the user gave them. */
export function savedToolPaths(deps: Pick<CoreDeps, 'store'>): string[] {
  const row = deps.store.db.prepare('SELECT value FROM settings WHERE key = ?').get(CLIENT_TOOL_PATHS_KEY) as { value: string } | undefined;
  if (!row) return [];
  try {
    const parsed: unknown = JSON.parse(row.value);
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string' && p.length > 0) : [];
  } catch {
    return [];
  }
}

/** "15.18" from "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"; the input itself when it is already short. */
export function shortVersion(version: string): string {
  const m = /\(PostgreSQL\)\s+(\S+)/.exec(version) ?? /(\d+(?:\.\d+)*(?:beta\d+|rc\d+)?)/.exec(version);
  return m?.[1] ?? version.trim();
}

/** Major version of a tool or server version string: "15.18" → 15, "9.6.24" → 9, "17beta1" → 17. */
export function majorOf(version: string): number | null {
  const m = /(\d+)/.exec(shortVersion(version));
  return m?.[1] ? Number(m[1]) : null;
}

/** Labels the searched folder the way the user knows it (PATH, a glob pattern, settings). */
function sourceOf(dir: string, pathDirs: ReadonlySet<string>): string {
  if (pathDirs.has(dir)) return 'PATH';
  const patterns: Array<[RegExp, string]> = [
    [/^\/usr\/lib\/postgresql\/[^/]+\/bin$/, '/usr/lib/postgresql/*/bin'],
    [/^\/usr\/pgsql-[^/]+\/bin$/, '/usr/pgsql-*/bin'],
    [/^\/opt\/homebrew\/opt\/postgresql[^/]*\/bin$/, '/opt/homebrew/opt/postgresql*/bin'],
    [/^\/usr\/local\/opt\/postgresql[^/]*\/bin$/, '/usr/local/opt/postgresql*/bin'],
    [/^\/Applications\/Postgres\.app\/Contents\/Versions\/[^/]+\/bin$/, '/Applications/Postgres.app/Contents/Versions/*/bin'],
    [/[\\/]PostgreSQL[\\/][^\\/]+[\\/]bin$/i, '%ProgramFiles%\\PostgreSQL\\*\\bin'],
  ];
  for (const [re, label] of patterns) if (re.test(dir)) return label;
  return dir;
}

async function pgConfigBindir(): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(`pg_config${EXE}`, ['--bindir'], { timeout: VERSION_TIMEOUT_MS, windowsHide: true });
    const dir = stdout.trim();
    return dir.length > 0 ? dir : null;
  } catch {
    return null;
  }
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function probeTool(dir: string, name: ClientToolName, source: string, versions: ToolVersions): Promise<ClientTool | null> {
  const candidate = path.join(dir, `${name}${EXE}`);
  if (!executable(candidate)) return null;
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    return null;
  }
  // Debian's /usr/bin/pg_dump is a link to pg_wrapper, which picks a version by cluster
  // at run time: not one fixed version. The real binaries under /usr/lib/postgresql/N/bin
  // are found on their own, so such multiplexers are left out.
  if (path.basename(real).toLowerCase() !== `${name}${EXE}`.toLowerCase()) return null;
  const id = binaryIdentity(real);
  try {
    let version = versions.get(real, id);
    if (version === null) {
      const { stdout } = await execFileAsync(real, ['--version'], {
        timeout: VERSION_TIMEOUT_MS,
        windowsHide: true,
        env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
      });
      version = stdout.trim();
      versions.remember(real, id, version);
    }
    const major = majorOf(version);
    if (major === null || !/PostgreSQL/.test(version)) return null;
    return { name, path: real, version, major, source };
  } catch {
    return null;
  }
}

/** Folders to search, in order, each once: Settings first, then PATH, pg_config, known places. */
function searchOrder(extraPaths: string[], bindir: string | null): { dirs: string[]; sources: Map<string, string> } {
  const pathVar = process.env.PATH ?? process.env.Path ?? '';
  const pathDirs = new Set(pathVar.split(path.delimiter).filter((d) => d.length > 0));
  const sources = new Map<string, string>();
  const dirs: string[] = [];
  const add = (dir: string, source: string): void => {
    const key = path.resolve(dir);
    if (sources.has(key)) return;
    sources.set(key, source);
    dirs.push(key);
  };
  for (const dir of extraPaths) add(dir, 'settings');
  const known = candidateDirs();
  for (const dir of known.filter((d) => pathDirs.has(d))) add(dir, 'PATH');
  if (bindir) add(bindir, 'pg_config');
  for (const dir of known) add(dir, sourceOf(dir, pathDirs));
  return { dirs, sources };
}

async function discover(extraPaths: string[], versions: ToolVersions): Promise<ClientToolsReport> {
  // The folders known without pg_config are probed while pg_config answers; its folder joins
  // the search order where it belongs once it has.
  const bindir = pgConfigBindir();
  const early = searchOrder(extraPaths, null);
  const probing = new Map<string, Promise<Array<ClientTool | null>>>();
  const probeDir = (dir: string, source: string) => {
    let p = probing.get(dir);
    if (!p) {
      p = Promise.all(CLIENT_TOOL_NAMES.map((name) => probeTool(dir, name, source, versions)));
      probing.set(dir, p);
    }
    return p;
  };
  for (const dir of early.dirs) void probeDir(dir, early.sources.get(dir) ?? dir);
  const { dirs, sources } = searchOrder(extraPaths, await bindir);
  // A folder's label can change once pg_config names it (it is then "pg_config", not a pattern).
  const probes = await Promise.all(
    dirs.map(async (dir) => {
      const source = sources.get(dir) ?? dir;
      const found = await probeDir(dir, source);
      return found.map((t) => (t && t.source !== source ? { ...t, source } : t));
    }),
  );
  versions.save();
  const seen = new Set<string>();
  const tools: ClientTool[] = [];
  for (const tool of probes.flat()) {
    if (!tool || seen.has(tool.path)) continue;
    seen.add(tool.path);
    tools.push(tool);
  }
  const order = (n: ClientToolName): number => CLIENT_TOOL_NAMES.indexOf(n);
  // Stable: among equal majors the earlier folder (Settings, then PATH) stays first.
  tools.sort((a, b) => order(a.name) - order(b.name) || b.major - a.major);
  return { tools, searched: dirs, extraPaths };
}

/** Every client tool installed here (cached 30 s; a change in Settings clears the cache). */
export async function discoverClientTools(deps: Pick<CoreDeps, 'store'>): Promise<ClientToolsReport> {
  const extraPaths = savedToolPaths(deps);
  const key = JSON.stringify([deps.store.path, extraPaths, process.env.PATH ?? '']);
  if (cache && cache.key === key && Date.now() - cache.at < CACHE_MS) return cache.report;
  const report = await discover(extraPaths, ToolVersions.load(deps));
  cache = { key, at: Date.now(), report };
  return report;
}

/** Forget the cached discovery (Settings changed, or a test installed something). */
export function clearClientToolsCache(): void {
  cache = null;
}

/** Saves the folders searched first; each must be an existing folder. An empty list removes them. */
export async function setClientToolPaths(deps: Pick<CoreDeps, 'store'>, paths: string[]): Promise<ClientToolsReport> {
  const clean: string[] = [];
  for (const raw of paths) {
    const dir = raw.trim();
    if (!path.isAbsolute(dir))
      throw new OpsError('INVALID_INPUT', `"${raw}" is not an absolute folder path; give the full path of the folder holding pg_dump.`, { path: raw });
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (!stat) throw new OpsError('INVALID_INPUT', `The folder ${dir} does not exist.`, { path: raw });
    if (!stat.isDirectory())
      throw new OpsError('INVALID_INPUT', `${dir} is not a folder; give the folder that holds pg_dump, not the program itself.`, { path: raw });
    const resolved = path.resolve(dir);
    if (!clean.includes(resolved)) clean.push(resolved);
  }
  const db = deps.store.db;
  if (clean.length === 0) db.prepare('DELETE FROM settings WHERE key = ?').run(CLIENT_TOOL_PATHS_KEY);
  else
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
      CLIENT_TOOL_PATHS_KEY,
      JSON.stringify(clean),
    );
  clearClientToolsCache();
  return discoverClientTools(deps);
}

/** How to get a client of a given major on this platform. */
export function clientInstallHint(major: number, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return `install it with \`brew install postgresql@${major}\` (or Postgres.app with PostgreSQL ${major})`;
  if (platform === 'win32') return `install PostgreSQL ${major} (its command line tools) from https://www.postgresql.org/download/windows/`;
  return (
    `install postgresql-client-${major} (Debian/Ubuntu: \`apt install postgresql-client-${major}\` from apt.postgresql.org; ` +
    `RHEL/Fedora: \`dnf install postgresql${major}\` from the PGDG repository; macOS: \`brew install postgresql@${major}\`)`
  );
}

/**
 * The lowest major ≥ minMajor (closest to the server, so its output restores widely).
 * `what` opens the refusal, e.g. "The server runs PostgreSQL 17.2".
 */
export function pickTool(report: ClientToolsReport, name: ClientToolName, minMajor: number, what: string, serverVersion?: string): ClientTool {
  const ofName = report.tools.filter((t) => t.name === name);
  const fitting = ofName.filter((t) => t.major >= minMajor).sort((a, b) => a.major - b.major);
  const chosen = fitting[0];
  if (chosen) return chosen;
  const found = ofName.map((t) => ({ version: shortVersion(t.version), major: t.major, path: t.path }));
  const foundText =
    found.length === 0
      ? `no ${name} was found here (looked in ${report.searched.length} folders: PATH, pg_config, the usual install locations${report.extraPaths.length > 0 ? ' and the folders added under Client tools' : ''})`
      : `the ${name} versions found here are ${found.map((f) => `${f.version} (${path.dirname(f.path)})`).join(', ')}`;
  throw new OpsError(
    'TOOL_VERSION_MISMATCH',
    `${what}; ${foundText}. ${name} must be version ${minMajor} or newer: ${clientInstallHint(minMajor)}, or add its folder under Client tools on the Backups screen (the command line uses the same list).`,
    { tool: name, requiredMajor: minMajor, serverVersion: serverVersion ?? null, found },
  );
}

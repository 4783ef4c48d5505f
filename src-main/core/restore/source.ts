// What a restore starts from: a catalog backup or any dump file/folder, and what it holds.
// The manifest (catalog or `<path>.manifest.json`) gives exact row counts and the versions;
// the archive itself is always read too (pg_restore --list, or the plain script's entry
// comments), so a damaged or cut file is refused here, before any server is touched. A plain
// script's psql meta-command lines are listed in `metaCommands` (the plan refuses them).
// The dump is read through its destination (a catalog backup's location, else the local
// file system); pg_restore gets its local path (toolPath).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BackupEntry, BackupFormat, BackupManifest, ClientTool, ClientToolsReport } from '../../contract/backup';
import { errorDetail, OpsError } from '../../contract/errors';
import type { BackupContents } from '../../contract/restore';
import type { CoreDeps } from '../platform/kernel/deps';
import { BackupCatalog } from '../backup';
import { discoverClientTools, majorOf, pickTool, shortVersion } from '../platform/tools/client-tools';
import { manifestPathFor, readManifestFrom } from '../backup';
import { listArchive, plainDumpCompleteAt } from '../platform/tools/archive';
import { localArtifact, toolPath, type Destination } from '../platform/destinations';
import crypto from 'node:crypto';
import { fileKind, parseTocLine, parseTocListing, scanPlainDumpAt, type DumpHeader, type DumpItem } from './dump-reader';
import { isBuiltinRole, loadRoleParser, namedRolesOfScript } from './named-roles';
import { offsiteStager } from './offsite-source';

export interface ResolvedSource {
  path: string;
  backupId: string | null;
  entry: BackupEntry | null;
  /** Where it is read from (a catalog backup's location, else the local file system), and its name there. */
  destination: Destination;
  name: string;
}

/** The contents plus every TOC item (what conflict detection compares with the target). */
export interface InspectedBackup {
  contents: BackupContents;
  items: DumpItem[];
}

const STDERR_KEEP = 4000;
/** A catalog id is a UUID; anything else is taken as a path. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveSource(deps: Pick<CoreDeps, 'store'>, source: string): Promise<ResolvedSource> {
  const trimmed = source.trim();
  if (UUID.test(trimmed)) {
    const catalog = new BackupCatalog(deps.store.db);
    const entry = catalog.get(trimmed);
    if (!entry)
      throw new OpsError('NOT_FOUND', `No backup with id ${trimmed} in the catalog (see the Backups screen or "ops-console backups list").`, { id: trimmed });
    if (entry.status !== 'ok')
      throw new OpsError('INVALID_INPUT', `Backup ${trimmed} is ${entry.status}: only a completed backup can be restored.`, {
        id: trimmed,
        status: entry.status,
      });
    const { destination, name } = catalog.locate(entry);
    if (!(await destination.exists(name))) {
      // Gone locally: a verified copy fetched back from offsite stands in for it.
      const staged = await offsiteStager(deps.store.db)?.stage(entry.id);
      if (staged) return { path: staged, backupId: entry.id, entry, ...localArtifact(staged) };
      throw new OpsError('NOT_FOUND', `Backup ${trimmed} is in the catalog but its file ${entry.path} is gone.`, { id: trimmed, path: entry.path });
    }
    return { path: entry.path, backupId: entry.id, entry, destination, name };
  }
  if (!path.isAbsolute(trimmed)) {
    throw new OpsError('INVALID_INPUT', `"${source}" is neither a backup id from the catalog nor an absolute path to a dump file or folder.`, { source });
  }
  // A path given by the user is on the local file system.
  const resolved = path.resolve(trimmed).replace(/[\\/]+$/, '');
  const { destination, name } = localArtifact(resolved);
  const stat = await destination.stat(name);
  if (!stat) throw new OpsError('NOT_FOUND', `There is no file or folder at ${trimmed}.`, { path: trimmed });
  if (stat.shape === 'other') throw new OpsError('INVALID_INPUT', `${trimmed} is neither a dump file nor a directory-format dump folder.`, { path: trimmed });
  // A path that is a catalog backup gets its id (so restores and drills link to it).
  const entry = new BackupCatalog(deps.store.db).list({ limit: 10_000 }).find((e) => e.status === 'ok' && path.resolve(e.path) === resolved) ?? null;
  return { path: resolved, backupId: entry?.id ?? null, entry, destination, name };
}

async function detectFormat(resolved: ResolvedSource, manifest: BackupManifest | null): Promise<BackupFormat> {
  const { destination, name, path: file } = resolved;
  const stat = await destination.stat(name);
  if (stat?.shape === 'directory') {
    if (!(await destination.exists(`${name}/toc.dat`)))
      throw new OpsError('INVALID_INPUT', `${file} is a folder without toc.dat: not a directory-format dump.`, { path: file });
    return 'directory';
  }
  const kind = await fileKind(destination, name);
  if (kind === 'custom' || kind === 'plain') return kind;
  if (manifest?.format === 'plain') return 'plain';
  throw new OpsError('INVALID_INPUT', `${file} is neither a pg_dump archive (custom format) nor a plain SQL dump written by pg_dump.`, { path: file });
}

/** pg_restore reads archives of its own major and older; before the version is known, the newest one reads best. */
function listingTool(report: ClientToolsReport, manifest: BackupManifest | null): ClientTool {
  if (manifest) return pickTool(report, 'pg_restore', majorOf(manifest.pgDumpVersion) ?? 0, `The backup was written by pg_dump ${manifest.pgDumpVersion}`);
  const newest = report.tools.filter((t) => t.name === 'pg_restore').sort((a, b) => b.major - a.major)[0];
  return newest ?? pickTool(report, 'pg_restore', 0, 'Reading a dump archive needs pg_restore');
}

/**
 * Reads every byte of a foreign archive through pg_restore (script to the null device):
 * without a manifest there is no size to compare, and `--list` reads only the table of
 * contents, so a file cut in its data part would otherwise pass.
 */
async function readThrough(tool: ClientTool, target: string): Promise<void> {
  let err = '';
  const code = await new Promise<number | string>((resolve, reject) => {
    const child = spawn(tool.path, ['-f', process.platform === 'win32' ? 'NUL' : '/dev/null', target], {
      shell: false,
      windowsHide: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', reject);
    child.on('close', (exitCode, sig) => resolve(exitCode ?? sig ?? 'unknown'));
  });
  if (code !== 0) {
    const first = err.trim().split('\n')[0] ?? `exit ${String(code)}`;
    throw new OpsError('BACKUP_FAILED', `The archive ${target} is damaged or incomplete: ${first}`, { stderr: err.trim(), exit: code });
  }
}

/** TOC entries whose statements name roles: grants/revokes, default privileges, policies. */
const ROLE_NAMING_TYPES = new Set(['ACL', 'DEFAULT ACL', 'POLICY']);
/** pg_restore's script of those entries alone is small; past this it is cut (and read as far as it went). */
const ROLE_SCRIPT_LIMIT = 64 * 1024 * 1024;

/**
 * The roles an archive's ACL, DEFAULT ACL and POLICY entries name: pg_restore writes the
 * SQL of those entries only (a -L list of them) and the parser reads the statements.
 */
async function archiveNamedRoles(deps: CoreDeps, tool: ClientTool, target: string, toc: string): Promise<string[]> {
  const lines = toc.split('\n').filter((line) => {
    const item = line.startsWith(';') ? null : parseTocLine(line);
    return item !== null && ROLE_NAMING_TYPES.has(item.type);
  });
  if (lines.length === 0) return [];
  const dir = path.join(deps.home, 'restore-lists');
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const listFile = path.join(dir, `roles-${crypto.createHash('sha256').update(target).update(lines.join('\n')).digest('hex').slice(0, 16)}.list`);
  await fs.promises.writeFile(listFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  let out = '';
  let err = '';
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      const child = spawn(tool.path, ['-L', listFile, '-f', '-', target], {
        shell: false,
        windowsHide: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
      });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        if (out.length < ROLE_SCRIPT_LIMIT) out += c;
      });
      child.stderr.on('data', (c: Buffer) => {
        err = (err + c.toString('utf8')).slice(-STDERR_KEEP);
      });
      child.on('error', reject);
      child.on('close', (exitCode, sig) => resolve(exitCode ?? sig ?? 'unknown'));
    });
    if (code !== 0)
      throw new OpsError(
        'BACKUP_FAILED',
        `pg_restore could not write the grants and policies of ${target}: ${err.trim().split('\n')[0] ?? `exit ${String(code)}`}`,
        { stderr: err.trim(), exit: code },
      );
  } finally {
    await fs.promises.rm(listFile, { force: true });
  }
  await loadRoleParser();
  return namedRolesOfScript(out);
}

/** A directory-format dump's size is the sum of its files' sizes. */
async function artifactBytes(resolved: ResolvedSource): Promise<number> {
  const stat = await resolved.destination.stat(resolved.name);
  if (stat === null) throw new OpsError('NOT_FOUND', `There is no file or folder at ${resolved.path}.`, { path: resolved.path });
  return stat.bytes;
}

async function checkSize(resolved: ResolvedSource, manifest: BackupManifest): Promise<void> {
  const target = resolved.path;
  const bytes = await artifactBytes(resolved);
  if (bytes !== manifest.bytes) {
    throw new OpsError(
      'BACKUP_FAILED',
      `${target} is ${bytes} bytes but its manifest recorded ${manifest.bytes}: the backup was cut short or changed since it was taken. Restore another backup.`,
      { path: target, bytes, expected: manifest.bytes },
    );
  }
}

function describe(
  resolved: ResolvedSource,
  format: BackupFormat,
  manifest: BackupManifest | null,
  header: DumpHeader,
  items: DumpItem[],
  extra: {
    bytes: number;
    rows: Map<string, number> | null;
    grantees: string[];
    namedRoles: string[];
    tocEntries: number | null;
    warnings: string[];
    metaCommands: BackupContents['metaCommands'];
  },
): BackupContents {
  const objects: Record<string, number> = {};
  for (const item of items) objects[item.type] = (objects[item.type] ?? 0) + 1;
  const schemas = new Set<string>();
  for (const item of items) {
    if (item.type === 'SCHEMA') schemas.add(item.name);
    else if (item.schema !== null && !['ACL', 'COMMENT', 'DEFAULT ACL'].includes(item.type)) schemas.add(item.schema);
  }
  const manifestRows = new Map((manifest?.tables ?? []).map((t) => [`${t.schema}.${t.name}`, t]));
  const tables = items
    .filter((i) => i.type === 'TABLE')
    .map((i) => {
      const key = `${i.schema ?? 'public'}.${i.name}`;
      const known = manifestRows.get(key);
      if (known) return { schema: i.schema ?? 'public', name: i.name, rows: known.rows, exact: known.exact };
      const counted = extra.rows?.get(key);
      return { schema: i.schema ?? 'public', name: i.name, rows: counted ?? null, exact: counted === undefined ? null : true };
    });
  // A manifest table the TOC lacks (should not happen) is still checked after the restore.
  for (const t of manifest?.tables ?? []) {
    if (!tables.some((x) => x.schema === t.schema && x.name === t.name)) tables.push({ schema: t.schema, name: t.name, rows: t.rows, exact: t.exact });
  }
  const named = new Set(extra.namedRoles.filter((r) => !isBuiltinRole(r)));
  for (const r of manifest?.supabase?.referencedRoles ?? []) if (!isBuiltinRole(r)) named.add(r);
  const roles = new Set<string>([...extra.grantees]);
  for (const item of items) if (item.owner !== null) roles.add(item.owner);
  // A Supabase backup keeps its grants and policies: the roles they name must exist too.
  for (const r of manifest?.supabase?.referencedRoles ?? []) roles.add(r);
  const serverVersion = manifest?.serverVersion ?? (header.serverVersion ? shortVersion(header.serverVersion) : null);
  const pgDumpVersion = manifest ? shortVersion(manifest.pgDumpVersion) : header.pgDumpVersion ? shortVersion(header.pgDumpVersion) : null;
  return {
    backupId: resolved.backupId,
    path: resolved.path,
    format,
    kind: manifest?.kind ?? resolved.entry?.kind ?? null,
    manifest,
    serverVersion,
    pgDumpVersion,
    requiredMajor: pgDumpVersion ? majorOf(pgDumpVersion) : null,
    createdAt: manifest?.startedAt ?? header.createdAt,
    bytes: extra.bytes,
    schemas: [...schemas].sort(),
    tables,
    functions: items.filter((i) => i.type === 'FUNCTION' || i.type === 'PROCEDURE' || i.type === 'AGGREGATE').length,
    extensions: items
      .filter((i) => i.type === 'EXTENSION')
      .map((i) => i.name)
      .sort(),
    roles: [...roles].sort(),
    namedRoles: [...named].sort(),
    objects: Object.keys(objects).length > 0 ? objects : (manifest?.objects ?? {}),
    tocEntries: extra.tocEntries,
    warnings: extra.warnings,
    metaCommands: extra.metaCommands,
  };
}

interface CacheEntry {
  key: string;
  value: InspectedBackup;
}
const cache = new Map<string, CacheEntry>();
const CACHE_LIMIT = 20;

async function cacheKey(resolved: ResolvedSource): Promise<string> {
  const stat = await resolved.destination.stat(resolved.name);
  if (stat === null) throw new OpsError('NOT_FOUND', `There is no file or folder at ${resolved.path}.`, { path: resolved.path });
  return `${stat.mtimeMs}:${stat.bytes}:${stat.identity}`;
}

async function inspectUncached(deps: CoreDeps, resolved: ResolvedSource): Promise<InspectedBackup> {
  const target = resolved.path;
  const { destination, name } = resolved;
  const manifest = resolved.entry?.manifest ?? (await readManifestFrom(destination, manifestPathFor(name)));
  const format = await detectFormat(resolved, manifest);
  const warnings: string[] = [];
  if (manifest && manifest.format !== format)
    throw new OpsError(
      'BACKUP_FAILED',
      `${target} is a ${format} dump but its manifest describes a ${manifest.format} backup: the manifest belongs to another file.`,
      { path: target },
    );
  if (manifest && manifest.file !== path.basename(target)) warnings.push(`The manifest was written for ${manifest.file}; the file has been renamed since.`);
  if (!manifest)
    warnings.push('No manifest beside this dump: row counts come from the dump itself (plain) or are unknown (archives), and the versions from its header.');
  if (manifest) await checkSize(resolved, manifest);
  const bytes = await artifactBytes(resolved);

  if (format === 'plain') {
    if (!(await plainDumpCompleteAt(destination, name))) {
      throw new OpsError('BACKUP_FAILED', `${target} does not end with pg_dump's completion marker: the script is cut short. Restore another backup.`, {
        path: target,
      });
    }
    const scanned = await scanPlainDumpAt(destination, name);
    if (scanned.items.length === 0 && !manifest) warnings.push('The script has no pg_dump entry comments: its objects cannot be listed.');
    const extra = {
      bytes,
      rows: scanned.rows,
      grantees: scanned.grantees,
      namedRoles: scanned.namedRoles,
      tocEntries: null,
      warnings,
      metaCommands: scanned.metaCommands,
    };
    return { contents: describe(resolved, format, manifest, scanned.header, scanned.items, extra), items: scanned.items };
  }

  const tool = listingTool(await discoverClientTools(deps), manifest);
  // pg_restore reads the archive by path: a remote destination would stage it locally first.
  const archivePath = toolPath(destination, name);
  let listed: Awaited<ReturnType<typeof listArchive>>;
  try {
    listed = await listArchive(tool, archivePath);
  } catch (err) {
    if (err instanceof OpsError && /unsupported version/i.test(err.message)) {
      throw new OpsError(
        'TOOL_VERSION_MISMATCH',
        `${err.message}. The archive was written by a newer pg_dump than pg_restore ${tool.major}: install a newer PostgreSQL client.`,
        errorDetail(err, 'BACKUP_FAILED'),
      );
    }
    throw err;
  }
  const parsed = parseTocListing(listed.toc);
  if (!manifest) await readThrough(tool, archivePath);
  const namedRoles = await archiveNamedRoles(deps, tool, archivePath, listed.toc);
  const contents = describe(resolved, format, manifest, parsed.header, parsed.items, {
    bytes,
    rows: null,
    grantees: [],
    namedRoles,
    tocEntries: listed.tocEntries,
    warnings,
    metaCommands: null,
  });
  if (manifest?.tocEntries != null && manifest.tocEntries !== listed.tocEntries) {
    throw new OpsError(
      'BACKUP_FAILED',
      `pg_restore --list reads ${listed.tocEntries} entries in ${target}; its manifest recorded ${manifest.tocEntries}: the archive is not the one that was backed up.`,
      { path: target },
    );
  }
  return { contents, items: parsed.items };
}

/** Contents plus TOC items; read once per file version (size, mtime) in this process. */
export async function inspectDetailed(deps: CoreDeps, source: string): Promise<InspectedBackup> {
  const resolved = await resolveSource(deps, source);
  const key = await cacheKey(resolved);
  const hit = cache.get(resolved.path);
  if (hit && hit.key === key) return { contents: { ...hit.value.contents, backupId: resolved.backupId }, items: hit.value.items };
  const value = await inspectUncached(deps, resolved);
  cache.set(resolved.path, { key, value });
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return value;
}

/** What a backup holds (manifest, else the archive or script itself). Touches no server. */
export async function inspectBackup(deps: CoreDeps, source: string): Promise<BackupContents> {
  return (await inspectDetailed(deps, source)).contents;
}

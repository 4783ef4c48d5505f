// Before a drill starts: which backup (the profile's latest good one, or a named source),
// which client tool and which scratch major, and when the backup was taken — all checked
// here so the drill itself only restores, validates and times.
import type { BackupEntry, ClientTool } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { BackupContents } from '../../contract/restore';
import type { CoreDeps } from '../platform/kernel/deps';
import type { BackupCatalog } from '../backup';
import { discoverClientTools, majorOf, pickTool } from '../platform/tools/client-tools';
import { pickScratchBinaries } from './scratch';
import { refuseMetaCommands, requireRestrictingPsql } from './meta-commands';
import { inspectBackup, resolveSource, type ResolvedSource } from './source';

export interface DrillRequest {
  source?: string;
  profileId?: string;
  jobs: number;
}

/** Everything checked before a drill starts: what to restore, with what, into which major. */
export interface PreparedDrill {
  backupPath: string;
  backupId: string | null;
  contents: BackupContents;
  tool: ClientTool;
  profile: Profile | null;
  profileId: string | null;
  profileName: string | null;
  scratchMajor: number;
  backupCreatedAt: string | null;
  notes: string[];
  jobs: number;
}

/** The newest good full backup of a profile: what "drill this profile" means. */
function latestBackup(catalog: BackupCatalog, profile: Profile): BackupEntry {
  const entry = catalog.list({ profileId: profile.id, limit: 10_000 }).find((e) => e.status === 'ok' && e.kind === 'full');
  if (!entry)
    throw new OpsError(
      'NOT_FOUND',
      `${profile.name} has no completed full backup to drill yet: take one first (Backups screen or "ops-console backup ${profile.name}").`,
      { profileId: profile.id },
    );
  return entry;
}

function findProfile(deps: CoreDeps, idOrName: string): Profile {
  const profile = deps.profiles.get(idOrName) ?? deps.profiles.getByName(idOrName);
  if (!profile) throw new OpsError('NOT_FOUND', `No profile "${idOrName}".`, { profileId: idOrName });
  return profile;
}

/** When the backup was taken: its manifest, else the dump's own header, else the file's time (flagged). */
async function backupTime(contents: BackupContents, resolved: ResolvedSource, notes: string[]): Promise<string | null> {
  if (contents.manifest?.startedAt) return contents.manifest.startedAt;
  if (contents.createdAt) return contents.createdAt;
  const stat = await resolved.destination.stat(resolved.name).catch(() => null);
  if (stat === null) {
    notes.push('The backup has no manifest and no date: its age is unknown.');
    return null;
  }
  // Rounded as fs.Stats.mtime is (mtimeMs has a fraction).
  const mtime = new Date(Math.round(stat.mtimeMs)).toISOString();
  notes.push(`The backup has no manifest and its header no date: its age is measured from the file's modification time (${mtime}).`);
  return mtime;
}

/** Resolves the backup, reads it (no server touched) and checks the tools, before anything starts. */
export async function prepareDrill(deps: CoreDeps, catalog: BackupCatalog, request: DrillRequest): Promise<PreparedDrill> {
  let profile = request.profileId === undefined ? null : findProfile(deps, request.profileId);
  const source = request.source ?? latestBackup(catalog, profile!).id;
  const resolved = await resolveSource(deps, source);
  if (!profile && resolved.entry) profile = deps.profiles.get(resolved.entry.profileId);
  const contents = await inspectBackup(deps, source);
  // A drill restores as the scratch cluster's superuser on this machine: no meta-commands either.
  refuseMetaCommands(contents);
  const notes: string[] = [];
  const toolName = contents.format === 'plain' ? 'psql' : 'pg_restore';
  const requiredMajor = contents.requiredMajor ?? 0;
  const tool = pickTool(
    await discoverClientTools(deps),
    toolName,
    requiredMajor,
    `The backup was written by pg_dump ${contents.pgDumpVersion ?? '(version unknown)'}`,
  );
  requireRestrictingPsql(tool);
  // The scratch server should be at least the source's major: a dump of a newer server may
  // use what an older one does not understand.
  const sourceMajor = contents.serverVersion ? majorOf(contents.serverVersion) : null;
  const scratchMajor = Math.max(sourceMajor ?? 0, requiredMajor);
  await pickScratchBinaries(scratchMajor);
  if (contents.kind !== null && contents.kind !== 'full') notes.push(`This is a ${contents.kind} backup, not a full one: the drill proves only what it holds.`);
  return {
    backupPath: resolved.path,
    backupId: resolved.backupId,
    contents,
    tool,
    profile,
    profileId: profile?.id ?? resolved.entry?.profileId ?? null,
    profileName: profile?.name ?? resolved.entry?.profileName ?? contents.manifest?.profile.name ?? null,
    scratchMajor,
    backupCreatedAt: await backupTime(contents, resolved, notes),
    notes,
    jobs: request.jobs,
  };
}

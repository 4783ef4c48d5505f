// Proof that a backup is one: the archive's table of contents reads back with pg_restore
// (custom, directory), a plain script ends with pg_dump's completion marker, and the bytes
// hash to what the manifest recorded. Used right after a dump and by "re-verify".
import type { BackupCheck, BackupEntry, BackupVerifyResult } from '../../contract/backup';
import { judged, worstVerdict } from '../../contract/verdict';
import { OpsError } from '../../contract/errors';
import type { CoreDeps } from '../platform/kernel/deps';
import { BackupCatalog } from './catalog';
import { discoverClientTools, majorOf, pickTool } from '../platform/tools/client-tools';
import { manifestPathFor, readManifestFrom } from './manifest';
import { artifactText, toolPath, type LocatedArtifact } from '../platform/destinations';
import { hashArtifact, listArchive, plainDumpCompleteAt } from '../platform/tools/archive';

function check(checks: BackupCheck[], name: string, ok: boolean, detail: string): boolean {
  checks.push(judged(name, ok ? 'pass' : 'fail', detail));
  return ok;
}

async function archiveCheck(deps: CoreDeps, entry: BackupEntry, artifact: LocatedArtifact, checks: BackupCheck[]): Promise<void> {
  const manifest = entry.manifest;
  if (entry.format === 'plain') {
    const complete = await plainDumpCompleteAt(artifact.destination, artifact.name);
    check(
      checks,
      'completion marker',
      complete,
      complete ? 'the script ends with pg_dump’s completion marker' : 'the completion marker is missing: the script is cut short',
    );
    return;
  }
  const dumpMajor = manifest ? (majorOf(manifest.pgDumpVersion) ?? 0) : 0;
  // pg_restore reads archives of its own major and older only; TOOL_VERSION_MISMATCH goes to the caller.
  const tool = pickTool(
    await discoverClientTools(deps),
    'pg_restore',
    dumpMajor,
    `The backup was written by pg_dump ${manifest?.pgDumpVersion ?? 'of an unknown version'}`,
  );
  try {
    const listed = await listArchive(tool, toolPath(artifact.destination, artifact.name));
    const expected = manifest?.tocEntries ?? null;
    const same = expected === null || expected === listed.tocEntries;
    check(
      checks,
      'table of contents',
      same,
      same ? `pg_restore --list reads ${listed.tocEntries} entries` : `pg_restore --list reads ${listed.tocEntries} entries; the manifest recorded ${expected}`,
    );
  } catch (err) {
    if (!(err instanceof OpsError) || err.code !== 'BACKUP_FAILED') throw err;
    check(checks, 'table of contents', false, err.message);
  }
}

/** Re-verifies a catalog entry and records the outcome (verified_at, verified_ok). */
export async function verifyBackupEntry(deps: CoreDeps, entry: BackupEntry): Promise<BackupVerifyResult> {
  const checks: BackupCheck[] = [];
  const catalog = new BackupCatalog(deps.store.db);
  const done = (): BackupVerifyResult => {
    const status = checks.length === 0 ? 'fail' : worstVerdict(checks.map((c) => c.status));
    const ok = status !== 'fail';
    catalog.setVerified(entry.id, ok, new Date().toISOString());
    return { ok, status, id: entry.id, checks };
  };
  if (!check(checks, 'status', entry.status === 'ok', entry.status === 'ok' ? 'the backup completed' : `the backup is ${entry.status}, not a completed backup`))
    return done();
  // The catalog's location says where the backup is; messages keep naming its path.
  const artifact = catalog.locate(entry);
  const { destination, name } = artifact;
  const stat = await destination.stat(name).catch(() => null);
  const shape = stat === null ? undefined : stat.shape === (entry.format === 'directory' ? 'directory' : 'file');
  if (
    !check(
      checks,
      'files exist',
      shape === true,
      shape ? entry.path : `${entry.path} is missing or is not a ${entry.format === 'directory' ? 'folder' : 'file'}`,
    )
  )
    return done();

  const hashed = await hashArtifact(destination, name);
  const expected = entry.sha256 ?? entry.manifest?.sha256 ?? null;
  check(
    checks,
    'checksum',
    expected !== null && hashed.sha256 === expected,
    expected === null
      ? 'no checksum was recorded'
      : hashed.sha256 === expected
        ? `sha256 ${hashed.sha256} (${hashed.bytes} bytes)`
        : `sha256 is ${hashed.sha256}; the catalog recorded ${expected}`,
  );

  const manifestName = manifestPathFor(name);
  const besideFile = artifactText(destination, manifestName);
  const beside = await readManifestFrom(destination, manifestName).catch(() => null);
  const agrees = beside !== null && beside.id === entry.id && beside.sha256 === (entry.sha256 ?? beside.sha256);
  check(
    checks,
    'manifest',
    agrees,
    beside === null
      ? `${besideFile} is missing or unreadable`
      : agrees
        ? `${besideFile} agrees with the catalog`
        : `${besideFile} describes another backup (id ${beside.id}, sha256 ${beside.sha256})`,
  );

  await archiveCheck(deps, entry, artifact, checks);
  // What went wrong beside a good dump (the pre-operation marker not recorded…): a warning, not a pass.
  const warnings = entry.manifest?.warnings ?? [];
  if (warnings.length > 0) checks.push(judged('warnings at backup time', 'warning', warnings.join('; ')));
  return done();
}

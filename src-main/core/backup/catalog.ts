// The backup catalog (table `backups`, migrations 7 and 10): one row per backup attempt, written
// 'running' before pg_dump starts and finished exactly once, so a failed or cancelled
// attempt never shows as a good backup. Several processes share the store (desktop app,
// CLI), so a running row remembers which process owns it: markInterrupted() at startup
// only fails rows whose owner is gone. A row's `location` says where the backup is (its
// destination, platform/destinations); `path` is what entries show, as before.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { BackupEntry, BackupFormat, BackupKind, BackupManifest, BackupStatus } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import { log } from '../platform/kernel/log';
import { ownerState, ownerTag, parseOwnerTag } from '../platform/jobs/owner';
import { locate, localLocation, type LocatedArtifact } from '../platform/destinations';

export const INTERRUPTED_ERROR = 'the app stopped while this backup ran';

interface BackupRow {
  id: string;
  profile_id: string;
  profile_name: string;
  kind: BackupKind;
  format: BackupFormat;
  path: string;
  status: BackupStatus;
  bytes: number | null;
  sha256: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  command: string;
  error: string | null;
  verified_at: string | null;
  verified_ok: number | null;
  manifest_json: string | null;
  /** Where it is (platform/destinations); null only if written by a version before migration 10 that ran after it. */
  location: string | null;
}

export interface RunningBackup {
  id: string;
  profileId: string;
  profileName: string;
  kind: BackupKind;
  format: BackupFormat;
  path: string;
  /** The stored location (formatLocation); by default the local path's. */
  location?: string;
  startedAt: string;
  command: string;
}

export interface BackupFinish {
  status: 'ok' | 'failed' | 'cancelled';
  bytes?: number | null;
  sha256?: string | null;
  finishedAt: string;
  durationMs: number;
  error?: string | null;
  manifest?: BackupManifest | null;
  /** The final path, when it differs from the one recorded at start. */
  path?: string;
  /** Its location, with path. */
  location?: string;
}

function parseManifest(json: string | null): BackupManifest | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as BackupManifest;
  } catch {
    return null;
  }
}

function toEntry(row: BackupRow): BackupEntry {
  return {
    id: row.id,
    profileId: row.profile_id,
    profileName: row.profile_name,
    kind: row.kind,
    format: row.format,
    path: row.path,
    status: row.status,
    bytes: row.bytes,
    sha256: row.sha256,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    command: row.command,
    error: row.status === 'running' ? null : row.error,
    verifiedAt: row.verified_at,
    verifiedOk: row.verified_ok === null ? null : row.verified_ok === 1,
    manifest: parseManifest(row.manifest_json),
  };
}

export class BackupCatalog {
  constructor(private readonly db: Database.Database) {}

  insertRunning(e: RunningBackup): void {
    this.db
      .prepare(
        `INSERT INTO backups (id, profile_id, profile_name, kind, format, path, location, status, started_at, command, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(e.id, e.profileId, e.profileName, e.kind, e.format, e.path, e.location ?? localLocation(e.path), e.startedAt, e.command, ownerTag());
  }

  /** Ends a running backup; a row already finished is left as it is (first outcome wins). */
  finish(id: string, f: BackupFinish): void {
    const result = this.db
      .prepare(
        `UPDATE backups SET status = ?, bytes = ?, sha256 = ?, finished_at = ?, duration_ms = ?, error = ?,
                manifest_json = ?, path = COALESCE(?, path), location = COALESCE(?, ?, location)
          WHERE id = ? AND status = 'running'`,
      )
      .run(
        f.status,
        f.bytes ?? null,
        f.sha256 ?? null,
        f.finishedAt,
        Math.round(f.durationMs),
        f.error ?? null,
        f.manifest ? JSON.stringify(f.manifest) : null,
        f.path ?? null,
        f.location ?? null,
        f.path === undefined ? null : localLocation(f.path),
        id,
      );
    if (result.changes === 0 && !this.get(id)) throw new OpsError('NOT_FOUND', `No backup with id ${id} in the catalog.`, { id });
  }

  /** Newest first. */
  list(filter: { profileId?: string; limit: number }): BackupEntry[] {
    const rows =
      filter.profileId === undefined
        ? this.db.prepare('SELECT * FROM backups ORDER BY started_at DESC, rowid DESC LIMIT ?').all(filter.limit)
        : this.db.prepare('SELECT * FROM backups WHERE profile_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(filter.profileId, filter.limit);
    return (rows as BackupRow[]).map(toEntry);
  }

  /**
   * The newest backup of a profile that finished ok with one of these kinds (the Fleet
   * screen's "last backup" against the RPO), or null: one row, whatever the history's length.
   */
  latestOk(profileId: string, kinds: readonly BackupKind[]): BackupEntry | null {
    if (kinds.length === 0) return null;
    const row = this.db
      .prepare(
        `SELECT * FROM backups WHERE profile_id = ? AND status = 'ok' AND kind IN (${kinds.map(() => '?').join(', ')})
         ORDER BY started_at DESC, rowid DESC LIMIT 1`,
      )
      .get(profileId, ...kinds) as BackupRow | undefined;
    return row ? toEntry(row) : null;
  }

  get(id: string): BackupEntry | null {
    const row = this.db.prepare('SELECT * FROM backups WHERE id = ?').get(id) as BackupRow | undefined;
    return row ? toEntry(row) : null;
  }

  setVerified(id: string, ok: boolean, at: string): void {
    const result = this.db.prepare('UPDATE backups SET verified_at = ?, verified_ok = ? WHERE id = ?').run(at, ok ? 1 : 0, id);
    if (result.changes === 0) throw new OpsError('NOT_FOUND', `No backup with id ${id} in the catalog.`, { id });
  }

  /**
   * Where a backup is: its destination and name there, from the row's location (an entry
   * the catalog lacks, or a row without one, is taken as the local file at its path).
   */
  locate(entry: Pick<BackupEntry, 'id' | 'path'>): LocatedArtifact {
    const row = this.db.prepare('SELECT location FROM backups WHERE id = ?').get(entry.id) as { location: string | null } | undefined;
    return locate(row?.location ?? localLocation(entry.path));
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM backups WHERE id = ?').run(id);
  }

  /**
   * Rows left 'running' by a process that is gone (crash, power loss, kill -9) become
   * 'failed', and their `.partial` output is deleted (its name is free only when no
   * backup uses it, see Destination.freeName). Rows of another live process on this machine (the
   * desktop app while the CLI starts) are left alone. `notes` (by backup id) say what the
   * start-up sweep found, e.g. a pg_dump still running. Returns how many rows were marked.
   */
  markInterrupted(now: Date = new Date(), notes: ReadonlyMap<string, string> = new Map()): number {
    const rows = this.db.prepare("SELECT id, path, location, error FROM backups WHERE status = 'running'").all() as Array<{
      id: string;
      path: string;
      location: string | null;
      error: string | null;
    }>;
    const mark = this.db.prepare(`UPDATE backups SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`);
    let marked = 0;
    const at = now.toISOString();
    // The owner (platform/jobs/owner.ts) is kept in `error` while the row runs (never shown).
    const dead = rows.filter((row) => ownerState(parseOwnerTag(row.error)) !== 'alive');
    for (const row of dead) {
      // A row naming this very process comes from an earlier process given the same pid
      // (it is marked), or from another core in this process on the same home (tests):
      // its output is left to the run-record sweep, which can tell the two apart.
      if (row.error === ownerTag()) continue;
      // Synchronous, as start-up is: the local destination's partial, by path. A remote
      // destination has no local partial here; its abandoned uploads are its own to expire.
      let partial: string | null = null;
      try {
        const { destination, name } = locate(row.location ?? localLocation(row.path));
        partial = destination.localPath(destination.partialName(name));
        if (partial !== null) fs.rmSync(partial, { recursive: true, force: true });
      } catch (err) {
        log.warn(`could not delete ${partial ?? `the partial of ${row.path}`}`, err instanceof Error ? err.message : String(err));
      }
    }
    this.db.transaction(() => {
      for (const row of dead) {
        const note = notes.get(row.id);
        marked += mark.run(note ? `${INTERRUPTED_ERROR}: ${note}` : INTERRUPTED_ERROR, at, row.id).changes;
      }
    })();
    return marked;
  }
}

// The storage snapshot catalog (migration 13). A row is written 'running' before the first
// byte lands, with its owner process in `error` (platform/jobs/owner.ts, as the backup
// catalog does), so a start-up in another process fails only the rows whose owner is gone,
// and removes their partial folder.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { StorageSnapshotEntry, StorageSnapshotResult, StorageSnapshotStatus } from '../../contract/storage';
import { ownerState, ownerTag, parseOwnerTag } from '../platform/jobs/owner';
import { log } from '../platform/kernel/log';

export const INTERRUPTED_ERROR = 'the app stopped while this snapshot ran';

interface Row {
  id: string;
  profile_id: string;
  profile_name: string;
  path: string;
  status: StorageSnapshotStatus;
  buckets_json: string;
  objects: number;
  bytes: number;
  changed_objects: number;
  reused_objects: number;
  manifest_sha256: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  verified_at: string | null;
  verified_ok: number | null;
}

function toEntry(r: Row): StorageSnapshotEntry {
  return {
    id: r.id,
    profileId: r.profile_id,
    profileName: r.profile_name,
    path: r.path,
    status: r.status,
    buckets: JSON.parse(r.buckets_json) as string[],
    objects: r.objects,
    bytes: r.bytes,
    changedObjects: r.changed_objects,
    reusedObjects: r.reused_objects,
    manifestSha256: r.manifest_sha256,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    // The owner tag is bookkeeping, never an error to show.
    error: r.status === 'running' ? null : r.error,
    verifiedAt: r.verified_at,
    verifiedOk: r.verified_ok === null ? null : r.verified_ok === 1,
    // One stat per row (the list is capped at 500): what the screens need to offer "fetch from offsite" instead of "Show in folder".
    ...(r.status === 'ok' && !fs.existsSync(r.path) ? { folderGone: true as const } : {}),
  };
}

export class SnapshotCatalog {
  constructor(private readonly db: Database.Database) {}

  begin(e: { id: string; profileId: string; profileName: string; path: string; buckets: string[]; startedAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO storage_snapshots (id, profile_id, profile_name, path, status, buckets_json, started_at, error) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(e.id, e.profileId, e.profileName, e.path, JSON.stringify(e.buckets), e.startedAt, ownerTag());
  }

  finishOk(id: string, r: StorageSnapshotResult): void {
    this.db
      .prepare(
        `UPDATE storage_snapshots SET status = 'ok', buckets_json = ?, objects = ?, bytes = ?, changed_objects = ?, reused_objects = ?, manifest_sha256 = ?,
           finished_at = ?, duration_ms = ?, error = ?, verified_at = ?, verified_ok = 1 WHERE id = ?`,
      )
      .run(
        JSON.stringify(r.buckets),
        r.objects,
        r.bytes,
        r.changedObjects,
        r.reusedObjects,
        r.manifestSha256,
        new Date().toISOString(),
        r.durationMs,
        r.warnings.length ? r.warnings.join(' ') : null,
        new Date().toISOString(),
        id,
      );
  }

  finishFailed(id: string, status: 'failed' | 'cancelled', error: string, durationMs: number): void {
    this.db
      .prepare(`UPDATE storage_snapshots SET status = ?, error = ?, finished_at = ?, duration_ms = ? WHERE id = ?`)
      .run(status, error, new Date().toISOString(), durationMs, id);
  }

  setVerified(id: string, ok: boolean): void {
    this.db.prepare(`UPDATE storage_snapshots SET verified_at = ?, verified_ok = ? WHERE id = ?`).run(new Date().toISOString(), ok ? 1 : 0, id);
  }

  get(id: string): StorageSnapshotEntry | null {
    const row = this.db.prepare('SELECT * FROM storage_snapshots WHERE id = ?').get(id) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  /** By catalog id, or by the folder's path (the CLI takes either). */
  find(idOrPath: string): StorageSnapshotEntry | null {
    const row = this.db.prepare('SELECT * FROM storage_snapshots WHERE id = ? OR path = ? ORDER BY started_at DESC LIMIT 1').get(idOrPath, idOrPath) as
      Row | undefined;
    return row ? toEntry(row) : null;
  }

  list(profileId?: string, limit = 500): StorageSnapshotEntry[] {
    const rows = (
      profileId === undefined
        ? this.db.prepare('SELECT * FROM storage_snapshots ORDER BY started_at DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM storage_snapshots WHERE profile_id = ? ORDER BY started_at DESC LIMIT ?').all(profileId, limit)
    ) as Row[];
    return rows.map(toEntry);
  }

  /** The newest ok snapshot of the profile whose folder is still there: what an incremental run links from. */
  latestOk(profileId: string): StorageSnapshotEntry | null {
    return this.list(profileId).find((e) => e.status === 'ok' && fs.existsSync(e.path)) ?? null;
  }

  /** The row only: the caller removes the folder (files hard-linked by other snapshots stay in theirs). */
  remove(id: string): void {
    this.db.prepare('DELETE FROM storage_snapshots WHERE id = ?').run(id);
  }

  /** Start-up: running rows whose owner process is gone → failed, their partial folder removed. */
  markInterrupted(): number {
    const rows = this.db.prepare("SELECT id, path, error FROM storage_snapshots WHERE status = 'running'").all() as Array<Pick<Row, 'id' | 'path' | 'error'>>;
    let marked = 0;
    for (const row of rows) {
      if (ownerState(parseOwnerTag(row.error)) !== 'gone') continue;
      try {
        fs.rmSync(`${row.path}.partial`, { recursive: true, force: true });
      } catch (err) {
        log.warn(`could not delete ${row.path}.partial`, err instanceof Error ? err.message : String(err));
      }
      marked += this.db
        .prepare(`UPDATE storage_snapshots SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`)
        .run(INTERRUPTED_ERROR, new Date().toISOString(), row.id).changes;
    }
    return marked;
  }
}

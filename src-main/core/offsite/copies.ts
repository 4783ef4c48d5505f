// The backup_copies table (migration 12): one row per copy of a backup on a destination.
// While a row runs its `error` holds its owner process (platform/jobs/owner.ts, as the
// backup and snapshot catalogs do; never shown), so start-up fails only the running rows
// whose process is gone (markInterrupted).
import type Database from 'better-sqlite3';
import type { BackupCopy, CopyStatus } from '../../contract/offsite';
import { ownerState, ownerTag, parseOwnerTag } from '../platform/jobs/owner';

/** A running copy whose process is gone (start-up): its row says so. */
export const INTERRUPTED_COPY = 'interrupted: the app stopped while this copy ran';

interface Row {
  id: string;
  artifact_kind: 'backup' | 'storage';
  artifact_id: string;
  destination_id: string;
  destination_name: string;
  object_key: string;
  stored_bytes: number | null;
  plain_sha256: string | null;
  encrypted: number;
  key_id: string | null;
  status: CopyStatus;
  started_at: string;
  finished_at: string | null;
  verified_at: string | null;
  error: string | null;
  /** Migration 16: 1 when the backup was written straight to this destination. */
  direct: number;
}

export class CopyRepo {
  constructor(private readonly db: Database.Database) {}

  /** `kind` 'storage': `backupId` is a storage snapshot's id. */
  insertRunning(c: {
    id: string;
    backupId: string;
    destinationId: string;
    destination: string;
    key: string;
    encrypted: boolean;
    keyId: string | null;
    kind?: 'backup' | 'storage';
    /** A backup written straight to the destination (direct.ts): no local file ever held it. */
    direct?: boolean;
  }): void {
    this.db
      .prepare(
        `INSERT INTO backup_copies (id, artifact_kind, artifact_id, destination_id, destination_name, object_key, encrypted, key_id, status, started_at, direct, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(
        c.id,
        c.kind ?? 'backup',
        c.backupId,
        c.destinationId,
        c.destination,
        c.key,
        c.encrypted ? 1 : 0,
        c.keyId,
        new Date().toISOString(),
        c.direct ? 1 : 0,
        ownerTag(),
      );
  }

  /** A resumed attempt runs again under the same id (its resume log is named by it). */
  restart(id: string): void {
    this.db.prepare("UPDATE backup_copies SET status = 'running', error = ?, finished_at = NULL WHERE id = ?").run(ownerTag(), id);
  }

  finishOk(id: string, bytes: number, sha256: string, verifiedAt: string): void {
    this.db
      .prepare("UPDATE backup_copies SET status = 'ok', stored_bytes = ?, plain_sha256 = ?, finished_at = ?, verified_at = ?, error = NULL WHERE id = ?")
      .run(bytes, sha256, new Date().toISOString(), verifiedAt, id);
  }

  finishFailed(id: string, status: 'failed' | 'cancelled', error: string): void {
    this.db.prepare('UPDATE backup_copies SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id);
  }

  markDeleted(id: string): void {
    this.db.prepare("UPDATE backup_copies SET status = 'deleted', finished_at = ? WHERE id = ?").run(new Date().toISOString(), id);
  }

  get(id: string): BackupCopy | null {
    const row = this.db.prepare('SELECT * FROM backup_copies WHERE id = ?').get(id) as Row | undefined;
    return row ? toContract(row) : null;
  }

  /** The newest unfinished (running or failed) attempt of this backup to this key, to resume. */
  unfinished(backupId: string, destinationId: string, key: string): BackupCopy | null {
    const row = this.db
      .prepare(
        `SELECT * FROM backup_copies WHERE artifact_id = ? AND destination_id = ? AND object_key = ? AND status IN ('running','failed','cancelled')
         ORDER BY started_at DESC LIMIT 1`,
      )
      .get(backupId, destinationId, key) as Row | undefined;
    return row ? toContract(row) : null;
  }

  /** The ok copy of this backup at this key, if one is recorded. */
  okAt(backupId: string, destinationId: string, key: string): BackupCopy | null {
    const row = this.db
      .prepare("SELECT * FROM backup_copies WHERE artifact_id = ? AND destination_id = ? AND object_key = ? AND status = 'ok' ORDER BY started_at DESC LIMIT 1")
      .get(backupId, destinationId, key) as Row | undefined;
    return row ? toContract(row) : null;
  }

  /** Start-up: running rows whose owner process is gone → failed (INTERRUPTED_COPY); the rows marked. */
  markInterrupted(): BackupCopy[] {
    const rows = this.db.prepare("SELECT * FROM backup_copies WHERE status = 'running'").all() as Row[];
    const mark = this.db.prepare("UPDATE backup_copies SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'");
    const marked: BackupCopy[] = [];
    for (const row of rows) {
      if (ownerState(parseOwnerTag(row.error)) !== 'gone') continue;
      if (mark.run(INTERRUPTED_COPY, new Date().toISOString(), row.id).changes > 0) marked.push(this.get(row.id)!);
    }
    return marked;
  }

  list(filter: { backupId?: string; destinationId?: string }): BackupCopy[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.backupId !== undefined) {
      where.push('artifact_id = ?');
      args.push(filter.backupId);
    }
    if (filter.destinationId !== undefined) {
      where.push('destination_id = ?');
      args.push(filter.destinationId);
    }
    const sql = `SELECT * FROM backup_copies ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toContract);
  }
}

function toContract(r: Row): BackupCopy {
  return {
    id: r.id,
    kind: r.artifact_kind,
    backupId: r.artifact_id,
    destinationId: r.destination_id,
    destination: r.destination_name,
    key: r.object_key,
    bytes: r.stored_bytes,
    sha256: r.plain_sha256,
    encrypted: r.encrypted === 1,
    keyId: r.key_id,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    verifiedAt: r.verified_at,
    // The owner tag is bookkeeping, never an error to show.
    error: r.status === 'running' ? null : r.error,
    ...(r.direct === 1 ? { direct: true } : {}),
  };
}

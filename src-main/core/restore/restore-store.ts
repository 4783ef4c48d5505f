// The `restores` table (migration 8): one row per restore the app started, written
// 'running' before anything touches the target and finished exactly once. As with the
// backup catalog, a running row names its owner process so a restart only fails rows
// whose process is gone (the desktop app and the CLI share the store).
import type Database from 'better-sqlite3';
import { OpsError } from '../../contract/errors';
import { ownerState, ownerTag, parseOwnerTag } from '../platform/jobs/owner';
import type { RestoreRecord, RestoreStatus, RestoreTarget, ValidationReport } from '../../contract/restore';
import { withVerdicts } from '../../contract/verdict';

export const INTERRUPTED_RESTORE = 'the app stopped while this restore ran';

interface RestoreRow {
  id: string;
  backup_id: string | null;
  source_path: string;
  target_kind: RestoreTarget['kind'];
  profile_id: string | null;
  target: string;
  database_name: string;
  status: RestoreStatus;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  command: string;
  error: string | null;
  pre_restore_backup_id: string | null;
  validation_json: string | null;
}

export interface RunningRestore {
  id: string;
  backupId: string | null;
  sourcePath: string;
  targetKind: RestoreTarget['kind'];
  profileId: string | null;
  target: string;
  database: string;
  startedAt: string;
  command: string;
}

export interface RestoreFinish {
  status: Exclude<RestoreStatus, 'running'>;
  finishedAt: string;
  durationMs: number;
  error?: string | null;
  validation?: ValidationReport | null;
}

function toRecord(row: RestoreRow): RestoreRecord {
  let validation: ValidationReport | null = null;
  if (row.validation_json !== null) {
    try {
      validation = withVerdicts(JSON.parse(row.validation_json) as ValidationReport);
    } catch {
      validation = null;
    }
  }
  return {
    id: row.id,
    backupId: row.backup_id,
    sourcePath: row.source_path,
    targetKind: row.target_kind,
    target: row.target,
    database: row.database_name,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    command: row.command,
    error: row.status === 'running' ? null : row.error,
    preRestoreBackupId: row.pre_restore_backup_id,
    validation,
  };
}

export class RestoreStore {
  constructor(private readonly db: Database.Database) {}

  insertRunning(r: RunningRestore): void {
    this.db
      .prepare(
        `INSERT INTO restores (id, backup_id, source_path, target_kind, profile_id, target, database_name, status, started_at, command, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(r.id, r.backupId, r.sourcePath, r.targetKind, r.profileId, r.target, r.database, r.startedAt, r.command, ownerTag());
  }

  setPreRestoreBackup(id: string, backupId: string): void {
    this.db.prepare('UPDATE restores SET pre_restore_backup_id = ? WHERE id = ?').run(backupId, id);
  }

  /** First outcome wins: a row already finished is left as it is. */
  finish(id: string, f: RestoreFinish): void {
    const result = this.db
      .prepare(`UPDATE restores SET status = ?, finished_at = ?, duration_ms = ?, error = ?, validation_json = ? WHERE id = ? AND status = 'running'`)
      .run(f.status, f.finishedAt, Math.round(f.durationMs), f.error ?? null, f.validation ? JSON.stringify(f.validation) : null, id);
    if (result.changes === 0 && !this.get(id)) throw new OpsError('NOT_FOUND', `No restore with id ${id}.`, { id });
  }

  get(id: string): RestoreRecord | null {
    const row = this.db.prepare('SELECT * FROM restores WHERE id = ?').get(id) as RestoreRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Newest first; `profileId` filters by the target profile. */
  list(filter: { profileId?: string; limit: number }): RestoreRecord[] {
    const rows =
      filter.profileId === undefined
        ? this.db.prepare('SELECT * FROM restores ORDER BY started_at DESC, rowid DESC LIMIT ?').all(filter.limit)
        : this.db.prepare('SELECT * FROM restores WHERE profile_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(filter.profileId, filter.limit);
    return (rows as RestoreRow[]).map(toRecord);
  }

  /** Rows left running by a process that is gone become failed; returns how many. */
  markInterrupted(now: Date = new Date()): number {
    const rows = this.db.prepare("SELECT id, error FROM restores WHERE status = 'running'").all() as Array<{ id: string; error: string | null }>;
    const mark = this.db.prepare(`UPDATE restores SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'`);
    let marked = 0;
    this.db.transaction(() => {
      for (const row of rows) if (ownerState(parseOwnerTag(row.error)) !== 'alive') marked += mark.run(INTERRUPTED_RESTORE, now.toISOString(), row.id).changes;
    })();
    return marked;
  }
}

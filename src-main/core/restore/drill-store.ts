// Restore drills in the store (table `drills`, migration 8): the whole record as JSON, with
// the columns the history filters and sorts by. A row is written 'running' when the drill
// starts and rewritten as it ends, so a drill that died with its process stays listed;
// markInterrupted() at startup fails the rows whose owning process is gone.
import type Database from 'better-sqlite3';
import type { DrillRecord } from '../../contract/restore';
import { OpsError } from '../../contract/errors';
import { withVerdicts } from '../../contract/verdict';
import { currentOwner, ownerState } from '../platform/jobs/owner';
import { drillMarkdown, type DrillReportInput } from './drill-report';

export const DRILL_INTERRUPTED = 'the app stopped while this drill ran';

/** What is kept: the contract's record, the notes its report lists, and (while running) its owner. */
export type StoredDrill = DrillRecord & { notes: string[]; owner?: { host: string; pid: number } };

interface DrillRow {
  record_json: string;
}

function parse(row: DrillRow | undefined): StoredDrill | null {
  if (!row) return null;
  const record = JSON.parse(row.record_json) as StoredDrill;
  // Drills kept before checks had three states read back with their verdicts.
  return { ...record, notes: record.notes ?? [], validation: record.validation ? withVerdicts(record.validation) : null };
}

/** The record with its Markdown report written from its current state. */
export function withReport(d: DrillReportInput): StoredDrill {
  return { ...d, report: drillMarkdown(d) };
}

/** The record as the contract shows it (the notes stay: an extra field the report came from). */
export function publicDrill(d: StoredDrill): DrillRecord & { notes: string[] } {
  const { owner: _owner, ...rest } = d;
  return rest;
}

export class DrillStore {
  constructor(private readonly db: Database.Database) {}

  insert(d: StoredDrill): void {
    const record: StoredDrill = { ...d, owner: currentOwner() };
    this.db
      .prepare('INSERT INTO drills (id, profile_id, backup_id, status, started_at, record_json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(d.id, d.profileId, d.backupId, d.status, d.startedAt, JSON.stringify(record));
  }

  /** Rewrites the row (the status column follows the record). */
  update(d: StoredDrill): void {
    const { owner: _owner, ...record } = d;
    const kept = d.status === 'running' ? { ...record, owner: currentOwner() } : record;
    const result = this.db
      .prepare('UPDATE drills SET status = ?, backup_id = ?, profile_id = ?, record_json = ? WHERE id = ?')
      .run(d.status, d.backupId, d.profileId, JSON.stringify(kept), d.id);
    if (result.changes === 0) throw new OpsError('NOT_FOUND', `No restore drill with id ${d.id}.`, { id: d.id });
  }

  get(id: string): StoredDrill | null {
    return parse(this.db.prepare('SELECT record_json FROM drills WHERE id = ?').get(id) as DrillRow | undefined);
  }

  /** Newest first. */
  list(filter: { profileId?: string; limit: number }): StoredDrill[] {
    const rows =
      filter.profileId === undefined
        ? this.db.prepare('SELECT record_json FROM drills ORDER BY started_at DESC, rowid DESC LIMIT ?').all(filter.limit)
        : this.db
            .prepare('SELECT record_json FROM drills WHERE profile_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?')
            .all(filter.profileId, filter.limit);
    return (rows as DrillRow[]).map((r) => parse(r)!);
  }

  /** Running rows of a process that is gone become failed, with a report that says so. */
  markInterrupted(now: Date = new Date()): number {
    const rows = (this.db.prepare("SELECT record_json FROM drills WHERE status = 'running'").all() as DrillRow[]).map((r) => parse(r)!);
    let marked = 0;
    this.db.transaction(() => {
      for (const d of rows) {
        // Unlike a backup or restore row, a drill of this very process counts as alive.
        if (ownerState(d.owner) !== 'gone') continue;
        const { report: _report, owner: _owner, ...rest } = d;
        this.update(withReport({ ...rest, status: 'failed', finishedAt: now.toISOString(), error: DRILL_INTERRUPTED }));
        marked++;
      }
    })();
    return marked;
  }
}

// Markdown runbooks kept in the app after import (table runbooks, migration 6): the parsed
// result exactly as importRunbook returned it, so a team's own runbook can be reopened and
// its SQL steps sent to the query console later. Only the parse is stored; nothing in it
// has ever run, and nothing here runs it.
import crypto from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { RunbookImportResult, SavedRunbook, SavedRunbookSummary } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';

type Deps = Pick<CoreDeps, 'store'>;

interface SummaryRow {
  id: string;
  title: string;
  source: string | null;
  imported_at: string;
  procedures: number | null;
  steps: number | null;
  sql_steps: number | null;
}

// The counts come out of the JSON in SQLite: a list does not parse every whole outline.
const SUMMARY_SELECT = `SELECT id, title, source, imported_at,
  json_extract(outline_json, '$.procedures') AS procedures,
  json_extract(outline_json, '$.steps') AS steps,
  json_extract(outline_json, '$.sqlSteps') AS sql_steps
  FROM runbooks`;

function toSummary(row: SummaryRow): SavedRunbookSummary {
  return {
    id: row.id,
    title: row.title,
    source: row.source,
    importedAt: row.imported_at,
    procedures: row.procedures ?? 0,
    steps: row.steps ?? 0,
    sqlSteps: row.sql_steps ?? 0,
  };
}

/** Stores an import's result; returns the new runbook's id. */
export function saveRunbook(deps: Deps, result: RunbookImportResult, now = new Date()): string {
  const id = crypto.randomUUID();
  deps.store.db
    .prepare('INSERT INTO runbooks (id, title, source, imported_at, outline_json) VALUES (?, ?, ?, ?, ?)')
    .run(id, result.title, result.source, now.toISOString(), JSON.stringify(result));
  return id;
}

/** Newest first (rowid breaks ties between imports in the same millisecond). */
export function listSavedRunbooks(deps: Deps): SavedRunbookSummary[] {
  const rows = deps.store.db.prepare(`${SUMMARY_SELECT} ORDER BY imported_at DESC, rowid DESC`).all() as SummaryRow[];
  return rows.map(toSummary);
}

function notFound(id: string): OpsError {
  return new OpsError(
    'NOT_FOUND',
    `There is no saved runbook with id "${id}": it may have been deleted. The runbook list shows the saved runbooks; import the Markdown again to keep it.`,
  );
}

export function getSavedRunbook(deps: Deps, id: string): SavedRunbook {
  const row = deps.store.db.prepare(`${SUMMARY_SELECT} WHERE id = ?`).get(id) as SummaryRow | undefined;
  if (!row) throw notFound(id);
  const json = deps.store.db.prepare('SELECT outline_json FROM runbooks WHERE id = ?').pluck().get(id) as string;
  return { ...toSummary(row), runbook: JSON.parse(json) as RunbookImportResult };
}

/** Deletes a saved runbook; returns what was deleted, for the audit summary. */
export function deleteSavedRunbook(deps: Deps, id: string): SavedRunbookSummary {
  const db = deps.store.db;
  return db.transaction(() => {
    const row = db.prepare(`${SUMMARY_SELECT} WHERE id = ?`).get(id) as SummaryRow | undefined;
    if (!row) throw notFound(id);
    db.prepare('DELETE FROM runbooks WHERE id = ?').run(id);
    return toSummary(row);
  })();
}

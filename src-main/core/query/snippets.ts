// The snippet library: the runbook's built-ins (read-only, shipped with the app) followed
// by the user's own snippets from the local store.
import { randomUUID } from 'node:crypto';
import { OpsError } from '../../contract/errors';
import type { Snippet } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote } from '../platform/kernel/dispatch';
import { builtinSnippets, isBuiltinId } from './snippets-builtin';

export const USER_SECTION = 'My snippets';

export interface SnippetInput {
  id?: string | undefined;
  title: string;
  sql: string;
  description: string;
}

interface SnippetRow {
  id: string;
  title: string;
  sql: string;
  description: string;
}

function toSnippet(row: SnippetRow): Snippet {
  return { id: row.id, title: row.title, sql: row.sql, section: USER_SECTION, description: row.description, builtin: false };
}

const BUILTIN_REFUSAL = 'built-in snippets cannot be changed; save a copy';

function refuseBuiltin(id: string): void {
  if (isBuiltinId(id)) throw new OpsError('INVALID_INPUT', BUILTIN_REFUSAL, { fields: [{ field: 'id', message: BUILTIN_REFUSAL }] });
}

function readUserSnippet(deps: Pick<CoreDeps, 'store'>, id: string): SnippetRow | undefined {
  return deps.store.db.prepare('SELECT id, title, sql, description FROM snippets WHERE id = ?').get(id) as SnippetRow | undefined;
}

/** Built-ins first (in runbook order), then the user's sorted by title. */
export function listSnippets(deps: Pick<CoreDeps, 'store'>): Snippet[] {
  const rows = deps.store.db.prepare('SELECT id, title, sql, description FROM snippets ORDER BY title COLLATE NOCASE, id').all() as SnippetRow[];
  return [...builtinSnippets(), ...rows.map(toSnippet)];
}

/** Creates a snippet (no id: a new uuid) or updates the user's snippet with this id. */
export function saveSnippet(deps: Pick<CoreDeps, 'store'>, input: SnippetInput, audit: AuditNote): Snippet {
  const now = new Date().toISOString();
  const title = input.title.trim();
  audit.detail = input.sql;
  if (input.id !== undefined) {
    refuseBuiltin(input.id);
    const existing = readUserSnippet(deps, input.id);
    if (!existing) throw new OpsError('NOT_FOUND', `There is no snippet with id ${input.id} (it may have been deleted).`);
    deps.store.db
      .prepare('UPDATE snippets SET title = ?, sql = ?, description = ?, updated_at = ? WHERE id = ?')
      .run(title, input.sql, input.description, now, input.id);
    audit.summary = `updated snippet "${title}"`;
    return toSnippet({ id: input.id, title, sql: input.sql, description: input.description });
  }
  const id = randomUUID();
  deps.store.db
    .prepare('INSERT INTO snippets (id, title, sql, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(id, title, input.sql, input.description, now, now);
  audit.summary = `saved snippet "${title}"`;
  return toSnippet({ id, title, sql: input.sql, description: input.description });
}

export function deleteSnippet(deps: Pick<CoreDeps, 'store'>, id: string, audit: AuditNote): { removed: true } {
  refuseBuiltin(id);
  const existing = readUserSnippet(deps, id);
  if (!existing) throw new OpsError('NOT_FOUND', `There is no snippet with id ${id} (it may have been deleted already).`);
  deps.store.db.prepare('DELETE FROM snippets WHERE id = ?').run(id);
  audit.summary = `deleted snippet "${existing.title}"`;
  audit.detail = existing.sql;
  return { removed: true };
}

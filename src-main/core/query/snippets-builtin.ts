// The runbook's SQL procedures as a snippet library, grouped like the runbook's sections.
// Written for this app in our own words from the procedures the Timothie & Co runbook
// lists; where the runbook calls helper functions that a plain PostgreSQL does not have
// (check_system_health(), analyze_index_usage() …) the snippet does the same check with
// the statistics views directly. Queries use current PostgreSQL (13+) names, e.g.
// pg_stat_statements' total_exec_time / mean_exec_time, and fit the sandbox's demo schema.
import type { Snippet } from '../../contract/models';
import { BUILTIN_PREFIX, type BuiltinSnippet } from './snippet-defs';
import { DAILY_SNIPPETS } from './snippets-daily';
import { OPS_SNIPPETS } from './snippets-ops';

export { BUILTIN_PREFIX, BUILTIN_SECTIONS, WRITES_PREFIX, type BuiltinSnippet } from './snippet-defs';

const DEFS: readonly BuiltinSnippet[] = [...DAILY_SNIPPETS, ...OPS_SNIPPETS];

/** The built-ins as the contract's snippets, in library order. */
export const BUILTIN_SNIPPETS: readonly BuiltinSnippet[] = DEFS;

export function builtinSnippets(): Snippet[] {
  return DEFS.map((d) => ({ id: `${BUILTIN_PREFIX}${d.slug}`, title: d.title, sql: d.sql, section: d.section, description: d.description, builtin: true }));
}

export function isBuiltinId(id: string): boolean {
  return id.startsWith(BUILTIN_PREFIX);
}

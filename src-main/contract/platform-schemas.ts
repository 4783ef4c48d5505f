// Schemas a hosting platform (Supabase) or an extension owns. Their tables and indexes are
// the platform's: the Performance reports and the checklists show them, but never advise
// dropping one (the platform recreates or depends on them, and the project's role usually
// does not own them). Checked against Supabase CLI's internal and system schema lists
// (internal/utils: InternalSchemas + SystemSchemas, used by `supabase db dump`). Pure, so
// the renderer can use it too.

import { SUPABASE_CARRIED_SCHEMAS, SUPABASE_MANAGED_SCHEMAS } from './backup';

/**
 * Exact names: the one list of schemas Supabase manages (contract/backup.ts, the same one
 * the Supabase backup preset leaves out), without its wildcard patterns; the schemas users
 * touch most (auth, storage) first.
 */
export const PLATFORM_SCHEMAS: readonly string[] = [
  ...SUPABASE_CARRIED_SCHEMAS,
  ...SUPABASE_MANAGED_SCHEMAS.filter((s) => !s.endsWith('*') && !SUPABASE_CARRIED_SCHEMAS.includes(s)),
];

/** Name prefixes: the list's `timescaledb_*`-style patterns. */
export const PLATFORM_SCHEMA_PREFIXES: readonly string[] = SUPABASE_MANAGED_SCHEMAS.filter((s) => s.endsWith('*')).map((s) => s.slice(0, -1));

export function isPlatformSchema(schema: string): boolean {
  return PLATFORM_SCHEMAS.includes(schema) || PLATFORM_SCHEMA_PREFIXES.some((p) => schema.startsWith(p));
}

/**
 * SQL that is true when `column` (a schema name expression) is NOT a platform schema. The
 * names are fixed literals of this file, never user input.
 */
export function notPlatformSchemaSql(column: string): string {
  const names = PLATFORM_SCHEMAS.map((s) => `'${s}'`).join(', ');
  const prefixes = PLATFORM_SCHEMA_PREFIXES.map((p) => `left(${column}, ${p.length}) <> '${p}'`).join(' AND ');
  return `${column} <> ALL (ARRAY[${names}]) AND ${prefixes}`;
}

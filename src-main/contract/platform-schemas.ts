// Schemas a hosting platform (Supabase) or an extension owns. Their tables and indexes are
// the platform's: the Performance reports and the checklists show them, but never advise
// dropping one (the platform recreates or depends on them, and the project's role usually
// does not own them). Checked against Supabase CLI's internal and system schema lists
// (internal/utils: InternalSchemas + SystemSchemas, used by `supabase db dump`). Pure, so
// the renderer can use it too.

/** Exact names. */
export const PLATFORM_SCHEMAS: readonly string[] = [
  // Supabase's own services.
  'auth',
  'storage',
  'realtime',
  '_realtime',
  'extensions',
  'graphql',
  'graphql_public',
  'vault',
  'supabase_functions',
  'supabase_migrations',
  'pgbouncer',
  '_analytics',
  '_supavisor',
  // Owned by extensions Supabase installs (pg_net, pg_cron, pgsodium, pg_tle, pg_repack, PostGIS).
  'net',
  'cron',
  'pgsodium',
  'pgsodium_masks',
  'pgtle',
  'repack',
  'tiger',
  'tiger_data',
  'topology',
];

/** Name prefixes (Supabase lists them as timescaledb_* and _timescaledb_*). */
export const PLATFORM_SCHEMA_PREFIXES: readonly string[] = ['timescaledb_', '_timescaledb_'];

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

// Installed extensions against the target major (issue #23). What the app can know is limited
// and the rows say so: contrib modules ship with every PostgreSQL release, except the few the
// release notes name as removed; for everything else the only honest answer is the extension's
// own maintainer — or, on Supabase, the platform, which ships the extensions of each image.
import type { StepCheckResult } from '../platform/kernel/step-checks';

/**
 * Extensions shipped in PostgreSQL's contrib (and the core procedural languages), 13–18. old_snapshot is
 * left out on purpose: its fate in 17 (with old_snapshot_threshold) could not be confirmed from the notes.
 */
export const CONTRIB = new Set([
  'adminpack',
  'amcheck',
  'autoinc',
  'bloom',
  'bool_plperl',
  'bool_plperlu',
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'dblink',
  'dict_int',
  'dict_xsyn',
  'earthdistance',
  'file_fdw',
  'fuzzystrmatch',
  'hstore',
  'hstore_plperl',
  'hstore_plperlu',
  'hstore_plpython3u',
  'insert_username',
  'intagg',
  'intarray',
  'isn',
  'jsonb_plperl',
  'jsonb_plperlu',
  'jsonb_plpython3u',
  'lo',
  'ltree',
  'ltree_plpython3u',
  'moddatetime',
  'pageinspect',
  'pg_buffercache',
  'pg_freespacemap',
  'pg_prewarm',
  'pg_stat_statements',
  'pg_surgery',
  'pg_trgm',
  'pg_visibility',
  'pg_walinspect',
  'pgcrypto',
  'pgrowlocks',
  'pgstattuple',
  'plperl',
  'plperlu',
  'plpgsql',
  'plpython2u',
  'plpython3u',
  'plpythonu',
  'pltcl',
  'pltclu',
  'postgres_fdw',
  'refint',
  'seg',
  'sslinfo',
  'tablefunc',
  'tcn',
  'tsm_system_rows',
  'tsm_system_time',
  'unaccent',
  'uuid-ossp',
  'xml2',
]);

/** Contrib modules removed in a major, from that major's release notes ("Migration to Version N"). */
export const CONTRIB_REMOVED: Readonly<Record<string, { major: number; why: string; instead: string }>> = {
  plpythonu: { major: 15, why: 'Python 2 support removed in 15', instead: 'rewrite the functions in plpython3u, then DROP EXTENSION plpythonu' },
  plpython2u: { major: 15, why: 'Python 2 support removed in 15', instead: 'rewrite the functions in plpython3u, then DROP EXTENSION plpython2u' },
  adminpack: { major: 17, why: 'removed in 17 (it served the end-of-life pgAdmin III)', instead: 'DROP EXTENSION adminpack (pgAdmin 4 does not need it)' },
};

/** What Supabase's own images say about a few extensions across its majors (supabase/postgres). */
export const SUPABASE_NOT_ON: Readonly<Record<string, { major: number; source: string }>> = {
  timescaledb: { major: 17, source: 'removed from the Supabase Postgres 17 image (supabase/postgres)' },
  plv8: { major: 17, source: 'removed from the Supabase Postgres 17 image (supabase/postgres)' },
};

/** Extensions a new Supabase project has without asking; the platform carries them through its upgrade. */
export const SUPABASE_MANAGED = new Set(['pg_graphql', 'pg_stat_statements', 'pgcrypto', 'uuid-ossp', 'supabase_vault', 'pgsodium', 'pgjwt', 'plpgsql']);

export interface InstalledExtension {
  name: string;
  version: string;
  schema: string;
  /** The default version this server offers (pg_available_extensions), null when the control file is gone. */
  defaultVersion: string | null;
}

export interface ExtensionJudgeInput {
  extensions: InstalledExtension[];
  currentMajor: number;
  targetMajor: number;
  supabase: boolean;
}

/** One row per installed extension: does it exist on the target major, and what to do first. */
export function judgeExtensions(input: ExtensionJudgeInput): StepCheckResult {
  const { currentMajor, targetMajor, supabase } = input;
  const columns = ['Extension', 'Installed', 'Schema', `On ${targetMajor}`, 'What to do'];
  const rows: StepCheckResult['rows'] = [];
  const blockers: string[] = [];
  const unknown: string[] = [];
  const managed: string[] = [];
  for (const ext of [...input.extensions].sort((a, b) => a.name.localeCompare(b.name))) {
    const update =
      ext.defaultVersion && ext.defaultVersion !== ext.version
        ? ` Update first: ALTER EXTENSION "${ext.name}" UPDATE; (${ext.version} → ${ext.defaultVersion}).`
        : '';
    const removed = CONTRIB_REMOVED[ext.name];
    const supaGone = supabase ? SUPABASE_NOT_ON[ext.name] : undefined;
    if (removed && removed.major > currentMajor && removed.major <= targetMajor) {
      blockers.push(ext.name);
      rows.push([ext.name, ext.version, ext.schema, `no — ${removed.why}`, `Before the upgrade: ${removed.instead}.`]);
    } else if (supaGone && supaGone.major > currentMajor && supaGone.major <= targetMajor) {
      blockers.push(ext.name);
      rows.push([
        ext.name,
        ext.version,
        ext.schema,
        `not on Supabase ${supaGone.major}`,
        `${supaGone.source}: move off it and DROP EXTENSION before upgrading.`,
      ]);
    } else if (supabase && SUPABASE_MANAGED.has(ext.name)) {
      managed.push(ext.name);
      rows.push([
        ext.name,
        ext.version,
        ext.schema,
        'yes (managed by Supabase)',
        'The platform installs it and carries it through its upgrade; nothing to do.',
      ]);
    } else if (CONTRIB.has(ext.name)) {
      rows.push([ext.name, ext.version, ext.schema, 'yes (ships with PostgreSQL)', `Ships with PostgreSQL ${targetMajor}.${update}`]);
    } else {
      unknown.push(ext.name);
      const where = supabase
        ? "check Supabase's extension list for the target version"
        : `check with the extension's maintainer for a build for PostgreSQL ${targetMajor}`;
      rows.push([
        ext.name,
        ext.version,
        ext.schema,
        'unknown to Ops Console',
        `Third-party: ${where}; install it on the new server before pg_upgrade.${update}`,
      ]);
    }
  }
  const parts = [`${input.extensions.length} extension${input.extensions.length === 1 ? '' : 's'} installed`];
  if (blockers.length) parts.push(`${blockers.length} not available on ${targetMajor}: ${blockers.join(', ')}`);
  if (unknown.length) parts.push(`${unknown.length} to check with ${supabase ? 'Supabase' : 'their maintainers'}: ${unknown.join(', ')}`);
  if (managed.length) parts.push(`${managed.length} managed by Supabase`);
  return {
    status: blockers.length ? 'warning' : 'ok',
    summary: `${parts.join('; ')} (target: PostgreSQL ${targetMajor}).`,
    value: blockers.length,
    warn: 1,
    critical: null,
    columns,
    rows,
  };
}

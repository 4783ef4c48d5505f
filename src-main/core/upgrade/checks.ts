// The three built-in checks of the quarterly "database upgrade planning" step (issue #23),
// registered on the step-check registry under upgrade.version, upgrade.extensions and
// upgrade.features. They read the catalog inside the run's read-only transaction; the
// judging is in policy.ts, extensions.ts and features.ts (pure, unit-tested).
import type pg from 'pg';
import { SUPABASE_RESERVED_ROLES } from '../../contract/backup';
import type { Profile } from '../../contract/models';
import type { StepCheck, StepCheckContext, StepCheckResult } from '../platform/kernel/step-checks';
import { detectSupabase } from '../profiles';
import { judgeExtensions, type InstalledExtension } from './extensions';
import type { FeatureRule } from './feature-rules';
import { judgeFeatures, rulesForJump, runRules, targetMajorFor } from './features';
import { judgeVersion, parseServerVersion } from './policy';
import { releaseOf } from './releases';

/** Supabase-shaped, as the connection test decides it (profiles' `detectSupabase`). */
export async function isSupabase(client: pg.ClientBase, profile: Pick<Profile, 'host' | 'port'>): Promise<boolean> {
  return (await detectSupabase(client, profile)) !== null;
}

async function serverVersion(client: pg.ClientBase): Promise<string> {
  const r = await client.query<{ server_version: string }>('SHOW server_version');
  return r.rows[0]?.server_version ?? '';
}

function unknown(summary: string): StepCheckResult {
  return { status: 'unknown', summary, value: null, warn: null, critical: null, columns: [], rows: [] };
}

/** How to make the jump: the platform's path on Supabase, the three usual choices elsewhere. */
export function upgradePathRows(supabase: boolean, target: number | null): StepCheckResult['rows'] {
  const to = target ? `PostgreSQL ${target}` : 'the new major';
  if (supabase) {
    return [
      [
        'Upgrade path',
        'Supabase',
        `Supabase runs pg_upgrade itself: Dashboard → Project Settings → Infrastructure → Upgrade project (to ${to}). ` +
          'Plan a downtime window (pg_upgrade moves roughly 100 MB/s); if it fails, the original database comes back. Do not run pg_upgrade yourself.',
      ],
    ];
  }
  return [
    [
      'Upgrade path',
      'pg_upgrade',
      `In place: install ${to} and every extension it needs, run pg_upgrade --check, then the upgrade (--link: minutes of downtime, no way back once the new server starts); then vacuumdb --all --analyze-in-stages.`,
    ],
    [
      'Upgrade path',
      'dump and restore',
      `pg_dumpall --globals-only and pg_dump -Fd -j N with the ${to} tools, pg_restore -j N into the new server: simplest, downtime grows with size.`,
    ],
    [
      'Upgrade path',
      'logical replication',
      'Near-zero downtime: publish from the old server, subscribe from the new one, switch over; every table needs a primary key or replica identity, DDL and sequence values are not replicated.',
    ],
  ];
}

export const versionCheck: StepCheck = async ({ client, profile, now }: StepCheckContext) => {
  const text = await serverVersion(client);
  const result = judgeVersion(text, now);
  const v = parseServerVersion(text);
  const supabase = await isSupabase(client, profile);
  const target = v ? targetMajorFor(v.major) : null;
  const summary = supabase ? `${result.summary} On Supabase the platform runs the upgrade (Dashboard → Project Settings → Infrastructure).` : result.summary;
  return { ...result, summary, rows: [...result.rows, ...upgradePathRows(supabase, target)] };
};

export const extensionsCheck: StepCheck = async ({ client, profile }: StepCheckContext) => {
  const v = parseServerVersion(await serverVersion(client));
  const target = v ? targetMajorFor(v.major) : null;
  if (!v || target === null) return unknown('No newer major in the release table to check the extensions against; update Ops Console.');
  const r = await client.query<{ name: string; version: string; schema: string; default_version: string | null }>(
    `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema, a.default_version
       FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
       LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname
      ORDER BY 1`,
  );
  const extensions: InstalledExtension[] = r.rows.map((row) => ({
    name: row.name,
    version: row.version,
    schema: row.schema,
    defaultVersion: row.default_version,
  }));
  const supabase = await isSupabase(client, profile);
  return judgeExtensions({ extensions, currentMajor: v.major, targetMajor: target, supabase });
};

/** On Supabase the platform's own roles (anon, supabase_auth_admin…) are its business, not the project's. */
function withoutPlatformRoles(rule: FeatureRule): FeatureRule {
  return rule.id === 'pg16.createrole' ? { ...rule, params: [[...SUPABASE_RESERVED_ROLES]] } : rule;
}

export const featuresCheck: StepCheck = async ({ client, profile }: StepCheckContext) => {
  const v = parseServerVersion(await serverVersion(client));
  const target = v ? targetMajorFor(v.major) : null;
  if (!v || target === null) return unknown('No newer major in the release table to compare this database with; update Ops Console.');
  const supabase = await isSupabase(client, profile);
  const rules = rulesForJump(v.major, target);
  // Server-level mechanics (settings files, initdb options) are the platform's on Supabase.
  const mine = supabase ? rules.filter((r) => r.scope === 'database').map(withoutPlatformRoles) : rules;
  const outcomes = await runRules(client, mine);
  return judgeFeatures({
    current: v.major,
    target,
    outcomes,
    supabase,
    platformRules: rules.length - mine.length,
    targetIsBeta: releaseOf(target)?.stage === 'beta',
  });
};

export const UPGRADE_CHECKS: ReadonlyArray<[string, StepCheck]> = [
  ['upgrade.version', versionCheck],
  ['upgrade.extensions', extensionsCheck],
  ['upgrade.features', featuresCheck],
];

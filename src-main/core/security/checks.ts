// The security audit's checks under their step-check names (the contract with the runbook's
// "Security audit" procedure and the monthly step), and security.audit: all of them in one
// step, one row per finding with the check it came from, so signing off the monthly step
// signs off every finding. Each check reads the catalog through the run's read-only client.
import type pg from 'pg';
import type { CoreDeps } from '../platform/kernel/deps';
import type { StepCheck, StepCheckContext, StepCheckResult } from '../platform/kernel/step-checks';
import {
  anonWritePolicies,
  definerFunctionsExposed,
  extensionsInPublic,
  functionSearchPath,
  rlsDisabled,
  rlsNoPolicy,
  unindexedForeignKeys,
  viewsBypassRls,
  type SecurityCheck,
} from './checks-supabase';
import { insecureSettings, passwordExpiry, passwordHashes, privilegedRoles, publicPrivileges } from './checks-general';
import { auditTrailCheck } from './checks-trail';
import { FINDING_COLUMNS } from './finding';
import { readShape } from './shape';

/** The catalog checks, in the order the audit lists them. */
export const CATALOG_CHECKS: ReadonlyArray<readonly [string, SecurityCheck]> = [
  ['security.rls-disabled', rlsDisabled],
  ['security.rls-no-policy', rlsNoPolicy],
  ['security.anon-write-policies', anonWritePolicies],
  ['security.views-bypass-rls', viewsBypassRls],
  ['security.function-search-path', functionSearchPath],
  ['security.definer-functions-exposed', definerFunctionsExposed],
  ['security.extensions-in-public', extensionsInPublic],
  ['security.unindexed-foreign-keys', unindexedForeignKeys],
  ['security.privileged-roles', privilegedRoles],
  ['security.password-expiry', passwordExpiry],
  ['security.password-hashes', passwordHashes],
  ['security.public-privileges', publicPrivileges],
  ['security.settings', insecureSettings],
];

export const AUDIT_TRAIL_CHECK = 'security.audit-trail';
export const SUMMARY_CHECK = 'security.audit';

function catalogCheck(check: SecurityCheck): StepCheck {
  return async ({ client }) => check(client, await readShape(client));
}

const RANK: Record<StepCheckResult['status'], number> = { ok: 0, not_applicable: 0, warning: 1, unknown: 2, critical: 3 };

/**
 * One check inside security.audit, under a savepoint of its own: a check the server fails
 * (a catalog this version lacks) is that check's UNKNOWN, and the others still run.
 */
async function oneOf(client: pg.ClientBase, name: string, run: () => Promise<StepCheckResult>): Promise<StepCheckResult> {
  await client.query('SAVEPOINT ops_console_security_check');
  try {
    const result = await run();
    await client.query('RELEASE SAVEPOINT ops_console_security_check');
    return result;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT ops_console_security_check');
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'unknown', summary: `${name} failed: ${message}`, value: null, warn: null, critical: null, columns: [], rows: [] };
  }
}

function summaryCheck(trail: StepCheck): StepCheck {
  return async (ctx: StepCheckContext) => {
    const shape = await readShape(ctx.client);
    const results: Array<[string, StepCheckResult]> = [];
    for (const [name, check] of CATALOG_CHECKS) results.push([name, await oneOf(ctx.client, name, () => check(ctx.client, shape))]);
    results.push([AUDIT_TRAIL_CHECK, await oneOf(ctx.client, AUDIT_TRAIL_CHECK, () => trail(ctx))]);
    const rows = results.flatMap(([name, r]) => r.rows.map((row) => [name, ...row]));
    const worst = results.reduce<StepCheckResult['status']>((w, [, r]) => (RANK[r.status] > RANK[w] ? r.status : w), 'ok');
    const counted = results.filter(([, r]) => r.status !== 'not_applicable' && r.status !== 'ok');
    const na = results.filter(([, r]) => r.status === 'not_applicable').map(([n]) => n);
    const parts = counted.map(([n, r]) => (r.status === 'unknown' ? `${n}: UNKNOWN (${r.summary})` : `${n}: ${r.rows.length} ${r.status}`));
    const summary =
      (rows.length === 0 && counted.length === 0 ? `No findings in ${results.length - na.length} checks.` : `${rows.length} findings. ${parts.join('; ')}.`) +
      (na.length > 0 ? ` Not applicable here: ${na.join(', ')}.` : '') +
      (shape.supabase ? '' : ' (not a Supabase-shaped database)');
    return { status: worst, summary, value: rows.length, warn: 1, critical: null, columns: ['check', ...FINDING_COLUMNS], rows };
  };
}

/** Registers every security.* check on the step-check registry (once, when the domain is created). */
export function registerSecurityChecks(deps: Pick<CoreDeps, 'stepChecks' | 'audit'>): void {
  for (const [name, check] of CATALOG_CHECKS) deps.stepChecks.register(name, catalogCheck(check));
  const trail = auditTrailCheck(deps.audit);
  deps.stepChecks.register(AUDIT_TRAIL_CHECK, trail);
  deps.stepChecks.register(SUMMARY_CHECK, summaryCheck(trail));
}

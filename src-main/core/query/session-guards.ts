// The console's guards around one run, in the order a DBA can act on them: a script is judged
// on the session that will run it (its prepared statements and cursors, the catalog's word on
// the functions it reaches), then the one read-only rule, blocked statements and production's
// typed name are enforced. Shared by Run, Explain and export so they cannot disagree.
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { AuditNote } from '../platform/kernel/dispatch';
import { resolveEffects } from '../platform/guard/statements/catalog-effects';
import { planScript, summarizePlan, type PlannedStatement, type ScriptPlan } from '../platform/guard/statements/classify';
import { isReadOnlyNow, readOnlyViolation, refuseReadOnlyStatements } from '../platform/guard/rules';
import { pinnedSettingsDrift, type QuerySession } from './session';

/**
 * On a read-only profile, what the one rule will refuse: nothing is asked for then (no typed
 * name, no override), since no answer would let it run — the run refuses and audits it.
 */
export function withReadOnlyRefusal(profile: Profile, plans: PlannedStatement[], summary: ScriptPlan): ScriptPlan {
  if (!isReadOnlyNow(profile)) return summary;
  for (const plan of plans) {
    const reason = readOnlyViolation(plan);
    if (reason !== null) return { ...summary, needsConfirmation: false, readOnlyRefusal: { index: plan.index, reason } };
  }
  return summary;
}

/** Refuses a script that would change how the server reads statements (every profile). */
export function refusePinnedChanges(plans: PlannedStatement[], audit: AuditNote): void {
  const pinned = plans.find((p) => p.pinnedChange !== null);
  if (!pinned) return;
  audit.summary = `refused: ${pinned.pinnedChange} (statement ${pinned.index + 1})`;
  throw new OpsError('INVALID_INPUT', `Statement ${pinned.index + 1} is refused: ${pinned.pinnedChange}. Nothing was run.`, {
    index: pinned.index,
    reason: 'pinned-setting',
  });
}

/**
 * Plans a script on the session that will run it (its prepared statements and cursors) and
 * asks the catalog what the functions it reaches may do. Refuses a session whose pinned
 * settings drifted.
 */
export async function judgeOnSession(session: QuerySession, sql: string): Promise<PlannedStatement[]> {
  const drift = pinnedSettingsDrift(session.reported);
  if (drift !== null) {
    session.dead = true;
    session.deadReason ??= drift;
    throw new OpsError('CONNECTION_FAILED', `The console connection was closed instead of running anything: ${drift}. Run again on a fresh connection.`);
  }
  const plans = await planScript(sql, session.names);
  await resolveEffects(session.client, plans, { txStatus: session.txStatus });
  return plans;
}

/**
 * The guards in the order a DBA can act on them: read-only first (nothing unlocks it),
 * then blocked statements (override), then production (the typed name). Returns the
 * overrides used, for the audit summary.
 */
export function enforceGuards(
  profile: Profile,
  plans: PlannedStatement[],
  input: { override: boolean; confirmName?: string | undefined },
  audit: AuditNote,
): string[] {
  // Without an elevation a read-only profile refuses first; under one, it is used (a one-action
  // elevation ends) only once the script has passed the other guards, below.
  if (isReadOnlyNow(profile)) refuseReadOnlyStatements(profile, plans, audit);
  const plan = summarizePlan(plans, profile.env === 'production');
  const list = (items: Array<{ index: number; reason: string }>) => items.map((b) => `${b.reason} (statement ${b.index + 1})`).join(', ');
  if (plan.blocked.length > 0 && !input.override) {
    audit.summary = `blocked: ${list(plan.blocked)}`;
    throw new OpsError('CONFIRMATION_REQUIRED', `Blocked: ${list(plan.blocked)}. This is refused unless explicitly overridden (the override is audited).`, {
      ...plan,
      reason: 'blocked',
    });
  }
  if (plan.needsConfirmation && input.confirmName !== profile.name) {
    audit.summary = `refused: production change not confirmed with the profile name`;
    throw new OpsError(
      'CONFIRMATION_REQUIRED',
      `"${profile.name}" is a production profile and this script changes the server: confirm by typing the profile name.`,
      { ...plan, reason: 'production' },
    );
  }
  refuseReadOnlyStatements(profile, plans, audit);
  return input.override ? plan.blocked.map((b) => b.reason) : [];
}

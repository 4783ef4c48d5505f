// The one rule of what a profile may do, used by every screen and command: the query
// console and the CLI (per statement), Explain, exports, checklists, Activity, VACUUM,
// the toolkit, write steps and restores (per action).
//
// A read-only profile only observes. Its sessions start with default_transaction_read_only,
// which stops table writes, but not what acts outside a transaction (ending backends,
// reloading configuration, writing server files, dblink to a writable session …). So the
// app refuses, before anything is sent, every statement that is not a plain read as the
// guard judged it from the parse tree and the catalog, and every action that changes the
// server. A production profile asks for its name typed before any change.
//
// The one exception: a read-only production profile under an elevation (elevation.ts), for
// one action or a short window. The rule lets the action through, marks its profile object
// so its connection is elevated, and notes the elevation in the action's audit entry.
import { OpsError } from '../../../contract/errors';
import type { Profile, StatementPlan } from '../../../contract/models';
import { activeElevation, describeElevation, endElevation, markElevated } from './elevation';

/** Where the reason for a refusal goes (the audit entry's summary), and the elevation an action ran under. */
export interface RefusalNote {
  summary?: string;
  elevation?: string;
}

/** Is the profile read-only right now (read-only and not elevated)? For previews: what will the rule say. */
export function isReadOnlyNow(profile: Pick<Profile, 'id' | 'readOnly'>): boolean {
  return profile.readOnly && activeElevation(profile.id) === null;
}

/**
 * True when an elevation lets this action through: its profile object is marked (its
 * connections lift read-only), the audit note names the elevation, and a one-action
 * elevation is used up.
 */
function excusedByElevation(profile: Profile, note: RefusalNote): boolean {
  const elevation = activeElevation(profile.id);
  if (elevation === null) return false;
  markElevated(profile, elevation);
  note.elevation = describeElevation(elevation);
  if (elevation.mode === 'action') endElevation(profile.id, 'used by its one action');
  return true;
}

/** Transaction control that neither writes nor opens a read-write transaction (checked by readOnlyEscape). */
const OBSERVING_TRANSACTION = new Set(['BEGIN', 'START TRANSACTION', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'ROLLBACK TO SAVEPOINT']);

/** Session-local commands that change nothing but this session (their read-only escapes are refused separately). */
const OBSERVING_UTILITY = new Set([
  'SET',
  'RESET',
  'SHOW',
  'DISCARD',
  'LISTEN',
  'UNLISTEN',
  'DEALLOCATE',
  'PREPARE',
  'CLOSE',
  'FETCH',
  'MOVE',
  'DECLARE CURSOR',
]);

export interface RuleInput extends StatementPlan {
  readOnlyEscape: string | null;
}

/**
 * Why a read-only profile may not run this statement, or null when it only observes. The
 * plan is the guard's whole judgement: EXECUTE/FETCH of an unseen name, a volatile function
 * (directly, or through a view, policy or domain) and COPY to or from the server's files
 * or programs are already writes by then.
 */
export function readOnlyViolation(plan: RuleInput): string | null {
  if (plan.readOnlyEscape) return plan.readOnlyEscape;
  if (plan.risks.includes('server-program')) return `${plan.command} runs a program on the database server`;
  if (plan.risks.includes('server-file')) return `${plan.command} reads or writes a file on the database server`;
  if (plan.kind === 'read') return null;
  if (plan.kind === 'transaction') return OBSERVING_TRANSACTION.has(plan.command) ? null : `${plan.command} acts on prepared transactions`;
  if (plan.kind === 'utility' && OBSERVING_UTILITY.has(plan.command)) return null;
  const why = plan.effects?.[0];
  if (why) return `${plan.command} ${why}`;
  if (plan.command === 'EXECUTE' || plan.command === 'FETCH' || plan.command === 'MOVE')
    return `${plan.command} runs a statement the console did not see prepared or declared as a read`;
  return `${plan.command} is not a read (${plan.kind})`;
}

/** Refuses a statement-by-statement script on a read-only profile, naming the rule. */
export function refuseReadOnlyStatements(profile: Profile, plans: RuleInput[], note: RefusalNote): void {
  if (!profile.readOnly) return;
  for (const plan of plans) {
    const why = readOnlyViolation(plan);
    if (why === null) continue;
    // One script is one action: an elevation covers all of its statements.
    if (excusedByElevation(profile, note)) return;
    note.summary = `refused on a read-only profile: ${why} (statement ${plan.index + 1})`;
    throw new OpsError(
      'READ_ONLY',
      `"${profile.name}" is a read-only profile, which only observes: statement ${plan.index + 1} is refused because ${why}. Nothing was run. ${elevationHint(profile)}`,
      { index: plan.index, reason: 'read-only', rule: why },
    );
  }
}

/** Refuses an action that changes the server on a read-only profile. */
export function refuseReadOnly(profile: Profile, what: string, note: RefusalNote): void {
  if (!profile.readOnly || excusedByElevation(profile, note)) return;
  note.summary = `refused: ${what} on read-only profile ${profile.name}`;
  throw new OpsError(
    'READ_ONLY',
    `"${profile.name}" is a read-only profile, which only observes: ${what} acts on the server, so it cannot be done through it. ${elevationHint(profile)}`,
    {
      reason: 'read-only',
      rule: `${what} acts on the server`,
    },
  );
}

/**
 * For an action that needs both: refused on a read-only profile, and on production unless its
 * name was typed. Without an elevation the read-only refusal comes first (nothing unlocks it
 * but an elevation); under one, the typed name is checked BEFORE the elevation is used, so an
 * action refused for its name never uses up a one-action elevation it did not run under.
 */
export function refuseReadOnlyUnconfirmed(profile: Profile, what: string, confirmName: string | undefined, note: RefusalNote): void {
  if (isReadOnlyNow(profile)) refuseReadOnly(profile, what, note);
  refuseUnconfirmedProduction(profile, what, confirmName, note);
  refuseReadOnly(profile, what, note);
}

/** Refuses a change on production unless the profile's name was typed. */
export function refuseUnconfirmedProduction(profile: Profile, what: string, confirmName: string | undefined, note: RefusalNote): void {
  if (profile.env !== 'production' || confirmName === profile.name) return;
  note.summary = `refused: ${what} on production not confirmed with the profile name`;
  throw new OpsError('CONFIRMATION_REQUIRED', `"${profile.name}" is a production profile: type its name to confirm ${what}.`, { expected: profile.name });
}

/** What would let it through: an elevation on production, a read-write profile elsewhere. */
function elevationHint(profile: Profile): string {
  return profile.env === 'production'
    ? 'Elevate the profile (typed name and a reason, for one action or a few minutes) to do it.'
    : 'Use a read-write profile (or make this one read-write in its settings).';
}

// The app's own audit trail, over the period the security audit covers: since this profile's
// last signed-off security run (its sign-off is in the trail too), or the last 30 days when
// there is none. It lists what a reviewer should look at — destructive actions, actions a
// guard refused, elevated sessions — one row each, named by the entry's id so audits compare.
// WARNING when there is anything: a row is something to look at, not proof of harm.
import type { AuditEntry } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { StepCheck } from '../platform/kernel/step-checks';
import { changesServer, planScript } from '../platform/guard/statements/classify';
import { judgeFindings, type Finding } from './finding';

export const DEFAULT_PERIOD_DAYS = 30;
const LIMIT = 200;

/**
 * The app's own operations that remove or replace data or sessions (their confirmations are in
 * their screens). SQL typed in the console is judged by its parse tree instead (consoleChanges).
 */
const DESTRUCTIVE_ACTIONS = ['session.terminate', 'restore.start', 'storage.restore', 'runbook.step', 'profile.remove', 'runbook.delete'];

type Audit = Pick<CoreDeps['audit'], 'search'>;

/** When the period starts: this profile's last security sign-off, else `now` less 30 days. */
export function periodStart(audit: Audit, profile: string, now: Date): { since: string; from: string } {
  const signOffs = audit.search({ profile, action: 'checklist.signoff', outcome: 'ok', limit: 50 });
  const last = signOffs.find((e) => e.summary.startsWith(`checklist security on ${profile} signed off`) && e.at <= now.toISOString());
  if (last !== undefined) return { since: last.at, from: `since the last signed-off security audit (${last.at})` };
  const since = new Date(now.getTime() - DEFAULT_PERIOD_DAYS * 86_400_000).toISOString();
  return { since, from: `over the last ${DEFAULT_PERIOD_DAYS} days (no signed-off security audit of this profile)` };
}

function row(entry: AuditEntry, what: string): Finding {
  return {
    object: `audit entry #${entry.id} ${entry.action}`,
    finding: `${what} at ${entry.at} by ${entry.actor}: ${entry.summary}${entry.error ? ` (${entry.error})` : ''}`,
    severity: 'warning',
    fix: null,
  };
}

export function auditTrailCheck(audit: Audit): StepCheck {
  return async ({ profile, now }) => {
    const { since, from } = periodStart(audit, profile.name, now);
    const until = now.toISOString();
    const base = { profile: profile.name, since, until, limit: LIMIT };
    const byId = new Map<number, Finding>();
    const add = (entries: AuditEntry[], what: string) => {
      for (const e of entries) if (!byId.has(e.id)) byId.set(e.id, row(e, what));
    };
    for (const action of DESTRUCTIVE_ACTIONS) add(audit.search({ ...base, action, outcome: 'ok' }), 'destructive action');
    // A console run past the guard's confirmation says so in its summary ("override: …").
    add(
      audit.search({ ...base, action: 'query.run', search: 'override' }).filter((e) => e.summary.includes('override:')),
      'statement run past the guard',
    );
    for (const [entry, what] of await consoleChanges(audit.search({ ...base, action: 'query.run', outcome: 'ok' }))) add([entry], what);
    add(audit.search({ ...base, outcome: 'refused' }), 'refused by a guard');
    add(audit.search({ ...base, action: 'profile.elevate', outcome: 'ok' }), 'elevated session');
    const found = [...byId.entries()].sort((a, b) => b[0] - a[0]).map(([, f]) => f);
    const result = judgeFindings(found, `entries of the app's audit trail to review ${from}`, `Nothing to review in the app's audit trail ${from}.`);
    return result;
  };
}

/**
 * Console runs whose SQL changed the server, decided as the guard decides it: PostgreSQL's
 * parser on the recorded text (passwords already redacted to '***', which still parses), any
 * statement that writes, alters the schema or runs a server-changing utility. A text that no
 * longer parses is listed too: a reviewer cannot tell what it did from the trail alone.
 */
async function consoleChanges(entries: AuditEntry[]): Promise<Array<[AuditEntry, string]>> {
  const out: Array<[AuditEntry, string]> = [];
  for (const entry of entries) {
    if (!entry.detail) continue;
    try {
      const commands = (await planScript(entry.detail)).filter(changesServer).map((p) => p.command);
      if (commands.length > 0) out.push([entry, `console statement that changed the server (${[...new Set(commands)].join(', ')})`]);
    } catch {
      out.push([entry, 'console statement the parser cannot read back']);
    }
  }
  return out;
}

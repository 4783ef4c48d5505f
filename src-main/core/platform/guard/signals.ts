// The rules every action on backends follows, shared by cancel/terminate and cleanup: the
// same as the runbook's write steps (write-steps.ts) — a read-only profile changes nothing
// on its server, and production asks for its name typed — plus what the server's own rules
// on signalling backends mean, worded for the DBA before anything is sent.

/** Query text kept in an audit entry: enough to recognise the statement, not a whole script. */
export const AUDIT_QUERY_CHARS = 1000;
export const SUMMARY_QUERY_CHARS = 120;

// The profile rules are the one rule every screen uses (core/platform/guard/rules.ts).
export { refuseReadOnly, refuseReadOnlyUnconfirmed, refuseUnconfirmedProduction } from './rules';

/** One line, at most `max` characters, for summaries and audit details. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Who may signal whom (PostgreSQL's rules, checked before signalling so the refusal is explained). */
export interface SignalRights {
  /** The acting role is a superuser. */
  superuser: boolean;
  /** The acting role has pg_signal_backend's privileges. */
  signalBackend: boolean;
  /** The acting role has the privileges of the target's role (e.g. it is that role). */
  sameRole: boolean;
  /** The target's role is a superuser, or it has no role (a background process). */
  targetPrivileged: boolean;
  targetUser: string | null;
  actingUser: string;
}

/** Null when PostgreSQL will allow it; otherwise why not, and what to do about it. */
export function signalRefusal(r: SignalRights, verb: string): string | null {
  if (r.superuser) return null;
  if (r.targetPrivileged) {
    const whose = r.targetUser === null ? 'a background process (it has no role)' : `a session of the superuser "${r.targetUser}"`;
    return `Only a superuser can ${verb} ${whose}; "${r.actingUser}" is not one. Ask a DBA with superuser rights (on Supabase, use the dashboard or support).`;
  }
  if (r.sameRole || r.signalBackend) return null;
  return `"${r.actingUser}" cannot ${verb} sessions of another role ("${r.targetUser ?? '?'}"): that needs membership in pg_signal_backend (GRANT pg_signal_backend TO "${r.actingUser}") or superuser. It can only ${verb} its own role's sessions.`;
}

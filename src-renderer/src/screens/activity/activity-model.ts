// The Activity screen's pure part: refresh intervals, session filters and durations, the
// connection gauge, long-running levels, how an action's answer or refusal reads, and the
// cleanup dialog's rule. No React, no calls: unit-tested in tests/unit/activity-model.test.ts.
import type { ActivitySnapshot, BlockingNode, SessionRow, SignalResult } from '@contract/activity';
import type { CheckStatus } from '@contract/runbook';

export const REFRESH_INTERVALS = [1, 3, 5, 10, 30] as const;
export const DEFAULT_INTERVAL_SEC = 3;
export const INTERVAL_SETTING = 'activity.intervalSec';

/** A remembered interval, or the default when missing or not one we offer. */
export function parseInterval(saved: string | null): number {
  const n = Number(saved);
  return (REFRESH_INTERVALS as readonly number[]).includes(n) ? n : DEFAULT_INTERVAL_SEC;
}

export interface SessionFilter {
  state: string | null;
  user: string | null;
  application: string | null;
  database: string | null;
  /** Seconds; sessions shorter than this (by their relevant duration) are hidden. */
  minDurationSec: number | null;
}

export const EMPTY_FILTER: SessionFilter = { state: null, user: null, application: null, database: null, minDurationSec: null };

/** Background workers have no state; they are filtered under this label. */
export const NO_STATE = '(background)';

export function stateLabel(state: string | null): string {
  return state ?? NO_STATE;
}

/**
 * The duration that matters for the session's state: the query's when active, the
 * transaction's when idle in one (that is what holds locks), else time in the state.
 */
export function relevantDurationMs(row: Pick<SessionRow, 'state' | 'queryDurationMs' | 'xactDurationMs' | 'stateDurationMs'>): number | null {
  if (row.state === 'active') return row.queryDurationMs;
  if (row.state?.startsWith('idle in transaction')) return row.xactDurationMs ?? row.stateDurationMs;
  return row.stateDurationMs;
}

export function filterSessions(rows: SessionRow[], filter: SessionFilter): SessionRow[] {
  const minMs = filter.minDurationSec !== null && filter.minDurationSec > 0 ? filter.minDurationSec * 1000 : null;
  return rows.filter((r) => {
    if (filter.state !== null && stateLabel(r.state) !== filter.state) return false;
    if (filter.user !== null && r.user !== filter.user) return false;
    if (filter.application !== null && r.application !== filter.application) return false;
    if (filter.database !== null && r.database !== filter.database) return false;
    if (minMs !== null && (relevantDurationMs(r) ?? 0) < minMs) return false;
    return true;
  });
}

/** A session an operator connected (a client backend), as opposed to the server's own processes. */
export function isClientSession(row: Pick<SessionRow, 'backendType'>): boolean {
  return row.backendType === 'client backend';
}

/**
 * Client sessions first (they are what a DBA acts on), blocked ones at their head, then the
 * rest in pid order; the server's background processes after them, or not at all when hidden.
 */
export function orderSessions(rows: SessionRow[], showBackground: boolean): SessionRow[] {
  const rank = (r: SessionRow) => (isClientSession(r) ? (r.blockedBy.length > 0 ? 0 : 1) : 2);
  return rows.filter((r) => showBackground || isClientSession(r)).sort((a, b) => rank(a) - rank(b) || a.pid - b.pid);
}

export const BACKGROUND_SETTING = 'activity.showBackground';

export function isFiltered(filter: SessionFilter): boolean {
  return Object.values(filter).some((v) => v !== null);
}

/** The distinct values of one column, for a filter's choices (the chosen one kept even when gone). */
export function choicesOf(rows: SessionRow[], pick: (r: SessionRow) => string | null, keep: string | null = null): string[] {
  const set = new Set<string>();
  for (const r of rows) {
    const v = pick(r);
    if (v !== null && v !== '') set.add(v);
  }
  if (keep !== null) set.add(keep);
  return [...set].sort((a, b) => a.localeCompare(b));
}

/** The query on one line, cut to `max` characters. */
export function oneLine(query: string, max = 140): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export const HIDDEN_QUERY_TEXT = 'Query hidden by PostgreSQL';
export const HIDDEN_QUERY_WHY =
  "PostgreSQL shows another role's query text only to superusers and members of pg_read_all_stats. Grant it to this profile's role (GRANT pg_read_all_stats TO …) to see it.";

export function statusColor(status: CheckStatus): string {
  if (status === 'ok') return 'teal';
  if (status === 'warning') return 'yellow';
  if (status === 'critical') return 'red';
  return 'gray';
}

export function statusLabel(status: CheckStatus): string {
  return status.toUpperCase();
}

/** Share of max_connections in use, 0–100. */
export function gaugePercent(connections: number, maxConnections: number): number {
  if (maxConnections <= 0) return 0;
  return Math.min(100, Math.max(0, (connections / maxConnections) * 100));
}

/** "warning above 60, critical above 80" (the unit added after each number). */
export function thresholdText(warn: number, critical: number | null, unit = ''): string {
  return critical === null ? `warning above ${warn}${unit}` : `warning above ${warn}${unit}, critical above ${critical}${unit}`;
}

export function msAsSeconds(ms: number): string {
  return ms % 1000 === 0 ? ` ${ms / 1000} s` : ` ${(ms / 1000).toFixed(1)} s`;
}

/** Counts by state, largest first. */
export function stateCounts(byState: Record<string, number>): Array<{ state: string; count: number }> {
  return Object.entries(byState)
    .map(([state, count]) => ({ state, count }))
    .sort((a, b) => b.count - a.count || a.state.localeCompare(b.state));
}

export type QueryLevel = 'ok' | 'warning' | 'critical';

export function queryLevel(ms: number | null, warnMs: number, criticalMs: number | null): QueryLevel {
  if (ms === null) return 'ok';
  if (criticalMs !== null && ms > criticalMs) return 'critical';
  if (ms > warnMs) return 'warning';
  return 'ok';
}

/** The long-running sessions in the snapshot's order (slowest first), with their level. */
export function longRunningRows(
  snapshot: Pick<ActivitySnapshot, 'sessions' | 'longRunning' | 'queryWarnMs' | 'queryCriticalMs'>,
): Array<{ row: SessionRow; level: QueryLevel }> {
  const byPid = new Map(snapshot.sessions.map((s) => [s.pid, s]));
  const out: Array<{ row: SessionRow; level: QueryLevel }> = [];
  for (const pid of snapshot.longRunning) {
    const row = byPid.get(pid);
    if (row) out.push({ row, level: queryLevel(row.queryDurationMs, snapshot.queryWarnMs, snapshot.queryCriticalMs) });
  }
  return out;
}

/** Every session waiting below the roots, counted once. */
export function countWaiters(nodes: BlockingNode[]): number {
  const seen = new Set<number>();
  const walk = (list: BlockingNode[]) => {
    for (const n of list) {
      seen.add(n.pid);
      walk(n.waiters);
    }
  };
  for (const root of nodes) walk(root.waiters);
  return seen.size;
}

/** What a confirmation dialog and the core need about the backend acted on. */
export interface SignalTarget {
  pid: number;
  /** Absent when the session left the snapshot (the core then cannot check the pid was not reused). */
  backendStart: string | null;
  user: string | null;
  application: string;
  state: string | null;
  durationMs: number | null;
  query: string;
  hidden: boolean;
  own: boolean;
}

export function targetOfRow(row: SessionRow): SignalTarget {
  return {
    pid: row.pid,
    backendStart: row.backendStart,
    user: row.user,
    application: row.application,
    state: row.state,
    durationMs: relevantDurationMs(row),
    query: row.query,
    hidden: row.hidden,
    own: row.own,
  };
}

/** A tree node as a target, with the identity (backend_start) from the session list. */
export function targetOfNode(node: BlockingNode, sessions: SessionRow[]): SignalTarget {
  const row = sessions.find((s) => s.pid === node.pid);
  return {
    pid: node.pid,
    backendStart: row?.backendStart ?? null,
    user: node.user,
    application: node.application,
    state: node.state,
    durationMs: node.durationMs,
    query: node.query,
    hidden: row?.hidden ?? false,
    own: row?.own ?? false,
  };
}

export type SignalAction = 'cancel' | 'terminate';

export const ACTION_WORDS: Record<SignalAction, { verb: string; fn: string; effect: string }> = {
  cancel: { verb: 'Cancel', fn: 'pg_cancel_backend', effect: 'stops the running query; the session and its connection stay.' },
  terminate: { verb: 'Terminate', fn: 'pg_terminate_backend', effect: 'ends the session: its connection closes and an open transaction is rolled back.' },
};

/** The answer's headline and colour. */
export function signalOutcome(result: SignalResult): { color: string; title: string } {
  const what = result.action === 'cancel' ? 'Cancel' : 'Terminate';
  if (!result.signalled) return { color: 'red', title: `${what} not delivered to pid ${result.pid}` };
  if (result.effective) return { color: 'teal', title: result.action === 'cancel' ? `Query of pid ${result.pid} stopped` : `Backend ${result.pid} is gone` };
  return { color: 'yellow', title: result.action === 'cancel' ? `Pid ${result.pid} is still running its query` : `Backend ${result.pid} is still there` };
}

/** The runbook: "if cancel doesn't work, force terminate" — offered when a cancel left the session busy. */
export function offerTerminate(result: SignalResult): boolean {
  return result.action === 'cancel' && !result.effective && result.after !== null;
}

/**
 * Why this action cannot be sent as it stands, or null. Terminating needs the session's
 * backend_start (the core refuses without it) so a pid reused by another backend is never
 * terminated; a session that left the snapshot has none.
 */
export function signalBlocked(action: SignalAction, target: Pick<SignalTarget, 'backendStart'>): string | null {
  if (action === 'terminate' && !target.backendStart) {
    return 'This session is no longer in the latest snapshot, so it cannot be told apart from a new backend given the same pid. Refresh and terminate it from the new list.';
  }
  return null;
}

/** A refusal from the core in words that say what to do about it. */
export function explainRefusal(code: string, action: SignalAction | 'cleanup'): string | null {
  if (code === 'FORBIDDEN')
    return "This profile's role may not signal that backend. Without superuser, a role may cancel or terminate only its own sessions, or other non-superuser roles' sessions if it is a member of pg_signal_backend (GRANT pg_signal_backend TO …). Superuser backends can only be signalled by a superuser.";
  if (code === 'READ_ONLY')
    return `This profile is read-only, so it does not ${action === 'cleanup' ? 'terminate sessions' : `${action} backends`}. Turn read-only off in Profiles if this is intended.`;
  if (code === 'CONFLICT')
    return 'That pid now belongs to another session (the one you saw ended and PostgreSQL reused its pid). Nothing was signalled; look at the refreshed list and act again if needed.';
  if (code === 'CONFIRMATION_REQUIRED') return 'This is a production profile: type its name exactly to confirm.';
  return null;
}

export type CleanupRecipe = 'idleInTransaction' | 'idle';

export interface CleanupDraft {
  recipe: CleanupRecipe;
  idleInTransactionMinutes: number;
  idleHours: number;
  excludeUsers: string[];
  excludeApps: string[];
}

/** Replication roles and connection poolers: ending them hurts more than the idle sessions do. */
export const SUGGESTED_EXCLUDED_USERS = ['replicator', 'replication', 'supabase_replication_admin', 'pgbouncer', 'supavisor'];
export const SUGGESTED_EXCLUDED_APPS = ['pgbouncer', 'supavisor', 'walreceiver', 'pg_basebackup'];

export function defaultCleanupDraft(): CleanupDraft {
  return { recipe: 'idleInTransaction', idleInTransactionMinutes: 10, idleHours: 1, excludeUsers: ['replicator'], excludeApps: ['pgbouncer', 'supavisor'] };
}

export interface CleanupRuleInput {
  profileId: string;
  idleInTransactionMinutes?: number;
  idleMinutes?: number;
  excludeUsers: string[];
  excludeApps: string[];
  password?: string;
}

/** The contract's rule: exactly one of the two thresholds (hours become minutes). */
export function cleanupRuleOf(profileId: string, draft: CleanupDraft, password?: string): CleanupRuleInput {
  const rule: CleanupRuleInput = { profileId, excludeUsers: draft.excludeUsers, excludeApps: draft.excludeApps };
  if (draft.recipe === 'idleInTransaction') rule.idleInTransactionMinutes = draft.idleInTransactionMinutes;
  else rule.idleMinutes = Math.round(draft.idleHours * 60 * 100) / 100;
  if (password) rule.password = password;
  return rule;
}

/** Space pauses the refresh, except where Space types or presses something. */
export function spaceTogglesPause(target: { tagName?: string; isContentEditable?: boolean; getAttribute?: (name: string) => string | null } | null): boolean {
  if (!target) return true;
  if (target.isContentEditable) return false;
  const tag = (target.tagName ?? '').toLowerCase();
  if (['input', 'textarea', 'select', 'button', 'a', 'summary'].includes(tag)) return false;
  const role = target.getAttribute?.('role') ?? null;
  return !(role && ['button', 'checkbox', 'switch', 'radio', 'tab', 'option', 'combobox', 'textbox', 'menuitem', 'slider'].includes(role));
}

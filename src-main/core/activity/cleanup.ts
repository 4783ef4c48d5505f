// Bulk cleanup, the runbook's two recipes (idle in transaction for N minutes, idle for N
// minutes) with exclusions: a preview that changes nothing, then a run that considers only
// the previewed pids and re-checks each against the rule in the very statement that
// terminates it, so a session that became active (or changed owner, or ended and had its
// pid reused) since the preview is skipped, with the reason. Like the runbook's snippets it
// stays within the profile's database. Every terminated pid gets its own audit entry.
import type pg from 'pg';
import type { CleanupMatch, CleanupPreview, CleanupResult } from '../../contract/activity';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext } from '../platform/kernel/dispatch';
import { APPLICATION_NAME, withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { AUDIT_QUERY_CHARS, clip, refuseReadOnlyUnconfirmed, signalRefusal, SUMMARY_QUERY_CHARS } from '../platform/guard/signals';
import { HIDDEN_QUERY, SNAPSHOT_TIMEOUT_MS, withTimeout } from './snapshot';
import { plural } from '../platform/text/plural';

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels' | 'audit'>;

export interface CleanupRule {
  idleInTransactionMinutes?: number | undefined;
  idleMinutes?: number | undefined;
  excludeUsers: string[];
  excludeApps: string[];
  password?: string | undefined;
}

const IDLE_IN_TRANSACTION = ['idle in transaction', 'idle in transaction (aborted)'];
const GONE_WAIT_MS = 3000;

function ruleStates(rule: CleanupRule): string[] {
  return rule.idleInTransactionMinutes !== undefined ? IDLE_IN_TRANSACTION : ['idle'];
}

function ruleMinutes(rule: CleanupRule): number {
  return rule.idleInTransactionMinutes ?? rule.idleMinutes ?? 0;
}

function minutesText(n: number): string {
  if (n >= 60 && n % 60 === 0) return plural(n / 60, 'hour');
  return plural(n, 'minute');
}

/** "idle in transaction for more than 10 minutes, except users replicator; apps pgbouncer". */
export function describeRule(rule: CleanupRule): string {
  const what = rule.idleInTransactionMinutes !== undefined ? 'idle in transaction' : 'idle';
  const except: string[] = [];
  if (rule.excludeUsers.length > 0) except.push(`users ${rule.excludeUsers.join(', ')}`);
  if (rule.excludeApps.length > 0) except.push(`applications ${rule.excludeApps.join(', ')}`);
  return `${what} for more than ${minutesText(ruleMinutes(rule))}${except.length > 0 ? `, except ${except.join('; ')}` : ''}`;
}

/** Each row of pg_stat_activity the rule's state and age match, with what decides its exclusion. */
interface CandidateRow {
  pid: number;
  usename: string | null;
  application_name: string | null;
  state: string | null;
  backend_type: string | null;
  query: string | null;
  duration_ms: number;
  target_privileged: boolean;
  same_role: boolean;
  me_super: boolean;
  me_signal: boolean;
  me: string;
}

const CANDIDATE_COLUMNS = `a.pid, a.usename, a.application_name, a.state, a.backend_type, a.query,
  round(extract(epoch FROM now() - a.state_change) * 1000)::float8 AS duration_ms,
  (a.usesysid IS NULL OR COALESCE((SELECT rolsuper FROM pg_roles WHERE oid = a.usesysid), false)) AS target_privileged,
  (a.usesysid IS NOT NULL AND pg_has_role(current_user, a.usesysid, 'USAGE')) AS same_role,
  COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS me_super,
  pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS me_signal,
  current_user::text AS me`;

/** $1 states, $2 minutes. */
const RULE_CONDITION = `a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.state = ANY($1::text[]) AND a.state_change < now() - $2::float8 * interval '1 minute'`;

/** Also the sessions this role may not see the state of, so the preview can say it cannot judge them. */
const PREVIEW_SQL = `SELECT ${CANDIDATE_COLUMNS} FROM pg_stat_activity a
WHERE (${RULE_CONDITION}) OR (a.datname = current_database() AND a.state IS NULL AND a.query = '${HIDDEN_QUERY}')
ORDER BY a.state_change, a.pid`;

/**
 * One pid: the row, whether it still matches the rule, and the terminate only then (CASE
 * evaluates pg_terminate_backend for a matching row alone, and only when the role may
 * signal it). $4/$5: the excluded users and (lower-cased) applications.
 */
const RUN_SQL = `
SELECT c.*, CASE WHEN c.matches AND (c.me_super OR (NOT c.target_privileged AND (c.same_role OR c.me_signal)))
  THEN pg_terminate_backend(c.pid) END AS terminated
FROM (SELECT ${CANDIDATE_COLUMNS}, (${RULE_CONDITION} AND a.backend_type = 'client backend'
        AND NOT (COALESCE(a.usename, '') = ANY($4::text[])) AND NOT (lower(COALESCE(a.application_name, '')) = ANY($5::text[]))
        AND COALESCE(a.application_name, '') NOT LIKE '${APPLICATION_NAME}%') AS matches
      FROM pg_stat_activity a WHERE a.pid = $3 OFFSET 0) c`;

function toMatch(r: CandidateRow): CleanupMatch {
  return { pid: r.pid, user: r.usename, application: r.application_name ?? '', state: r.state, durationMs: r.duration_ms, query: r.query ?? '' };
}

/** Why a session the rule matched is kept out, or null when the cleanup may end it. */
function exclusion(r: CandidateRow, rule: CleanupRule): string | null {
  const app = r.application_name ?? '';
  if (app.startsWith(APPLICATION_NAME)) return "this app's own connection";
  const refusal = signalRefusal(
    {
      superuser: r.me_super,
      signalBackend: r.me_signal,
      sameRole: r.same_role,
      targetPrivileged: r.target_privileged,
      targetUser: r.usename,
      actingUser: r.me,
    },
    'terminate',
  );
  if (r.query === HIDDEN_QUERY)
    return refusal ?? `"${r.me}" cannot see this session's state (it needs pg_read_all_stats or pg_monitor), so the rule cannot be judged`;
  if (r.backend_type !== 'client backend') return `not a client session (${r.backend_type ?? 'unknown'})`;
  if (r.usename !== null && rule.excludeUsers.includes(r.usename)) return `user ${r.usename} is excluded`;
  const apps = rule.excludeApps.map((a) => a.toLowerCase());
  if (apps.includes(app.toLowerCase())) return `application "${app}" is excluded`;
  return refusal;
}

function cleanupError(err: unknown, profile: Profile): OpsError {
  if (err instanceof OpsError) return err;
  if (isServerError(err))
    return new OpsError('QUERY_FAILED', `The session cleanup failed at the server: ${err.message} (SQLSTATE ${err.code})`, { sqlstate: err.code });
  return toOpsError(err, profile);
}

function connectOptions(password: string | undefined): { password?: string } {
  return password !== undefined ? { password } : {};
}

export async function previewCleanup(deps: Deps, profile: Profile, rule: CleanupRule): Promise<CleanupPreview> {
  const rows = await withClient(
    deps,
    profile,
    async (client) => {
      try {
        return await withTimeout(
          client,
          SNAPSHOT_TIMEOUT_MS,
          async () => (await client.query<CandidateRow>(PREVIEW_SQL, [ruleStates(rule), ruleMinutes(rule)])).rows,
        );
      } catch (err) {
        throw cleanupError(err, profile);
      }
    },
    connectOptions(rule.password),
  ).catch((err: unknown) => {
    throw cleanupError(err, profile);
  });
  const preview: CleanupPreview = { rule: describeRule(rule), matched: [], excluded: [] };
  for (const r of rows) {
    const why = exclusion(r, rule);
    if (why === null) preview.matched.push(toMatch(r));
    else preview.excluded.push({ ...toMatch(r), why });
  }
  return preview;
}

interface RunRow extends CandidateRow {
  matches: boolean | null;
  terminated: boolean | null;
}

/** Why a previewed pid was not terminated, from how it looks now. */
function skipReason(r: RunRow, rule: CleanupRule): string {
  const excluded = exclusion(r, rule);
  if (excluded !== null) return `not terminated: ${excluded}`;
  if (r.state === 'active') return 'became active (running a query) since the preview: not terminated';
  if (!ruleStates(rule).includes(r.state ?? ''))
    return `now ${r.state ?? 'in an unknown state'}, no longer ${describeRule({ ...rule, excludeUsers: [], excludeApps: [] })}: not terminated`;
  return `its state changed ${Math.round(r.duration_ms / 1000)} s ago, no longer past the ${minutesText(ruleMinutes(rule))} limit: not terminated`;
}

async function waitGone(client: pg.Client, pids: number[]): Promise<void> {
  const deadline = Date.now() + GONE_WAIT_MS;
  while (pids.length > 0 && Date.now() < deadline) {
    const left = await client.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
    if (left.rowCount === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runCleanup(
  deps: Deps,
  profile: Profile,
  rule: CleanupRule,
  pids: readonly number[],
  confirmName: string | undefined,
  ctx: Pick<CallContext, 'actor' | 'audit'>,
): Promise<CleanupResult> {
  const audit = ctx.audit;
  const ruleText = describeRule(rule);
  audit.profile = profile.name;
  audit.detail = RUN_SQL.trim();
  audit.summary = `session cleanup on ${profile.name} (${ruleText}): nothing terminated`;
  refuseReadOnlyUnconfirmed(profile, `the session cleanup (${ruleText}, ${plural(pids.length, 'session')})`, confirmName, audit);
  const result: CleanupResult = { rule: ruleText, matched: [], terminated: [], skipped: [] };
  audit.rowsAffected = 0;
  const params = (pid: number): unknown[] => [ruleStates(rule), ruleMinutes(rule), pid, rule.excludeUsers, rule.excludeApps.map((a) => a.toLowerCase())];
  await withClient(
    deps,
    profile,
    async (client) => {
      await withTimeout(client, SNAPSHOT_TIMEOUT_MS, async () => {
        for (const pid of [...new Set(pids)]) {
          let row: RunRow | undefined;
          try {
            row = (await client.query<RunRow>(RUN_SQL, params(pid))).rows[0];
          } catch (err) {
            if (!isServerError(err)) throw err;
            result.skipped.push({ pid, reason: `the server refused: ${err.message}` });
            continue;
          }
          if (!row) {
            result.skipped.push({ pid, reason: 'already gone (the session ended since the preview)' });
          } else if (row.terminated === null) {
            result.skipped.push({ pid, reason: skipReason(row, rule) });
          } else if (!row.terminated) {
            result.skipped.push({ pid, reason: 'the server could not signal it (it may have just ended)' });
          } else {
            const match = toMatch(row);
            result.matched.push(match);
            result.terminated.push(pid);
            audit.rowsAffected = result.terminated.length;
            recordTerminated(deps, ctx.actor, profile, match, ruleText);
          }
        }
        await waitGone(client, result.terminated);
      });
    },
    connectOptions(rule.password),
  ).catch((err: unknown) => {
    const failure = cleanupError(err, profile);
    audit.summary = `session cleanup on ${profile.name} (${ruleText}): ${result.terminated.length} terminated, then failed (${failure.code})`;
    throw failure;
  });
  audit.summary = `session cleanup on ${profile.name} (${ruleText}): ${result.terminated.length} terminated${result.terminated.length > 0 ? ` (pids ${result.terminated.join(', ')})` : ''}, ${result.skipped.length} skipped`;
  return result;
}

/** Its own entry per pid, written as soon as it is ended: the trail says who lost their session. */
function recordTerminated(deps: Pick<CoreDeps, 'audit'>, actor: string, profile: Profile, m: CleanupMatch, ruleText: string): void {
  const who = `user ${m.user ?? '?'}, application "${m.application}"`;
  deps.audit.record({
    actor,
    action: 'session.terminate',
    profile: profile.name,
    summary: `terminate backend ${m.pid} (${who}) on ${profile.name} by session cleanup: ${m.state ?? '?'} for ${Math.round(m.durationMs / 1000)} s — ${clip(m.query, SUMMARY_QUERY_CHARS)}`,
    detail: `SELECT pg_terminate_backend(${m.pid})\n-- cleanup rule: ${ruleText}\n-- ${who}\n-- query: ${clip(m.query, AUDIT_QUERY_CHARS)}`,
    outcome: 'ok',
    durationMs: 0,
    rowsAffected: 1,
  });
}

// Cancel or terminate one backend, safely: the backend is looked up first (a pid that now
// belongs to another backend than the one shown is refused), the role's right to signal it
// is checked and explained before anything is sent (PostgreSQL's own refusal stays the
// fallback), and afterwards the result is verified by watching pg_stat_activity for a few
// seconds — the runbook's "if cancel doesn't work, force terminate" needs to know.
import type pg from 'pg';
import type { SignalResult } from '../../contract/activity';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote } from '../platform/kernel/dispatch';
import { withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { AUDIT_QUERY_CHARS, clip, refuseReadOnly, refuseReadOnlyUnconfirmed, signalRefusal, SUMMARY_QUERY_CHARS } from '../platform/guard/signals';
import { SNAPSHOT_TIMEOUT_MS, withTimeout } from './snapshot';

export const VERIFY_WAIT_MS = 3000;
const POLL_MS = 100;

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels'>;
export type SignalAction = SignalResult['action'];

export interface SignalRequest {
  pid: number;
  backendStart?: string | undefined;
  confirmName?: string | undefined;
  password?: string | undefined;
}

interface TargetRow {
  pid: number;
  usename: string | null;
  application_name: string | null;
  state: string | null;
  query: string | null;
  query_start: string | null;
  backend_start: string;
  same_backend: boolean | null;
  duration_ms: number | null;
  target_privileged: boolean;
  same_role: boolean;
  me_super: boolean;
  me_signal: boolean;
  me: string;
}

/** The backend and who may signal it, in one statement. Timestamps as text keep their microseconds. */
const TARGET_SQL = `
SELECT a.pid, a.usename, a.application_name, a.state, a.query, a.query_start::text, a.backend_start::text,
       CASE WHEN $2::text IS NULL THEN NULL ELSE a.backend_start = $2::text::timestamptz END AS same_backend,
       round(extract(epoch FROM now() - COALESCE(a.query_start, a.xact_start, a.state_change)) * 1000)::float8 AS duration_ms,
       (a.usesysid IS NULL OR COALESCE((SELECT rolsuper FROM pg_roles WHERE oid = a.usesysid), false)) AS target_privileged,
       (a.usesysid IS NOT NULL AND pg_has_role(current_user, a.usesysid, 'USAGE')) AS same_role,
       COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS me_super,
       pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS me_signal,
       current_user::text AS me
FROM pg_stat_activity a WHERE a.pid = $1`;

interface AfterRow {
  state: string | null;
  query: string | null;
  query_start: string | null;
  backend_start: string;
  duration_ms: number | null;
}

const AFTER_SQL = `SELECT state, query, query_start::text, backend_start::text,
  round(extract(epoch FROM now() - query_start) * 1000)::float8 AS duration_ms FROM pg_stat_activity WHERE pid = $1`;

function verbOf(action: SignalAction): string {
  return action === 'cancel' ? 'cancel the query of' : 'terminate';
}

async function findTarget(client: pg.Client, req: SignalRequest, profile: Profile): Promise<TargetRow> {
  const res = await client.query<TargetRow>(TARGET_SQL, [req.pid, req.backendStart ?? null]);
  const row = res.rows[0];
  if (!row) throw new OpsError('NOT_FOUND', `There is no backend with pid ${req.pid} on ${profile.name} any more: it has already ended.`);
  if (row.same_backend === false) {
    throw new OpsError(
      'CONFLICT',
      `pid ${req.pid} now belongs to another backend (started ${row.backend_start}, not ${req.backendStart ?? '?'}): the session you chose has ended and its pid was reused. Nothing was signalled; refresh and choose again.`,
      { backendStart: row.backend_start },
    );
  }
  return row;
}

/** Is the action done? Cancel: its query ended (or the backend did); terminate: the backend is gone. */
function effectiveAfter(action: SignalAction, before: TargetRow, after: AfterRow | null): boolean {
  if (after === null || after.backend_start !== before.backend_start) return true;
  if (action === 'terminate') return false;
  return after.state !== before.state || after.query_start !== before.query_start;
}

async function watch(client: pg.Client, action: SignalAction, before: TargetRow): Promise<{ effective: boolean; after: AfterRow | null }> {
  const deadline = Date.now() + VERIFY_WAIT_MS;
  for (;;) {
    const after = (await client.query<AfterRow>(AFTER_SQL, [before.pid])).rows[0] ?? null;
    const effective = effectiveAfter(action, before, after);
    if (effective || Date.now() >= deadline) return { effective, after: after && after.backend_start === before.backend_start ? after : null };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function outcomeMessage(action: SignalAction, pid: number, signalled: boolean, effective: boolean, before: TargetRow): string {
  const seconds = VERIFY_WAIT_MS / 1000;
  if (!signalled) return `The server could not signal backend ${pid} (it may have just ended).`;
  if (action === 'terminate') {
    return effective
      ? `Backend ${pid} was terminated; its open transaction, if any, was rolled back.`
      : `Backend ${pid} was signalled but is still there after ${seconds} s.`;
  }
  if (effective) return `The query of backend ${pid} was cancelled.`;
  if (before.state !== 'active')
    return `Backend ${pid} was not running a query (${before.state ?? 'unknown state'}): a cancel does nothing to it; terminate it to end its session.`;
  return `Backend ${pid} is still running its query ${seconds} s after the cancel: terminate it to force it (its transaction is rolled back).`;
}

function signalError(err: unknown, profile: Profile, action: SignalAction): OpsError {
  if (err instanceof OpsError) return err;
  if (isServerError(err) && err.code === '42501') {
    return new OpsError(
      'FORBIDDEN',
      `PostgreSQL refused to ${verbOf(action)} the backend: ${err.message}. It needs superuser or pg_signal_backend (and only a superuser can signal a superuser's session).`,
      { sqlstate: err.code },
    );
  }
  if (isServerError(err))
    return new OpsError('QUERY_FAILED', `Could not ${verbOf(action)} the backend: ${err.message} (SQLSTATE ${err.code})`, { sqlstate: err.code });
  return toOpsError(err, profile);
}

export async function signalBackend(deps: Deps, profile: Profile, action: SignalAction, req: SignalRequest, audit: AuditNote): Promise<SignalResult> {
  audit.profile = profile.name;
  const fn = action === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  audit.detail = `SELECT ${fn}(${req.pid})`;
  audit.summary = `${action} backend ${req.pid} on ${profile.name}: not signalled`;
  if (action === 'cancel') refuseReadOnly(profile, `cancelling backend ${req.pid}`, audit);
  else {
    // The contract requires it; checked here too for callers inside the core.
    if (!req.backendStart)
      throw new OpsError(
        'INVALID_INPUT',
        `backendStart: required to terminate backend ${req.pid} (so a reused pid is never terminated); take it from a fresh activity snapshot.`,
      );
    // The typed name before a one-action elevation is used (refuseReadOnlyUnconfirmed).
    refuseReadOnlyUnconfirmed(profile, `terminating backend ${req.pid}`, req.confirmName, audit);
  }
  return withClient(
    deps,
    profile,
    async (client) => {
      try {
        return await withTimeout(client, SNAPSHOT_TIMEOUT_MS, async () => {
          const before = await findTarget(client, req, profile);
          const who = `user ${before.usename ?? '?'}, application "${before.application_name ?? ''}"`;
          const query = before.query ?? '';
          audit.detail = `SELECT ${fn}(${req.pid})\n-- ${who}, state ${before.state ?? '?'}, backend started ${before.backend_start}\n-- query: ${clip(query, AUDIT_QUERY_CHARS)}`;
          audit.summary = `${action} backend ${req.pid} (${who}) on ${profile.name}: not signalled — ${clip(query, SUMMARY_QUERY_CHARS)}`;
          const refusal = signalRefusal(
            {
              superuser: before.me_super,
              signalBackend: before.me_signal,
              sameRole: before.same_role,
              targetPrivileged: before.target_privileged,
              targetUser: before.usename,
              actingUser: before.me,
            },
            verbOf(action),
          );
          if (refusal !== null) throw new OpsError('FORBIDDEN', refusal, { pid: req.pid, user: before.usename });
          const signalled = (await client.query<{ ok: boolean }>(`SELECT ${fn}($1) AS ok`, [req.pid])).rows[0]?.ok === true;
          const { effective, after } = signalled ? await watch(client, action, before) : { effective: false, after: null };
          const message = outcomeMessage(action, req.pid, signalled, effective, before);
          audit.summary = `${action} backend ${req.pid} (${who}) on ${profile.name}: ${signalled ? (effective ? 'done' : 'signalled, no effect yet') : 'not signalled'} — ${clip(query, SUMMARY_QUERY_CHARS)}`;
          if (!signalled || (action === 'terminate' && !effective)) audit.failed = message;
          return {
            pid: req.pid,
            action,
            signalled,
            effective,
            after: after ? { state: after.state, query: after.query ?? '', queryDurationMs: after.duration_ms } : null,
            before: { user: before.usename, application: before.application_name ?? '', state: before.state, query, durationMs: before.duration_ms },
            message,
          };
        });
      } catch (err) {
        throw signalError(err, profile, action);
      }
    },
    req.password !== undefined ? { password: req.password } : {},
  ).catch((err: unknown) => {
    throw signalError(err, profile, action);
  });
}

// ops-console sessions list PROFILE [--json]
// ops-console sessions cancel|terminate PROFILE PID [--yes] [--confirm NAME] [--json]
// ops-console sessions cleanup PROFILE (--idle-in-transaction MINUTES | --idle MINUTES)
//         [--exclude-user U]… [--exclude-app A]… [--dry-run] [--yes] [--confirm NAME] [--json]
// Every action shows what it will act on first (the session's user, application, state and
// query; the cleanup's preview list) and asks, like every change the CLI makes. The core
// re-checks at execution: the pid's backend (start time) for cancel/terminate, each pid's
// state for the cleanup.
import type { ActivitySnapshot, CleanupMatch, CleanupPreview, CleanupResult, SessionRow, SignalResult } from '../../contract/activity';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError, type Parsed } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { ELEVATE_FLAGS, ELEVATE_USAGE, withCliElevation } from '../elevate';
import { confirm, printJson, table } from '../io';
import { findProfile } from './profile';
import { plural } from '../../core/platform/text/plural';

const USAGE = {
  list: 'ops-console sessions list PROFILE [--json]',
  signal: `ops-console sessions cancel|terminate PROFILE PID [--yes] [--confirm NAME] ${ELEVATE_USAGE} [--json]`,
  cleanup:
    'ops-console sessions cleanup PROFILE (--idle-in-transaction MINUTES | --idle MINUTES) [--exclude-user U]… [--exclude-app A]… [--dry-run] [--yes] [--confirm NAME] [--json]',
};

const MAX_MINUTES = 100_000;

function pw(password: string | undefined): { password?: string } {
  return password !== undefined ? { password } : {};
}

/** How long the session has been in its current state (for an active one: its query). */
export function sessionDurationMs(s: SessionRow): number | null {
  return s.stateDurationMs ?? s.queryDurationMs;
}

function seconds(ms: number | null): string {
  return ms === null ? '' : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The JSON of `sessions list` (cli.md), with a few more fields for scripts. */
export function listJson(snap: ActivitySnapshot): Record<string, unknown> {
  return {
    ok: true,
    profile: snap.profile,
    at: snap.at,
    connections: snap.connections,
    maxConnections: snap.maxConnections,
    connectionStatus: snap.connectionStatus,
    sessions: snap.sessions.map((s) => ({
      pid: s.pid,
      user: s.user,
      database: s.database,
      application: s.application,
      state: s.state,
      durationMs: sessionDurationMs(s),
      waitEvent: s.waitEvent,
      blockedBy: s.blockedBy,
      query: s.query,
      backendType: s.backendType,
      backendStart: s.backendStart,
      own: s.own,
    })),
  };
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE.list);
  const profile = await findProfile(ctx, name!);
  const snap = await withPasswordRetry(ctx, profile, (password) => ctx.call('getActivity', { profileId: profile.id, ...pw(password) }));
  if (ctx.io.json) {
    printJson(ctx.io, listJson(snap));
    return 0;
  }
  ctx.io.out(`${snap.profile}: ${snap.connections} of ${snap.maxConnections} connections (${snap.connectionStatus}), ${snap.lockWaits} waiting on a lock`);
  const rows = snap.sessions
    .filter((s) => s.backendType === 'client backend')
    .map((s) => ({
      pid: s.pid,
      user: s.user,
      application: s.own ? `${s.application} (this app)` : s.application,
      state: s.state,
      duration: seconds(sessionDurationMs(s)),
      wait: s.waitEvent,
      blockedBy: s.blockedBy.join(','),
      query: oneLine(s.query),
    }));
  if (rows.length > 0) ctx.io.out(table(rows, ['pid', 'user', 'application', 'state', 'duration', 'wait', 'blockedBy', 'query']));
  return 0;
}

function parsePid(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new UsageError(`PID must be a positive whole number, got "${raw}"\nusage: ${USAGE.signal}`);
  return Number(raw);
}

function describeSession(profile: Profile, s: SessionRow): string {
  return [
    `Backend ${s.pid} on "${profile.name}" (${profile.env}): user ${s.user ?? '?'}, application "${s.application}", ${s.state ?? 'state unknown'} for ${seconds(sessionDurationMs(s)) || '?'}`,
    `  query: ${oneLine(s.query, 400)}`,
  ].join('\n');
}

async function signal(ctx: CliContext, action: 'cancel' | 'terminate', argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { yes: { type: 'boolean' }, confirm: { type: 'string' }, ...ELEVATE_FLAGS });
  const [name, rawPid] = expectPositionals(parsed, ['PROFILE', 'PID'], USAGE.signal);
  const pid = parsePid(rawPid!);
  const profile = await findProfile(ctx, name!);
  const snap = await withPasswordRetry(ctx, profile, (password) => ctx.call('getActivity', { profileId: profile.id, ...pw(password) }));
  const session = snap.sessions.find((s) => s.pid === pid);
  if (!session) throw new OpsError('NOT_FOUND', `There is no backend with pid ${pid} on ${profile.name}.`);
  const preview = describeSession(profile, session);
  if (ctx.io.json) ctx.io.err(preview);
  else ctx.io.out(preview);
  await confirm(ctx.io, {
    question: action === 'cancel' ? `Cancel the query of backend ${pid}?` : `Terminate backend ${pid} (its transaction is rolled back)?`,
    yes: boolFlag(parsed, 'yes'),
    production: profile.env === 'production',
    profileName: profile.name,
    confirmFlag: stringFlag(parsed, 'confirm'),
  });
  const input = { profileId: profile.id, pid, backendStart: session.backendStart, confirmName: profile.name };
  const result: SignalResult = await withCliElevation(ctx, parsed, profile, () =>
    withPasswordRetry(ctx, profile, (password) =>
      action === 'cancel' ? ctx.call('cancelBackend', { ...input, ...pw(password) }) : ctx.call('terminateBackend', { ...input, ...pw(password) }),
    ),
  );
  // Signalled but not effective is a failure for a script (exit 1), with the answer itself.
  const failed = result.effective ? {} : { error: { code: 'QUERY_FAILED', message: result.message } };
  if (ctx.io.json) printJson(ctx.io, { ...result, ok: result.effective, ...failed });
  if (result.effective) {
    if (!ctx.io.json) ctx.io.out(result.message);
    return 0;
  }
  ctx.io.err(`error: ${result.message}`);
  return 1;
}

interface CleanupFlags {
  rule: { profileId: string; idleInTransactionMinutes?: number; idleMinutes?: number; excludeUsers: string[]; excludeApps: string[] };
  dryRun: boolean;
}

function listFlag(parsed: Parsed, name: string): string[] {
  const v = parsed.flags[name];
  return Array.isArray(v) ? v : [];
}

function cleanupFlags(parsed: Parsed, profile: Profile): CleanupFlags {
  const iit = intFlag(parsed, 'idle-in-transaction', { min: 0, max: MAX_MINUTES });
  const idle = intFlag(parsed, 'idle', { min: 0, max: MAX_MINUTES });
  if ((iit === undefined) === (idle === undefined))
    throw new UsageError(`give exactly one of --idle-in-transaction MINUTES or --idle MINUTES\nusage: ${USAGE.cleanup}`);
  return {
    rule: {
      profileId: profile.id,
      ...(iit !== undefined ? { idleInTransactionMinutes: iit } : { idleMinutes: idle! }),
      excludeUsers: listFlag(parsed, 'exclude-user'),
      excludeApps: listFlag(parsed, 'exclude-app'),
    },
    dryRun: boolFlag(parsed, 'dry-run'),
  };
}

function matchJson(m: CleanupMatch): Record<string, unknown> {
  return { pid: m.pid, user: m.user, application: m.application, state: m.state, durationMs: m.durationMs, query: m.query };
}

function previewText(profile: Profile, preview: CleanupPreview): string {
  const lines = [`Session cleanup on "${profile.name}" (${profile.env}): ${preview.rule}`];
  if (preview.matched.length === 0) lines.push('No session matches: nothing to terminate.');
  else {
    lines.push(`Would terminate ${plural(preview.matched.length, 'session')}:`);
    lines.push(
      table(
        preview.matched.map((m) => ({
          pid: m.pid,
          user: m.user,
          application: m.application,
          state: m.state,
          duration: seconds(m.durationMs),
          query: oneLine(m.query),
        })),
        ['pid', 'user', 'application', 'state', 'duration', 'query'],
      ),
    );
  }
  for (const e of preview.excluded) lines.push(`Kept: ${e.pid} (${e.user ?? '?'}, "${e.application}"): ${e.why}`);
  return lines.join('\n');
}

function resultText(result: CleanupResult): string {
  const lines = [`Terminated ${plural(result.terminated.length, 'session')}${result.terminated.length > 0 ? `: ${result.terminated.join(', ')}` : ''}.`];
  for (const s of result.skipped) lines.push(`Skipped ${s.pid}: ${s.reason}`);
  return lines.join('\n');
}

async function cleanup(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    'idle-in-transaction': { type: 'string' },
    idle: { type: 'string' },
    'exclude-user': { type: 'list' },
    'exclude-app': { type: 'list' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean' },
    confirm: { type: 'string' },
  });
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE.cleanup);
  const profile = await findProfile(ctx, name!);
  const { rule, dryRun } = cleanupFlags(parsed, profile);
  let password: string | undefined;
  const preview = await withPasswordRetry(ctx, profile, (typed) => {
    password = typed;
    return ctx.call('previewSessionCleanup', { ...rule, ...pw(typed) });
  });
  const text = previewText(profile, preview);
  if (dryRun || preview.matched.length === 0) {
    if (ctx.io.json) {
      printJson(ctx.io, {
        ok: true,
        dryRun,
        rule: preview.rule,
        matched: preview.matched.map(matchJson),
        excluded: preview.excluded.map((e) => ({ ...matchJson(e), why: e.why })),
        terminated: [],
      });
    } else ctx.io.out(text);
    return 0;
  }
  if (ctx.io.json) ctx.io.err(text);
  else ctx.io.out(text);
  await confirm(ctx.io, {
    question: `Terminate these ${plural(preview.matched.length, 'session')} (their open transactions are rolled back)?`,
    yes: boolFlag(parsed, 'yes'),
    production: profile.env === 'production',
    profileName: profile.name,
    confirmFlag: stringFlag(parsed, 'confirm'),
  });
  const result = await ctx.call('runSessionCleanup', {
    rule: { ...rule, ...pw(password) },
    pids: preview.matched.map((m) => m.pid),
    confirmName: profile.name,
  });
  if (ctx.io.json)
    printJson(ctx.io, {
      ok: true,
      dryRun: false,
      rule: result.rule,
      matched: result.matched.map(matchJson),
      terminated: result.terminated,
      skipped: result.skipped,
    });
  else ctx.io.out(resultText(result));
  return 0;
}

export async function sessionsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(ctx, rest);
  if (sub === 'cancel' || sub === 'terminate') return signal(ctx, sub, rest);
  if (sub === 'cleanup') return cleanup(ctx, rest);
  throw new UsageError(`unknown sessions command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
}

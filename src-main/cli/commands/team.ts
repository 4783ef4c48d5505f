// ops-console team connect|status|sync (issue #22; see the CLI contract). The team store's
// password never comes from a flag: PGPASSWORD, ~/.pgpass, the URL (moved to this process's
// secret store, never kept in the settings) or a prompt on a terminal.
import { OpsError } from '../../contract/errors';
import type { TeamStatus, TeamSyncResult } from '../../contract/team';
import { boolFlag, expectPositionals, parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { confirm, printJson } from '../io';
import { withPasswordRetry } from '../password-retry';

const USAGE = {
  connect: 'ops-console team connect URL [--yes] [--json]',
  status: 'ops-console team status [--json]',
  sync: 'ops-console team sync [--json]',
};

function pendingLine(s: Pick<TeamStatus, 'pending'>): string {
  const p = s.pending;
  return `${p.auditRecords} audit record(s), ${p.profiles} profile(s), ${p.runbooks} runbook(s), ${p.checklistRuns} checklist run(s)`;
}

function statusLines(s: TeamStatus): string[] {
  if (!s.connection) return [`No team store connected (workstation ${s.workstationName}). Connect one with: ${USAGE.connect}`];
  const c = s.connection;
  return [
    `Team store: ${c.database} on ${c.host}:${c.port} as ${c.user} (sslmode ${c.sslmode}), schema version ${s.storeVersion ?? '?'} (this app: ${s.appStoreVersion})`,
    `Workstation: ${s.workstationName} (${s.workstationId ?? '?'})`,
    `Pending: ${pendingLine(s)}`,
    `Last sync: ${s.lastSyncAt ?? 'never'}`,
    ...(s.lastError ? [`Last error (${s.lastErrorAt ?? '?'}): ${s.lastError}`] : []),
  ];
}

/** "user@host:port" for the password prompt, read from the URL without trusting it further. */
function promptTarget(url: string): { user: string; host: string; port: number } {
  const m = /^postgres(?:ql)?:\/\/(?:([^:@/]*)(?::[^@/]*)?@)?([^:/?]*)(?::(\d+))?/i.exec(url);
  return { user: decodeURIComponent(m?.[1] ?? '') || 'user', host: m?.[2] || 'localhost', port: Number(m?.[3] ?? 5432) };
}

async function connect(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { yes: { type: 'boolean' } });
  const [url] = expectPositionals(parsed, ['URL'], USAGE.connect);
  await confirm(ctx.io, {
    question: 'Connect this workstation to the team store? It creates or migrates the ops_team schema there and uploads this workstation’s audit trail.',
    yes: boolFlag(parsed, 'yes'),
    production: false,
    profileName: '',
  });
  const result = await withPasswordRetry(ctx, promptTarget(url!), (password) => ctx.call('teamConnect', { url: url!, ...(password ? { password } : {}) }));
  if (ctx.io.json) {
    printJson(ctx.io, {
      ok: true,
      ...result.status,
      migrated: result.migrated,
      passwordSaved: result.passwordSaved,
      warnings: result.warnings,
      rolesSql: result.rolesSql,
    });
    return 0;
  }
  ctx.io.out(statusLines(result.status).join('\n'));
  ctx.io.out(result.migrated ? 'The ops_team schema was created or migrated now.' : 'The ops_team schema was already current.');
  for (const w of result.warnings) ctx.io.err(`warning: ${w}`);
  ctx.io.out(`\nThe roles (run once per cluster by a role with CREATEROLE, see README "Teams and fleets"):\n\n${result.rolesSql}`);
  ctx.io.out('Upload now with: ops-console team sync');
  return 0;
}

async function status(ctx: CliContext, argv: string[]): Promise<number> {
  expectPositionals(parseArgs(argv, {}), [], USAGE.status);
  const s = await ctx.call('teamStatus', {});
  if (ctx.io.json) printJson(ctx.io, { ok: true, ...s });
  else ctx.io.out(statusLines(s).join('\n'));
  return 0;
}

function syncLine(r: TeamSyncResult): string {
  const u = r.uploaded;
  return `Uploaded ${u.auditRecords} audit record(s), ${u.profiles} profile(s), ${u.runbooks} runbook(s), ${u.checklistRuns} checklist run(s) in ${r.durationMs} ms. Pending: ${pendingLine(r)}.`;
}

async function sync(ctx: CliContext, argv: string[]): Promise<number> {
  expectPositionals(parseArgs(argv, {}), [], USAGE.sync);
  // Progress on stderr, so --json's stdout stays one document.
  const stop = ctx.core().events.subscribe((e) => {
    if (e.type === 'job.progress' && e.kind === 'team.sync') ctx.io.err(e.message);
  });
  let result: TeamSyncResult;
  try {
    result = await ctx.call('teamSync', {});
  } catch (err) {
    if (!(err instanceof OpsError) || !ctx.io.json) throw err;
    // The summary a script needs even when the store is down: what is still pending, and why.
    const s = await ctx.call('teamStatus', {});
    printJson(ctx.io, { ok: false, error: err.toApiError(), uploaded: null, pending: s.pending, lastError: s.lastError });
    ctx.io.err(`error: ${err.message}`);
    return 1;
  } finally {
    stop();
  }
  if (ctx.io.json) printJson(ctx.io, result);
  else ctx.io.out(syncLine(result));
  if (result.conflicts > 0) ctx.io.err(`error: ${result.lastError ?? 'conflicting records'}`);
  return result.ok ? 0 : 1;
}

export async function teamCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'connect') return connect(ctx, rest);
  if (sub === 'status') return status(ctx, rest);
  if (sub === 'sync') return sync(ctx, rest);
  throw new UsageError(`unknown team command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
}

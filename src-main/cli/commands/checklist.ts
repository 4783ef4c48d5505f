// ops-console checklist list [--json]
// ops-console checklist run NAME --profile PROFILE [--json]  (the fleet form, --tag / --profiles: fleet.ts)
// `run` follows the monitoring-plugin convention (CLI contract): exit 0 OK, 1 WARNING,
// 2 CRITICAL, 3 UNKNOWN, from the run's overall status, which a step not applicable to this
// database (N/A: a table it reads is not there) never worsens — and a run that could not happen at all (no such profile, no
// connection) is UNKNOWN too, so a monitor never reads a failure as a mere WARNING.
import { OpsError } from '../../contract/errors';
import { stepStatusLabel, type ChecklistRunResult } from '../../contract/runbook';
import { toApiError } from '../../core/platform/kernel/dispatch';
import { exitCodeFor } from '../../core/runbook';
import { expectPositionals, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { printJson, table } from '../io';
import { FLEET_FLAGS, fleetArgs, fleetChecklistCommand } from './fleet';

const USAGE = {
  list: 'ops-console checklist list [--json]',
  run: 'ops-console checklist run NAME (--profile PROFILE | --tag T… | --profiles A,B,C) [--concurrency N] [--timeout SECONDS] [--json]',
};

const UNKNOWN_EXIT = exitCodeFor('unknown');

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  expectPositionals(parsed, [], USAGE.list);
  const { checklists } = await ctx.call('listChecklists', {});
  if (ctx.io.json) printJson(ctx.io, { checklists });
  else
    ctx.io.out(
      table(
        checklists.map((c) => ({ ...c })),
        ['id', 'title', 'steps', 'description'],
      ),
    );
  return 0;
}

/** The contract's JSON: every step with its status and one-line summary (and the judged value). */
export function runJson(result: ChecklistRunResult): unknown {
  return {
    checklist: result.checklist,
    title: result.title,
    profile: result.profile,
    status: result.status,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    steps: result.steps.map((s) => ({
      id: s.id,
      title: s.title,
      kind: s.kind,
      status: s.status,
      summary: s.summary,
      value: s.value,
      warn: s.warn,
      critical: s.critical,
      rowCount: s.rowCount,
      ...(s.missingTables !== undefined ? { missingTables: s.missingTables } : {}),
    })),
  };
}

/** One line per step: status (N/A for a step that does not apply here), title, summary; then the overall verdict. */
export function runText(result: ChecklistRunResult): string {
  const width = Math.max(...result.steps.map((s) => s.title.length), 5);
  const lines = result.steps.map((s) => `${stepStatusLabel(s.status).padEnd(8)}  ${s.title.padEnd(width)}  ${s.summary}`);
  lines.push('', `${result.title} on ${result.profile}: ${result.status.toUpperCase()}`);
  return lines.join('\n');
}

async function runOnce(ctx: CliContext, checklistId: string, profileId: string, password?: string): Promise<ChecklistRunResult> {
  return ctx.call('runChecklist', { checklistId, profileId, ...(password !== undefined ? { password } : {}) });
}

async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { profile: { type: 'string' }, ...FLEET_FLAGS });
  const [name] = expectPositionals(parsed, ['NAME'], USAGE.run);
  const fleet = fleetArgs(parsed, USAGE.run);
  const profileName = stringFlag(parsed, 'profile');
  if (fleet) {
    if (profileName !== undefined) throw new UsageError(`--profile names one profile; --tag and --profiles select many: give one of them\nusage: ${USAGE.run}`);
    return fleetChecklistCommand(ctx, name!, fleet, runJson);
  }
  if (profileName === undefined) throw new UsageError(`--profile is required\nusage: ${USAGE.run}`);
  try {
    // The profile is looked up only to ask: without a password, runChecklist's own errors stand.
    const result = await withPasswordRetry(
      ctx,
      () => ctx.core().deps.profiles.require(profileName),
      (password) => runOnce(ctx, name!, profileName, password),
    );
    if (ctx.io.json) printJson(ctx.io, runJson(result));
    else ctx.io.out(runText(result));
    return exitCodeFor(result.status);
  } catch (err) {
    const error = err instanceof OpsError ? err.toApiError() : toApiError(err);
    ctx.io.err(`error: ${error.message}`);
    if (ctx.io.json) printJson(ctx.io, { ok: false, status: 'unknown', error: { code: error.code, message: error.message } });
    return UNKNOWN_EXIT;
  }
}

export async function checklistCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(ctx, rest);
  if (sub === 'run') return run(ctx, rest);
  throw new UsageError(`unknown checklist command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
}

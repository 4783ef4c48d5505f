// The fleet forms of `health` and `checklist run` (issue #22, CLI contract):
//   ops-console health (--tag T… | --profiles A,B,C) [--concurrency N] [--timeout SECONDS] [--json]
//   ops-console checklist run NAME (--tag T… | --profiles A,B,C) [--concurrency N] [--timeout SECONDS] [--json]
// JSON {"status","results":[{"profile","status",…the single-profile result's fields…}]}; text:
// one line per target, then the summary. Exit = the worst status over the targets (0 OK,
// 1 WARNING, 2 CRITICAL, 3 UNKNOWN); a target that could not be reached is UNKNOWN and never
// stops the others. Unknown --profiles names are a usage error (2) naming them; no profile
// with the tag is UNKNOWN (3), so a monitor never reads "nothing checked" as fine.
import { OpsError, type ApiError } from '../../contract/errors';
import type { FleetRun, FleetTarget } from '../../contract/fleet';
import type { Overview } from '../../contract/monitoring';
import type { CheckStatus, ChecklistRunResult } from '../../contract/runbook';
import { toApiError } from '../../core/platform/kernel/dispatch';
import { exitCodeFor } from '../../core/runbook';
import { plural } from '../../core/platform/text/plural';
import { intFlag, listFlag, stringFlag, UsageError, type FlagSpecs, type Parsed } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../io';

export const FLEET_FLAGS: FlagSpecs = {
  tag: { type: 'list' },
  profiles: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
};

export interface FleetArgs {
  tags: string[];
  profiles: string[];
  concurrency?: number;
  timeoutMs?: number;
}

/** The fleet selection the flags give, or null when none of --tag/--profiles is there (the single-profile form). */
export function fleetArgs(parsed: Parsed, usage: string): FleetArgs | null {
  const tags = listFlag(parsed, 'tag');
  const list = stringFlag(parsed, 'profiles');
  const concurrency = intFlag(parsed, 'concurrency', { min: 1, max: 64 });
  const timeout = intFlag(parsed, 'timeout', { min: 1, max: 600 });
  if (tags.length === 0 && list === undefined) {
    if (concurrency !== undefined || timeout !== undefined) throw new UsageError(`--concurrency and --timeout go with --tag or --profiles\nusage: ${usage}`);
    return null;
  }
  if (tags.length > 0 && list !== undefined) throw new UsageError(`--tag and --profiles exclude each other\nusage: ${usage}`);
  const profiles = list === undefined ? [] : list.split(',').map((n) => n.trim());
  if (list !== undefined && profiles.some((n) => n === '')) throw new UsageError(`--profiles takes names separated by commas, got "${list}"`);
  return { tags, profiles, ...(concurrency !== undefined ? { concurrency } : {}), ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}) };
}

function selectionInput(a: FleetArgs) {
  return {
    ...(a.tags.length > 0 ? { tags: a.tags } : { profiles: a.profiles }),
    ...(a.concurrency !== undefined ? { concurrency: a.concurrency } : {}),
    ...(a.timeoutMs !== undefined ? { timeoutMs: a.timeoutMs } : {}),
  };
}

function targetJson<T>(t: FleetTarget<T>, single: (r: T) => unknown): Record<string, unknown> {
  if (t.result === undefined) return { profile: t.profile, status: t.status, durationMs: t.durationMs, error: t.error ?? null };
  return { ...(single(t.result) as Record<string, unknown>), profile: t.profile, status: t.status, durationMs: t.durationMs };
}

function runDoc<T>(run: FleetRun<T>, single: (r: T) => unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: run.status,
    ...extra,
    counts: run.counts,
    concurrency: run.concurrency,
    timeoutMs: run.timeoutMs,
    durationMs: run.durationMs,
    results: run.results.map((t) => targetJson(t, single)),
  };
}

function summaryLine<T>(what: string, run: FleetRun<T>): string {
  const parts = (['ok', 'warning', 'critical', 'unknown'] as const).map((s) => `${run.counts[s]} ${s}`).join(', ');
  return `${what}: ${run.status.toUpperCase()} — ${plural(run.results.length, 'target')} (${parts}) in ${(run.durationMs / 1000).toFixed(1)} s`;
}

function lines<T>(run: FleetRun<T>, line: (r: T) => string): string[] {
  const width = Math.max(...run.results.map((t) => t.profile.length), 7);
  return run.results.map(
    (t) =>
      `${t.status.toUpperCase().padEnd(8)}  ${t.profile.padEnd(width)}  ${t.result !== undefined ? line(t.result) : `${t.error?.code ?? 'ERROR'}: ${t.error?.message ?? ''}`}`,
  );
}

const rank: Record<CheckStatus, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

function worstLine(o: Overview): string {
  const worst = [...o.checks].sort((a, b) => rank[b.status] - rank[a.status])[0];
  return worst && worst.status !== 'ok' ? `${worst.label}: ${worst.summary}` : `all ${o.checks.length} checks ok`;
}

function checklistLine(r: ChecklistRunResult): string {
  const bad = r.steps.filter((s) => s.status === 'warning' || s.status === 'critical' || s.status === 'unknown');
  return bad.length === 0 ? `${r.steps.length} steps, none to look at` : bad.map((s) => `${s.title}: ${s.status.toUpperCase()}`).join('; ');
}

/** A selection the core refused: unknown names are the caller's typo (usage, 2); anything else is UNKNOWN. */
function fail(ctx: CliContext, err: unknown): number {
  const error: ApiError = err instanceof OpsError ? err.toApiError() : toApiError(err);
  if (error.code === 'INVALID_INPUT') throw new UsageError(error.message);
  ctx.io.err(`error: ${error.message}`);
  if (ctx.io.json) printJson(ctx.io, { ok: false, status: 'unknown', results: [], error: { code: error.code, message: error.message } });
  return exitCodeFor('unknown');
}

/** `healthJson` comes from health.ts (passed in: health.ts imports this file). */
export async function fleetHealthCommand(ctx: CliContext, args: FleetArgs, healthJson: (o: Overview) => unknown): Promise<number> {
  let run: FleetRun<Overview>;
  try {
    run = await ctx.call('fleetHealth', selectionInput(args));
  } catch (err) {
    return fail(ctx, err);
  }
  if (ctx.io.json) printJson(ctx.io, runDoc(run, healthJson));
  else ctx.io.out([...lines(run, worstLine), '', summaryLine('Fleet health', run)].join('\n'));
  return exitCodeFor(run.status);
}

/** `runJson` comes from checklist.ts (passed in: checklist.ts imports this file). */
export async function fleetChecklistCommand(
  ctx: CliContext,
  checklistId: string,
  args: FleetArgs,
  runJson: (r: ChecklistRunResult) => unknown,
): Promise<number> {
  let run: FleetRun<ChecklistRunResult> & { checklist: string; title: string };
  try {
    run = await ctx.call('fleetChecklistRun', { checklistId, ...selectionInput(args) });
  } catch (err) {
    return fail(ctx, err);
  }
  if (ctx.io.json) printJson(ctx.io, runDoc(run, runJson, { checklist: run.checklist, title: run.title }));
  else ctx.io.out([...lines(run, checklistLine), '', summaryLine(run.title, run)].join('\n'));
  return exitCodeFor(run.status);
}

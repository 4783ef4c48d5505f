// ops-console forecast PROFILE [--json]  (issue #23)
// The capacity forecast from the local history of snapshots (what the Performance screen
// charts; no server connection): when database size, connections, transaction-ID age and the
// fullest sequence reach their thresholds at the current rate, with a 95 % range, or how many
// more days of snapshots a forecast needs. Exit codes as `health` (monitoring-plugin): 0 OK,
// 1 WARNING (a threshold within 30 days, or past the warning), 2 CRITICAL, 3 UNKNOWN (too
// little history for some figure, or no such profile).
import type { CapacityForecast } from '../../contract/forecast';
import { OpsError } from '../../contract/errors';
import { toApiError } from '../../core/platform/kernel/dispatch';
import { exitCodeFor, formatValue, worstStatus } from '../../core/runbook';
import { expectPositionals, parseArgs } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../io';
import { findProfile } from './profile';

const USAGE = 'ops-console forecast PROFILE [--json]';

export function forecastJson(f: CapacityForecast): Record<string, unknown> {
  return {
    status: worstStatus(f.metrics.map((m) => m.status)),
    profile: f.profile,
    at: f.at,
    warnWithinDays: f.warnWithinDays,
    metrics: f.metrics.map((m) => ({
      metric: m.metric,
      label: m.label,
      status: m.status,
      unit: m.unit,
      current: m.current,
      summary: m.summary,
      fit: m.fit,
      windowReason: m.windowReason,
      moreDaysNeeded: m.moreDaysNeeded,
      crossings: m.crossings,
      windows: m.windows,
    })),
    relations: f.relations,
  };
}

/** One line per figure with its summary, then the largest relations' growth, then the verdict. */
export function forecastText(f: CapacityForecast): string {
  const lines = f.metrics.map((m) => `${m.status.toUpperCase().padEnd(8)}  ${m.summary}`);
  if (f.relations.length > 0) {
    lines.push('', 'Largest tables and indexes (growth per day over the last 30 days):');
    for (const r of f.relations) {
      const growth = r.perDay === null ? `${r.days} of 3 days recorded` : `${r.perDay >= 0 ? '+' : '−'}${formatValue(Math.abs(r.perDay), 'bytes')}/day`;
      lines.push(`  ${r.kind.padEnd(5)}  ${r.name}  ${formatValue(r.bytes, 'bytes')}  ${growth}`);
    }
  }
  lines.push('', `${f.profile}: ${worstStatus(f.metrics.map((m) => m.status)).toUpperCase()}`);
  return lines.join('\n');
}

export async function forecastCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE);
  try {
    const profile = await findProfile(ctx, name!);
    const f = await ctx.call('getCapacityForecast', { profileId: profile.id });
    if (ctx.io.json) printJson(ctx.io, forecastJson(f));
    else ctx.io.out(forecastText(f));
    return exitCodeFor(worstStatus(f.metrics.map((m) => m.status)));
  } catch (err) {
    const error = err instanceof OpsError ? err.toApiError() : toApiError(err);
    ctx.io.err(`error: ${error.message}`);
    if (ctx.io.json) printJson(ctx.io, { ok: false, status: 'unknown', metrics: [], error: { code: error.code, message: error.message } });
    return exitCodeFor('unknown');
  }
}

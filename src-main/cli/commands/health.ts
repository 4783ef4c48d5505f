// ops-console health PROFILE [--json]  (the fleet form, --tag / --profiles: fleet.ts)
// The Performance overview's checks, judged against the profile's thresholds, with the
// monitoring-plugin exit codes (CLI contract): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. A
// health check that could not be made at all (no such profile, no connection) is UNKNOWN,
// so a monitor never reads a failure as fine or as a mere warning.
import type { HealthCheck, Overview } from '../../contract/monitoring';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import { toApiError } from '../../core/platform/kernel/dispatch';
import { exitCodeFor, formatValue } from '../../core/runbook';
import { expectPositionals, parseArgs } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { printJson, table } from '../io';
import { FLEET_FLAGS, fleetArgs, fleetHealthCommand } from './fleet';
import { findProfile } from './profile';

const USAGE = 'ops-console health (PROFILE | --tag T… | --profiles A,B,C) [--concurrency N] [--timeout SECONDS] [--json]';

/** The contract's JSON ({"status","checks":[{"name","status","value","warn","critical"}]}) and more for scripts. */
export function healthJson(o: Overview): Record<string, unknown> {
  return {
    status: o.status,
    profile: o.profile,
    at: o.at,
    serverVersion: o.serverVersion,
    checks: o.checks.map((c) => ({
      name: c.name,
      status: c.status,
      value: c.value,
      warn: c.warn,
      critical: c.critical,
      unit: c.unit,
      label: c.label,
      summary: c.summary,
      ...(c.source !== undefined ? { source: c.source } : {}),
    })),
    figures: o.figures,
    queries: o.queries,
    queryMs: o.queryMs,
  };
}

function shown(value: number | null, c: HealthCheck): string {
  return value === null ? '' : formatValue(value, c.unit);
}

/** On a terminal: a table of the checks, then the verdict. */
export function healthTable(o: Overview): string {
  const rows = o.checks.map((c) => ({
    status: c.status.toUpperCase(),
    check: c.label,
    value: shown(c.value, c),
    warn: shown(c.warn, c),
    critical: shown(c.critical, c),
  }));
  return [table(rows, ['status', 'check', 'value', 'warn', 'critical']), '', `${o.profile}: ${o.status.toUpperCase()}`].join('\n');
}

/** Elsewhere (cron mail, logs): one line per check with its summary, then the verdict. */
export function healthText(o: Overview): string {
  const width = Math.max(...o.checks.map((c) => c.label.length));
  const lines = o.checks.map((c) => `${c.status.toUpperCase().padEnd(8)}  ${c.label.padEnd(width)}  ${c.summary}`);
  lines.push('', `${o.profile}: ${o.status.toUpperCase()}`);
  return lines.join('\n');
}

function overview(ctx: CliContext, profile: Profile): Promise<Overview> {
  return withPasswordRetry(ctx, profile, (password) => ctx.call('getOverview', { profileId: profile.id, ...(password !== undefined ? { password } : {}) }));
}

export async function healthCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, FLEET_FLAGS);
  const fleet = fleetArgs(parsed, USAGE);
  if (fleet) {
    expectPositionals(parsed, [], USAGE);
    return fleetHealthCommand(ctx, fleet, healthJson);
  }
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE);
  try {
    const o = await overview(ctx, await findProfile(ctx, name!));
    if (ctx.io.json) printJson(ctx.io, healthJson(o));
    else ctx.io.out(ctx.io.isTerminal ? healthTable(o) : healthText(o));
    return exitCodeFor(o.status);
  } catch (err) {
    const error = err instanceof OpsError ? err.toApiError() : toApiError(err);
    ctx.io.err(`error: ${error.message}`);
    if (ctx.io.json) printJson(ctx.io, { ok: false, status: 'unknown', checks: [], error: { code: error.code, message: error.message } });
    return exitCodeFor('unknown');
  }
}

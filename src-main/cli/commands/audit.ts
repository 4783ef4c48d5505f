// ops-console audit list|verify|export (see the CLI contract).
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import { AUDIT_OUTCOMES, type AuditOutcome, type AuditQuery } from '../../contract/models';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError, type Parsed } from '../args';
import type { CliContext } from '../context';
import { printJson, table } from '../io';

const USAGE = {
  list: 'ops-console audit list [--since ISO] [--until ISO] [--profile NAME] [--action TYPE] [--outcome ok|error|refused|cancelled|pending] [--search TEXT] [--limit N] [--json]',
  verify: 'ops-console audit verify [--team] [--json]',
  export: 'ops-console audit export --format csv|json [--out FILE]',
};

const FILTER_FLAGS = {
  since: { type: 'string' },
  until: { type: 'string' },
  profile: { type: 'string' },
  action: { type: 'string' },
  outcome: { type: 'string' },
  search: { type: 'string' },
  limit: { type: 'string' },
} as const;

function query(parsed: Parsed): AuditQuery {
  const outcome = stringFlag(parsed, 'outcome');
  if (outcome !== undefined && !(AUDIT_OUTCOMES as readonly string[]).includes(outcome))
    throw new UsageError(`--outcome must be one of ${AUDIT_OUTCOMES.join(', ')}, got "${outcome}"`);
  const q: AuditQuery = {};
  for (const key of ['since', 'until', 'profile', 'action', 'search'] as const) {
    const v = stringFlag(parsed, key);
    if (v !== undefined) q[key] = v;
  }
  if (outcome) q.outcome = outcome as AuditOutcome;
  const limit = intFlag(parsed, 'limit', { min: 1, max: 10_000 });
  if (limit !== undefined) q.limit = limit;
  return q;
}

async function list(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, FILTER_FLAGS);
  expectPositionals(parsed, [], USAGE.list);
  const { entries } = await ctx.call('searchAudit', query(parsed));
  const view = entries.map((e) => ({
    id: e.id,
    at: e.at,
    actor: e.actor,
    profile: e.profile,
    action: e.action,
    outcome: e.outcome,
    durationMs: e.durationMs,
    summary: e.summary,
  }));
  if (ctx.io.json) printJson(ctx.io, { entries: view });
  else if (view.length === 0) ctx.io.out('No audit entries match.');
  else ctx.io.out(table(view, ['id', 'at', 'actor', 'profile', 'action', 'outcome', 'durationMs', 'summary']));
  return 0;
}

/** Every workstation's chain in the team store (issue #22). */
async function verifyTeam(ctx: CliContext): Promise<number> {
  const result = await ctx.call('teamVerifyAudit', {});
  if (ctx.io.json) printJson(ctx.io, result);
  else if (result.workstations.length === 0) ctx.io.out('The team store holds no workstation yet: run "ops-console team sync".');
  else
    for (const w of result.workstations)
      ctx.io.out(w.ok ? `${w.name} (${w.id}): intact, ${w.entries} entries` : `${w.name} (${w.id}): TAMPERED at entry #${w.firstBadId} — ${w.problem}`);
  for (const w of result.workstations.filter((x) => !x.ok))
    ctx.io.err(`error: team trail of ${w.name} (${w.id}) tampered at entry #${w.firstBadId}: ${w.problem}`);
  return result.ok ? 0 : 1;
}

async function verify(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { team: { type: 'boolean' } });
  expectPositionals(parsed, [], USAGE.verify);
  if (boolFlag(parsed, 'team')) return verifyTeam(ctx);
  const result = await ctx.call('verifyAudit', {});
  if (ctx.io.json) printJson(ctx.io, { ok: result.ok, entries: result.entries, firstBadId: result.firstBadId, problem: result.problem });
  else if (result.ok) ctx.io.out(`Audit trail intact: ${result.entries} entries, hash chain verified.`);
  else ctx.io.out(`AUDIT TRAIL TAMPERED: first bad entry #${result.firstBadId} — ${result.problem}`);
  if (!result.ok) ctx.io.err(`error: audit trail tampered at entry #${result.firstBadId}: ${result.problem}`);
  return result.ok ? 0 : 1;
}

/** Written beside the target and renamed, so a failed export never leaves half a file. */
function writeAtomically(file: string, content: string): void {
  const target = path.resolve(file);
  const tmp = `${target}.partial-${process.pid}`;
  try {
    fs.writeFileSync(tmp, content, { mode: 0o600 });
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new OpsError('INVALID_INPUT', `Cannot write ${target}: ${(err as Error).message}`);
  }
}

async function exportCmd(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { ...FILTER_FLAGS, format: { type: 'string' }, out: { type: 'string' } });
  expectPositionals(parsed, [], USAGE.export);
  const format = stringFlag(parsed, 'format');
  if (format !== 'csv' && format !== 'json') throw new UsageError(`--format must be csv or json\nusage: ${USAGE.export}`);
  const result = await ctx.call('exportAudit', { format, query: query(parsed) });
  const out = stringFlag(parsed, 'out');
  if (out) {
    writeAtomically(out, result.content);
    ctx.io.err(`Exported ${result.entries} entries to ${path.resolve(out)}`);
  } else {
    process.stdout.write(result.content);
  }
  return 0;
}

export async function auditCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(ctx, rest);
  if (sub === 'verify') return verify(ctx, rest);
  if (sub === 'export') return exportCmd(ctx, rest);
  throw new UsageError(`unknown audit command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
}

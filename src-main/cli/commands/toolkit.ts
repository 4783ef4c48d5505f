// ops-console toolkit status PROFILE [--json]
// ops-console toolkit install PROFILE [--yes] [--confirm NAME] [--json]
// The install shows what it will create (the full SQL is in `status --json`, field sql)
// and asks first, like every change the CLI makes.
import type { Profile } from '../../contract/models';
import type { ToolkitStatus } from '../../contract/runbook';
import { TOOLKIT_FUNCTIONS, TOOLKIT_VERSION } from '../../core/toolkit';
import { boolFlag, expectPositionals, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { confirm, printJson } from '../io';
import { findProfile } from './profile';

const USAGE = {
  status: 'ops-console toolkit status PROFILE [--json]',
  install: 'ops-console toolkit install PROFILE [--yes] [--confirm NAME] [--json]',
};

function missing(status: ToolkitStatus): string[] {
  return status.functions.filter((f) => !f.present).map((f) => f.name);
}

/** The JSON document of both actions (cli.md): the SQL only where asked for the preview. */
export function statusJson(profile: string, status: ToolkitStatus, withSql: boolean): Record<string, unknown> {
  return {
    ok: true,
    profile,
    installed: status.installed,
    version: status.version,
    latest: status.latest,
    missing: missing(status),
    functions: status.functions,
    ...(withSql ? { sql: status.sql } : {}),
  };
}

export function statusText(profile: string, status: ToolkitStatus): string {
  const lines = [
    status.version === null
      ? `Ops toolkit: not installed on ${profile} (this app ships ${status.latest})`
      : `Ops toolkit ${status.version} on ${profile}${status.version === status.latest ? '' : ` (this app ships ${status.latest})`}`,
  ];
  const absent = missing(status);
  lines.push(absent.length === 0 ? `All ${status.functions.length} runbook functions present.` : `Missing: ${absent.join(', ')}`);
  for (const f of status.functions) if (f.conflict) lines.push(`Conflict: ${f.conflict}`);
  if (!status.installed) lines.push(`Install with: ops-console toolkit install ${profile}`);
  return lines.join('\n');
}

/** What the install will create, shown before the question. */
export function installPreview(profile: Profile): string {
  return [
    `Install ops toolkit ${TOOLKIT_VERSION} on "${profile.name}" (${profile.env}, ${profile.user}@${profile.host}:${profile.port}/${profile.database}), in one transaction:`,
    '  schema ops_toolkit, tables ops_toolkit.installs and ops_toolkit.backup_metadata (kept on reinstall)',
    ...TOOLKIT_FUNCTIONS.map((f) => `  ${f.name}(${f.args}): ${f.describes}`),
    '  each as ops_toolkit.NAME plus a wrapper public.NAME (an existing public function of that name not created by the toolkit is left alone)',
    '  EXECUTE revoked from PUBLIC; no SECURITY DEFINER; idempotent',
    `Full SQL: ops-console toolkit status ${profile.name} --json (field "sql")`,
  ].join('\n');
}

async function status(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE.status);
  const profile = await findProfile(ctx, name!);
  const result = await withPasswordRetry(ctx, profile, (password) =>
    ctx.call('getToolkitStatus', { profileId: profile.id, ...(password !== undefined ? { password } : {}) }),
  );
  if (ctx.io.json) printJson(ctx.io, statusJson(profile.name, result, true));
  else ctx.io.out(statusText(profile.name, result));
  return 0;
}

async function install(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { yes: { type: 'boolean' }, confirm: { type: 'string' } });
  const [name] = expectPositionals(parsed, ['PROFILE'], USAGE.install);
  const profile = await findProfile(ctx, name!);
  const preview = installPreview(profile);
  // Stdout carries exactly one JSON document with --json: the preview goes to stderr then.
  if (ctx.io.json) ctx.io.err(preview);
  else ctx.io.out(preview);
  await confirm(ctx.io, {
    question: `Install ops toolkit ${TOOLKIT_VERSION} on "${profile.name}"?`,
    yes: boolFlag(parsed, 'yes'),
    production: profile.env === 'production',
    profileName: profile.name,
    confirmFlag: stringFlag(parsed, 'confirm'),
  });
  const result = await withPasswordRetry(ctx, profile, (password) =>
    ctx.call('installToolkit', { profileId: profile.id, confirmName: profile.name, ...(password !== undefined ? { password } : {}) }),
  );
  if (ctx.io.json) printJson(ctx.io, statusJson(profile.name, result, false));
  else ctx.io.out(statusText(profile.name, result));
  return 0;
}

export async function toolkitCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'status') return status(ctx, rest);
  if (sub === 'install') return install(ctx, rest);
  throw new UsageError(`unknown toolkit command "${sub ?? ''}"\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
}

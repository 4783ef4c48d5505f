// The break-glass side of `ops-console profile add|edit` (issue #19): the role writes go
// through while a read-only production profile is elevated. Its password is never a flag:
// OPS_CONSOLE_BREAK_GLASS_PASSWORD, else a hidden prompt on a terminal, else none (then
// ~/.pgpass for that role is used at connection time). The CLI's secret store lives in memory,
// so a password given here lasts for this command; keep the role's in ~/.pgpass for the CLI.
import type { Profile } from '../../contract/models';
import { boolFlag, stringFlag, UsageError, type FlagSpecs, type Parsed } from '../args';
import type { CliContext } from '../context';
import { promptSecret } from '../io';

export const BREAK_GLASS_PASSWORD_ENV = 'OPS_CONSOLE_BREAK_GLASS_PASSWORD';
export const BREAK_GLASS_USAGE = '[--break-glass-user ROLE | --no-break-glass]';
export const BREAK_GLASS_FLAGS: FlagSpecs = {
  'break-glass-user': { type: 'string' },
  'no-break-glass': { type: 'boolean' },
};

/** What the flags change: the role (null removes it) and its password, or undefined when no flag is there. */
export async function breakGlassFromFlags(
  ctx: CliContext,
  parsed: Parsed,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ breakGlassUser: string | null; breakGlassSecret?: string } | undefined> {
  const role = stringFlag(parsed, 'break-glass-user');
  const drop = boolFlag(parsed, 'no-break-glass');
  if (role !== undefined && drop) throw new UsageError('--break-glass-user and --no-break-glass exclude each other');
  if (drop) return { breakGlassUser: null, breakGlassSecret: '' };
  if (role === undefined) return undefined;
  const secret = env[BREAK_GLASS_PASSWORD_ENV] || (await promptSecret(ctx.io, `Password for break-glass role ${role} (empty: use ~/.pgpass): `)) || undefined;
  return { breakGlassUser: role, ...(secret ? { breakGlassSecret: secret } : {}) };
}

/** What `profile show` prints about it: never the password. */
export function breakGlassView(p: Profile) {
  return { breakGlassUser: p.breakGlassUser ?? null, hasBreakGlassSecret: p.hasBreakGlassSecret ?? false };
}

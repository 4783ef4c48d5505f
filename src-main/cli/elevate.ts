// `--elevate --reason TEXT` on the commands that act on a server (issue #19): a one-action
// elevation of a read-only production profile, started just before the action with the name
// given by --confirm (or typed at the prompt), and ended right after if the action did not
// use it up — the command never leaves production elevated behind it.
import type { Profile } from '../contract/models';
import { stringFlag, UsageError, type Parsed } from './args';
import type { CliContext } from './context';
import { ask } from './io';

export const ELEVATE_FLAGS = { elevate: { type: 'boolean' }, reason: { type: 'string' } } as const;
export const ELEVATE_USAGE = '[--elevate --reason TEXT --confirm NAME]';

/** Runs `action` under a one-action elevation when --elevate was given, else as is. */
export async function withCliElevation<T>(ctx: CliContext, parsed: Parsed, profile: Profile, action: () => Promise<T>): Promise<T> {
  const end = await startCliElevation(ctx, parsed, profile);
  try {
    return await action();
  } finally {
    await end();
  }
}

/** Starts the elevation --elevate asks for (nothing without it); the answer ends it if still unused. */
export async function startCliElevation(ctx: CliContext, parsed: Parsed, profile: Profile): Promise<() => Promise<void>> {
  if (parsed.flags.elevate !== true) {
    if (stringFlag(parsed, 'reason') !== undefined) throw new UsageError('--reason goes with --elevate');
    return () => Promise.resolve();
  }
  const reason = stringFlag(parsed, 'reason');
  if (!reason || reason.trim().length < 3) throw new UsageError('--elevate needs --reason TEXT (why: the incident, the ticket), at least 3 characters');
  let confirmName = stringFlag(parsed, 'confirm');
  if (confirmName === undefined) {
    if (!ctx.io.isTerminal) throw new UsageError(`--elevate needs --confirm ${profile.name} without a terminal`);
    confirmName = (await ask(`Elevate PRODUCTION profile "${profile.name}" for one action. Type its name to confirm: `, false)).trim();
  }
  const elevation = await ctx.call('elevateProfile', { profileId: profile.id, confirmName, reason, mode: 'action' });
  ctx.io.err(`Elevated "${profile.name}" for one action${elevation.role ? ` (as break-glass role ${elevation.role})` : ''}: ${reason}`);
  return async () => {
    const after = await ctx.call('getProfile', { id: profile.id }).catch(() => null);
    if (after?.elevation?.id === elevation.id) await ctx.call('endElevation', { profileId: profile.id }).catch(() => undefined);
  };
}

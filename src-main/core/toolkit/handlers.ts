// Contract handlers for the ops toolkit (issue #5): status on a short connection, and the
// install (audited with the SQL it runs; refused on read-only profiles, typed confirmation
// on production).
import { refuseReadOnly } from '../platform/guard/rules';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { ToolkitStatus } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import type { CallContext, Handlers } from '../platform/kernel/dispatch';
import { withClient } from '../platform/postgres/connect';
import { toOpsError } from '../platform/postgres/pg-errors';
import { compareVersions, installToolkitOn, readToolkitStatus } from './toolkit';
import { TOOLKIT_SQL, TOOLKIT_VERSION } from './toolkit-sql';

interface StatusInput {
  profileId: string;
  password?: string | undefined;
}

interface InstallInput extends StatusInput {
  confirmName?: string | undefined;
}

function missingLine(status: ToolkitStatus): string {
  const missing = status.functions.filter((f) => !f.present).map((f) => f.name);
  return missing.length === 0 ? 'all runbook functions present' : `missing: ${missing.join(', ')}`;
}

export type ToolkitOps = 'getToolkitStatus' | 'installToolkit';

export function toolkitHandlers(deps: CoreDeps): Pick<Handlers, ToolkitOps> {
  function connect<T>(profile: Profile, input: StatusInput, fn: Parameters<typeof withClient<T>>[2]): Promise<T> {
    return withClient(deps, profile, fn, input.password !== undefined ? { password: input.password } : {});
  }

  async function getToolkitStatus(input: StatusInput, ctx: CallContext): Promise<ToolkitStatus> {
    const profile = deps.profiles.require(input.profileId);
    ctx.audit.profile = profile.name;
    try {
      const status = await connect(profile, input, readToolkitStatus);
      ctx.audit.summary = `toolkit on ${profile.name}: ${status.version ?? 'not installed'} (app ships ${TOOLKIT_VERSION}); ${missingLine(status)}`;
      return status;
    } catch (err) {
      throw toOpsError(err, profile);
    }
  }

  async function installToolkit(input: InstallInput, ctx: CallContext): Promise<ToolkitStatus> {
    const profile = deps.profiles.require(input.profileId);
    ctx.audit.profile = profile.name;
    ctx.audit.detail = TOOLKIT_SQL;
    // The one read-only rule (core/platform/guard): installing creates a schema and functions.
    refuseReadOnly(profile, 'installing the ops toolkit', ctx.audit);
    if (profile.env === 'production' && input.confirmName !== profile.name) {
      ctx.audit.summary = 'refused: production install not confirmed with the profile name';
      throw new OpsError(
        'CONFIRMATION_REQUIRED',
        `"${profile.name}" is a production profile: type its name to confirm installing the ops toolkit ${TOOLKIT_VERSION}.`,
        {
          expected: profile.name,
        },
      );
    }
    const { before, after } = await connect(profile, input, async (client) => {
      const current = await readToolkitStatus(client);
      if (current.version !== null && (compareVersions(current.version, TOOLKIT_VERSION) ?? 0) > 0) {
        throw new OpsError(
          'QUERY_FAILED',
          `ops_toolkit ${current.version} is installed on "${profile.name}", newer than the ${TOOLKIT_VERSION} this app ships: not downgrading it.`,
        );
      }
      try {
        return { before: current, after: await installToolkitOn(client) };
      } catch (err) {
        const pgErr = err as { message?: string; code?: string };
        if (err instanceof OpsError || typeof pgErr.code !== 'string') throw err;
        throw new OpsError('QUERY_FAILED', `Installing the ops toolkit failed, nothing was changed (one transaction): ${pgErr.message ?? 'unknown error'}`, {
          sqlstate: pgErr.code,
        });
      }
    }).catch((err: unknown) => {
      throw toOpsError(err, profile);
    });
    const from = before.version === null ? 'installed' : before.version === TOOLKIT_VERSION ? 'reinstalled' : `upgraded from ${before.version} to`;
    ctx.audit.summary = `toolkit ${from} ${TOOLKIT_VERSION} on ${profile.name}; ${missingLine(after)}`;
    return after;
  }

  return { getToolkitStatus, installToolkit };
}

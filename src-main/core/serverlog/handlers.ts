// The serverlog domain's operations: one read, on its own short connection, inside BEGIN READ
// ONLY with a statement timeout per chunk, so looking at the log can never write, never
// queue behind a lock and never become the load it is meant to explain.
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { ServerLog, ServerLogInput } from '../../contract/serverlog';
import type { serverlogOperations } from '../../contract/operations-serverlog';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { readAccess, settingsOf, unavailability } from './access';
import { readServerLog } from './read';

export type ServerlogOps = keyof typeof serverlogOperations;

/** Per statement: a chunk of a few hundred KB reads in milliseconds; a stuck server is said so. */
const STATEMENT_TIMEOUT_MS = 5000;

async function getServerLog(deps: CoreDeps, profile: Profile, input: ServerLogInput): Promise<ServerLog> {
  try {
    return await withClient(
      deps,
      profile,
      async (client) => {
        await client.query('BEGIN READ ONLY');
        try {
          await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
          const access = await readAccess(client);
          const why = unavailability(access, profile);
          if (why) return why;
          const settings = settingsOf(access);
          const read = await readServerLog({ client, settings, canCurrent: access.can_current }, profile.name, input);
          if ('missing' in read)
            throw new OpsError('NOT_FOUND', `There is no file ${read.missing} in the server's log directory (${settings.logDirectory ?? 'log'}).`);
          if ('noFiles' in read)
            return {
              available: false,
              profile: profile.name,
              reason: 'no-files',
              message: `The log directory (${settings.logDirectory ?? 'log'}) holds no log file yet.`,
              fix: 'The collector creates one at the next message or rotation; try again in a moment.',
              fixSql: null,
              link: null,
              settings,
            };
          return read;
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
      },
      input.password !== undefined ? { password: input.password } : {},
    );
  } catch (err) {
    if (err instanceof OpsError) throw err;
    if (isServerError(err)) {
      const what = err.code === '57014' ? `took more than ${STATEMENT_TIMEOUT_MS / 1000} s and was stopped` : `failed: ${err.message} (SQLSTATE ${err.code})`;
      throw new OpsError('QUERY_FAILED', `Reading the server log of ${profile.name} ${what}.`, { sqlstate: err.code });
    }
    throw toOpsError(err, profile);
  }
}

export function serverlogHandlers(deps: CoreDeps): Pick<Handlers, ServerlogOps> {
  return {
    getServerLog: function getServerLogHandler(input) {
      return getServerLog(deps, deps.profiles.require(input.profileId), input);
    },
  };
}

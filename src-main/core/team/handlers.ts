// The team domain's operations: the optional team store in PostgreSQL: its migrations, the outbox that uploads the local audit trail, runs and runbooks, and verifying every workstation's chain there (issue #22).
import { OpsError } from '../../contract/errors';
import type { teamOperations } from '../../contract/operations-team';
import type { TeamConnection } from '../../contract/team';
import type { Handlers } from '../platform/kernel/dispatch';
import type { CoreDeps } from '../platform/kernel/deps';
import { isServerError } from '../platform/postgres/pg-errors';
import { parseTeamUrl, savePassword, TEAM_SECRET_ID, withTeamClient } from './connection';
import { workstationName } from './link';
import { migrateStore, refuseNewer, storeVersion } from './migrate';
import { REVIEWER_ROLE, ROLES_SQL, WRITER_ROLE } from './schema';
import { searchTeamTrail } from './search';
import type { TeamSync } from './sync';
import { verifyTeamTrail } from './verify';

export type TeamOps = keyof typeof teamOperations;

function describe(c: TeamConnection): string {
  return `${c.database} on ${c.host}:${c.port} as ${c.user}`;
}

/** A server error from reading the store, worded; connection errors are already OpsErrors. */
function storeError(err: unknown, what: string): unknown {
  if (err instanceof OpsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // The server shut down or the network dropped mid-way (SQLSTATE class 08 and 57P0x, or no
  // SQLSTATE at all): what was committed stays, the rest is pending for the next sync.
  if (!isServerError(err) || /^(08|57P0)/.test(err.code))
    return new OpsError('CONNECTION_FAILED', `${what}: the team store went away (${message}); nothing is lost, the rest is uploaded at the next sync.`);
  if (err.code === '42501')
    return new OpsError('FORBIDDEN', `${what}: ${message} (the team role needs ${WRITER_ROLE} or ${REVIEWER_ROLE}).`, { sqlstate: '42501' });
  return new OpsError('QUERY_FAILED', `${what}: ${message}`);
}

export function teamHandlers(deps: CoreDeps, sync: TeamSync): Pick<Handlers, TeamOps> {
  function connected(): TeamConnection {
    const connection = sync.link.read().connection;
    if (!connection) throw new OpsError('NOT_FOUND', 'No team store is connected on this workstation: run "ops-console team connect URL" first.');
    return connection;
  }

  async function onStore<T>(what: string, fn: (client: import('pg').Client) => Promise<T>): Promise<T> {
    const connection = connected();
    try {
      return await withTeamClient(deps, connection, async (client) => {
        refuseNewer(await storeVersion(client), connection);
        return fn(client);
      });
    } catch (err) {
      throw storeError(err, what);
    }
  }

  return {
    async teamConnect(input, ctx) {
      const parsed = parseTeamUrl(input.url);
      const { connection } = parsed;
      const password = input.password ?? parsed.password;
      const link = sync.link.read();
      ctx.audit.summary = `Connect the team store ${describe(connection)}`;
      const { version, migrated, missingRoles } = await withTeamClient(
        deps,
        connection,
        async (client) => {
          const result = await migrateStore(client, connection);
          try {
            await client.query(
              `INSERT INTO ops_team.workstations (id, name, actor) VALUES ($1, $2, $3)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name, actor = excluded.actor, last_seen = now()`,
              [link.workstationId, workstationName(), deps.actor],
            );
          } catch (err) {
            throw storeError(err, 'Registering this workstation in the team store failed');
          }
          const roles = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [[WRITER_ROLE, REVIEWER_ROLE]]);
          const found = new Set(roles.rows.map((r) => r.rolname));
          return { ...result, missingRoles: [WRITER_ROLE, REVIEWER_ROLE].filter((r) => !found.has(r)) };
        },
        password,
      );
      const passwordSaved = savePassword(deps, password);
      sync.link.connect(connection, version);
      const warnings = [...parsed.warnings];
      if (missingRoles.length > 0)
        warnings.push(
          `The roles ${missingRoles.join(', ')} do not exist yet: have a role with CREATEROLE run the roles SQL (ops-console team connect shows it), then the grants in it.`,
        );
      if (password && !passwordSaved)
        warnings.push('The password was not saved by this app: the team store will be reached with PGPASSWORD, ~/.pgpass or a prompt.');
      ctx.audit.summary = `Connected the team store ${describe(connection)} (schema version ${version}${migrated ? ', created or migrated now' : ''})`;
      return { status: sync.status(), rolesSql: ROLES_SQL, migrated, passwordSaved, warnings };
    },

    teamDisconnect(_input, ctx) {
      const before = sync.link.read().connection;
      sync.link.disconnect();
      deps.secrets.delete(TEAM_SECRET_ID);
      ctx.audit.summary = before ? `Disconnected the team store ${describe(before)}` : 'No team store was connected';
      return sync.status();
    },

    teamStatus() {
      return sync.status();
    },

    async teamSync() {
      connected();
      try {
        return await sync.syncNow((message) =>
          deps.events.emit({ type: 'job.progress', jobId: 'team-sync', kind: 'team.sync', percent: null, message, at: new Date().toISOString() }),
        );
      } catch (err) {
        throw storeError(err, 'Uploading to the team store failed');
      }
    },

    teamVerifyAudit() {
      return onStore('Reading the team trail failed', verifyTeamTrail);
    },

    async searchTeamAudit(input) {
      return { entries: await onStore('Searching the team trail failed', (client) => searchTeamTrail(client, input)) };
    },
  };
}

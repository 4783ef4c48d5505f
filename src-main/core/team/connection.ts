// Reaching the team store: its URL parsed by the profiles' libpq URI parser, TLS required
// unless the host is loopback or a unix socket, the password from the usual places (what was
// just typed, this app's secret store, PGPASSWORD, ~/.pgpass) and never from the settings.
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { TeamConnection } from '../../contract/team';
import type { CoreDeps } from '../platform/kernel/deps';
import { withClient } from '../platform/postgres/connect';
import { parseProfileUri } from '../profiles';

/** The secret store key of the team store's password (a profile id can never look like this). */
export const TEAM_SECRET_ID = 'ops-team-store';

const STRONG_TLS = new Set(['require', 'verify-ca', 'verify-full']);

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h.startsWith('/') || h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

export interface ParsedTeamUrl {
  connection: TeamConnection;
  password: string | undefined;
  warnings: string[];
}

export function parseTeamUrl(url: string): ParsedTeamUrl {
  const draft = parseProfileUri(url);
  const f = draft.fields;
  if (!f.host) throw new OpsError('INVALID_INPUT', 'url: the team store URL names no host', { fields: [{ field: 'url', message: 'no host' }] });
  if (!f.database)
    throw new OpsError('INVALID_INPUT', 'url: the team store URL names no database (postgresql://user@host/DATABASE)', {
      fields: [{ field: 'url', message: 'no database' }],
    });
  if (!f.user)
    throw new OpsError('INVALID_INPUT', 'url: the team store URL names no user (postgresql://USER@host/database)', {
      fields: [{ field: 'url', message: 'no user' }],
    });
  const connection: TeamConnection = {
    host: f.host,
    port: f.port ?? 5432,
    database: f.database,
    user: f.user,
    sslmode: f.sslmode ?? 'prefer',
    sslRootCert: f.sslRootCert ?? null,
  };
  if (!isLoopback(connection.host) && !STRONG_TLS.has(connection.sslmode)) {
    const message = `url: the team store on ${connection.host} must be reached over TLS: add sslmode=require (or verify-full with sslrootcert=…) to the URL; sslmode=${connection.sslmode} is only accepted for a loopback host or a unix socket.`;
    throw new OpsError('INVALID_INPUT', message, { fields: [{ field: 'url', message: 'TLS required (sslmode=require or stronger)' }] });
  }
  return { connection, password: draft.password, warnings: draft.warnings.filter((w) => !/name/i.test(w)) };
}

/** Runs fn on one connection to the team store; the connection always ends. */
export function withTeamClient<T>(
  deps: Pick<CoreDeps, 'secrets'>,
  connection: TeamConnection,
  fn: (client: pg.Client) => Promise<T>,
  password?: string,
): Promise<T> {
  const profile = {
    id: TEAM_SECRET_ID,
    name: 'team store',
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    sslmode: connection.sslmode,
    sslRootCert: connection.sslRootCert,
    readOnly: false,
    statementTimeoutMs: 60_000,
    ssh: null,
  };
  return withClient(deps, profile, fn, { ...(password !== undefined ? { password } : {}), connectTimeoutMs: 10_000 });
}

/** Keeps the password in the secret store when it can; false when the store refuses (then PGPASSWORD / ~/.pgpass / a prompt). */
export function savePassword(deps: Pick<CoreDeps, 'secrets'>, password: string | undefined): boolean {
  if (password === undefined || password === '') return false;
  try {
    deps.secrets.set(TEAM_SECRET_ID, password);
    return true;
  } catch {
    // The desktop's keychain-backed store keeps secrets per profile only (a foreign key):
    // the team password then comes from PGPASSWORD, ~/.pgpass or a prompt, as for the CLI.
    return false;
  }
}

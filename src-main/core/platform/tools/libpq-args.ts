// How the client tools are told where to connect and how to show what ran: libpq reads TLS
// settings and a tunnel's address from the environment, a database name that looks like a
// connection string must be wrapped, and the command line is shown quoted for a POSIX shell
// (display only: nothing here is ever run through a shell).
import type { Profile } from '../../../contract/models';

/**
 * libpq reads a -d value holding "=" or starting with a URI scheme as a connection string,
 * so such a database name goes in as `dbname='…'` (quotes and backslashes escaped).
 */
export function dbnameArgument(database: string): string {
  if (!database.includes('=') && !/^postgres(?:ql)?:\/\//i.test(database)) return database;
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One line a person can read and paste into a POSIX shell (display only; we never run a shell). */
export function shellQuote(args: string[]): string {
  return args.map((a) => (SHELL_SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** TLS settings as libpq reads them from the environment (pg_dump gets no connection string). */
export function libpqEnv(profile: Pick<Profile, 'sslmode' | 'sslRootCert'>, tunnelAddress?: string): Record<string, string> {
  const env: Record<string, string> = { PGSSLMODE: profile.sslmode };
  if (profile.sslRootCert !== null) env.PGSSLROOTCERT = profile.sslRootCert;
  if (tunnelAddress !== undefined) env.PGHOSTADDR = tunnelAddress;
  return env;
}

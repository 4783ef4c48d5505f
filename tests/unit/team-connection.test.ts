// The team store's URL rules (issue #22): TLS (sslmode require or stronger) unless the host is
// loopback or a unix socket; the URL's password is handed over, never kept in the connection.
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { isLoopback, parseTeamUrl } from '../../src-main/core/team/connection';

function refusal(url: string): string {
  try {
    parseTeamUrl(url);
  } catch (err) {
    if (err instanceof OpsError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

describe('team store URL', () => {
  it('accepts loopback and unix sockets without TLS, anything else only with sslmode require or stronger', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '/var/run/postgresql']) expect(isLoopback(host)).toBe(true);
    for (const host of ['10.0.0.5', 'db.example.com', '128.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io']) expect(isLoopback(host)).toBe(false);
    expect(parseTeamUrl('postgresql://alice@localhost/team').connection).toMatchObject({ host: 'localhost', sslmode: 'prefer' });
    expect(parseTeamUrl('postgresql://alice@db.example.com/team?sslmode=verify-full').connection.sslmode).toBe('verify-full');
    expect(refusal('postgresql://alice@db.example.com/team')).toMatch(/^INVALID_INPUT: url: .*must be reached over TLS/);
    expect(refusal('postgresql://alice@db.example.com/team?sslmode=disable')).toMatch(/sslmode=disable is only accepted for a loopback/);
    expect(refusal('postgresql://alice@127.0.0.1.nip.io/team?sslmode=prefer')).toMatch(/TLS/);
  });

  it('names what is missing, and keeps the password out of the connection settings', () => {
    // libpq's default: no database named means the user's name.
    expect(parseTeamUrl('postgresql://alice@db.example.com?sslmode=require').connection.database).toBe('alice');
    expect(refusal('mysql://alice@db/team')).toMatch(/^INVALID_INPUT/);
    const parsed = parseTeamUrl('postgresql://alice:p%40ss@db.example.com:6543/team?sslmode=require');
    expect(parsed.password).toBe('p@ss');
    expect(parsed.connection).toEqual({ host: 'db.example.com', port: 6543, database: 'team', user: 'alice', sslmode: 'require', sslRootCert: null });
    expect(JSON.stringify(parsed.connection)).not.toMatch(/p@ss/);
  });
});

// Test connection against the run's real PostgreSQL (no TLS configured on it), plus a
// refused port, a silent listener and an unresolvable name for the network failures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import { withClient as withProfileClient } from '../../src-main/core/platform/postgres/connect';
import { testConnection, type ConnectionTestReport } from '../../src-main/core/profiles/test-connection';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';

const pg = inject('pg');
const ALL_STAGES = ['DNS', 'TCP', 'TLS', 'authentication', 'server version', 'role and privileges', 'Supabase detection'];

function profile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: 'test-profile',
    name: 'local',
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    sslmode: 'disable',
    sslRootCert: null,
    env: 'development',
    readOnly: false,
    statementTimeoutMs: null,
    notes: '',
    contacts: [],
    escalationLevel: null,
    ssh: null,
    hasSecret: false,
    hasSshSecret: false,
    hasJumpSecret: false,
    hasStorageSecret: false,
    tags: [],
    storage: null,
    createdAt: '',
    updatedAt: '',
    ...overrides,
  };
}

function failedAt(report: ConnectionTestReport, name: string): string {
  expect(report.ok).toBe(false);
  const last = report.stages[report.stages.length - 1]!;
  expect(last.name).toBe(name);
  expect(last.ok).toBe(false);
  expect(report.stages.slice(0, -1).every((s) => s.ok)).toBe(true);
  expect(report.stages.map((s) => s.name)).toEqual(ALL_STAGES.slice(0, report.stages.length));
  return last.error ?? '';
}

/** A port nothing listens on: bind, note the port, close. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const plainRole = `ops_plain_${suffix}`;
const monitorRole = `ops_monitor_${suffix}`;
const limitedRole = `ops_limited_${suffix}`;
const rolePassword = 'role-pw-1';
let database = '';

beforeAll(async () => {
  database = await createTestDatabase(pg, uniqueDatabaseName('testconn'));
  await withClient(
    pg,
    async (client) => {
      await client.query(`CREATE ROLE ${quoteIdent(plainRole)} LOGIN PASSWORD '${rolePassword}'`);
      await client.query(`CREATE ROLE ${quoteIdent(monitorRole)} LOGIN CREATEDB PASSWORD '${rolePassword}'`);
      await client.query(`GRANT pg_monitor, pg_signal_backend TO ${quoteIdent(monitorRole)}`);
      await client.query(`CREATE ROLE ${quoteIdent(limitedRole)} LOGIN CONNECTION LIMIT 0 PASSWORD '${rolePassword}'`);
      await client.query(`GRANT ALL ON SCHEMA public TO ${quoteIdent(plainRole)}`);
    },
    database,
  );
});

afterAll(async () => {
  if (database) await dropTestDatabase(pg, database);
  await withClient(pg, async (client) => {
    for (const role of [plainRole, monitorRole, limitedRole]) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
  });
});

describe('testConnection', () => {
  it('passes every stage in order and reports the human server version', async () => {
    const report = await testConnection(profile(), pg.password);
    expect(report.stages.map((s) => s.name)).toEqual(ALL_STAGES);
    expect(report.stages.every((s) => s.ok && s.ms >= 0)).toBe(true);
    expect(report.ok).toBe(true);
    const expected = await withClient(pg, async (c) => (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v);
    expect(report.serverVersion).toBe(expected.split(' ')[0]);
    expect(report.serverVersion).toMatch(/^\d+\.\d+$/);
    expect(report.stages[0]!.detail).toContain('IP address');
    expect(report.stages[2]!.detail).toBe('not requested (sslmode=disable)');
    expect(report.stages[4]!.detail).toContain('PostgreSQL');
    expect(report.privileges).toMatchObject({ role: 'postgres', superuser: true });
    expect(report.supabase).toBeNull();
    expect(report.stages[6]!.detail).toBe('not Supabase');
  });

  it('resolves a host name in the DNS stage', async () => {
    const report = await testConnection(profile({ host: 'localhost' }), pg.password);
    expect(report.stages[0]).toMatchObject({ name: 'DNS', ok: true });
    expect(report.stages[0]!.detail).toMatch(/^localhost → /);
    expect(report.stages[1]!.ok).toBe(true);
  });

  it('sslmode=prefer falls back to plain text when the server has no TLS, and says so', async () => {
    const report = await testConnection(profile({ sslmode: 'prefer' }), pg.password);
    expect(report.ok).toBe(true);
    expect(report.stages[2]!.detail).toContain('does not offer TLS');
    expect(report.warnings.some((w) => w.includes('unencrypted'))).toBe(true);
  });

  it('TLS required but the server has none: fails at TLS with a clear message', async () => {
    for (const sslmode of ['require'] as const) {
      const error = failedAt(await testConnection(profile({ sslmode }), pg.password), 'TLS');
      expect(error).toContain('The server refuses TLS');
      expect(error).toContain(`sslmode=${sslmode}`);
    }
  });

  it('wrong password', async () => {
    const error = failedAt(await testConnection(profile(), 'not-the-password'), 'authentication');
    expect(error).toBe('password authentication failed for user "postgres"');
  });

  it('no password when the server wants one', async () => {
    const error = failedAt(await testConnection(profile(), undefined), 'authentication');
    expect(error).toContain('asks for a password for user "postgres" and none was given');
  });

  it('missing database is named', async () => {
    const error = failedAt(await testConnection(profile({ database: 'no_such_db_here' }), pg.password), 'authentication');
    expect(error).toContain('database "no_such_db_here" does not exist');
  });

  it('too many connections (53300)', async () => {
    const error = failedAt(await testConnection(profile({ user: limitedRole, database }), rolePassword), 'authentication');
    expect(error).toContain('too many connections');
  });

  it('refused port', async () => {
    const port = await freePort();
    const error = failedAt(await testConnection(profile({ port }), pg.password), 'TCP');
    expect(error).toContain(`Connection refused at 127.0.0.1:${port}`);
  });

  it('unknown host under .invalid', async () => {
    const error = failedAt(await testConnection(profile({ host: 'ops-console-test.invalid' }), pg.password), 'DNS');
    expect(error).toMatch(/^(Unknown host "ops-console-test.invalid"|Cannot resolve "ops-console-test.invalid")/);
  });

  it('a server that accepts TCP but never answers times out at the TLS stage', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const error = failedAt(await testConnection(profile({ port, sslmode: 'require' }), 'x', { timeoutMs: 400 }), 'TLS');
      expect(error).toContain('Timed out');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('detects privileges of a plain role', async () => {
    const report = await testConnection(profile({ user: plainRole, database }), rolePassword);
    expect(report.ok).toBe(true);
    expect(report.privileges).toMatchObject({
      role: plainRole,
      superuser: false,
      createDb: false,
      createRole: false,
      pgSignalBackend: false,
      pgReadAllStats: false,
      pgMonitor: false,
    });
    expect(report.stages[5]!.detail).toContain('not superuser');
    expect(report.warnings.some((w) => w.includes('cannot cancel or terminate'))).toBe(true);
    expect(report.warnings.some((w) => w.includes('pg_stat_activity'))).toBe(true);
  });

  it('detects pg_monitor (and pg_read_all_stats through it), pg_signal_backend and CREATEDB', async () => {
    const report = await testConnection(profile({ user: monitorRole, database }), rolePassword);
    expect(report.ok).toBe(true);
    expect(report.privileges).toMatchObject({ superuser: false, createDb: true, pgSignalBackend: true, pgReadAllStats: true, pgMonitor: true });
    expect(report.warnings.some((w) => w.includes('cannot cancel'))).toBe(false);
  });

  it("reports a read-only profile's session as read-only", async () => {
    const report = await testConnection(profile({ readOnly: true }), pg.password);
    expect(report.privileges?.readOnlySession).toBe(true);
    const writable = await testConnection(profile({ readOnly: false }), pg.password);
    expect(writable.privileges?.readOnlySession).toBe(false);
  });

  it('detects Supabase from the auth and storage schemas and the supabase_admin role', async () => {
    const supaDb = await createTestDatabase(pg, uniqueDatabaseName('supa'));
    try {
      await withClient(
        pg,
        async (c) => {
          await c.query('CREATE SCHEMA auth; CREATE SCHEMA storage');
          await c.query(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin') THEN CREATE ROLE supabase_admin NOLOGIN; END IF; END $$",
          );
        },
        supaDb,
      );
      const report = await testConnection(profile({ database: supaDb }), pg.password);
      expect(report.ok).toBe(true);
      expect(report.supabase).toEqual({ kind: 'detected', ref: null });
      expect(report.stages[6]!.detail).toContain('Supabase');
    } finally {
      await dropTestDatabase(pg, supaDb);
      await withClient(pg, async (c) => c.query('DROP ROLE IF EXISTS supabase_admin'));
    }
  });
});

describe('read-only profiles are enforced by the server', () => {
  const secrets = new MemorySecretStore();

  it('a write on a read-only profile fails with SQLSTATE 25006; the same write on a read-write profile works', async () => {
    const table = `ro_probe_${suffix}`;
    let caught: unknown;
    try {
      await withProfileClient({ secrets }, profile({ database, readOnly: true }), (c) => c.query(`CREATE TABLE ${quoteIdent(table)} (id int)`), {
        password: pg.password,
      });
    } catch (err) {
      caught = err;
    }
    expect((caught as { code?: string }).code).toBe('25006');
    await withProfileClient({ secrets }, profile({ database, readOnly: false }), (c) => c.query(`CREATE TABLE ${quoteIdent(table)} (id int)`), {
      password: pg.password,
    });
    const exists = await withClient(
      pg,
      async (c) => (await c.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [`public.${table}`])).rows[0] as { e: boolean },
      database,
    );
    expect(exists.e).toBe(true);
  });

  it('applies the profile statement timeout and application_name', async () => {
    const settings = await withProfileClient(
      { secrets },
      profile({ statementTimeoutMs: 1234 }),
      async (c) => {
        const { rows } = await c.query<{ st: string; app: string }>(
          `SELECT current_setting('statement_timeout') AS st, current_setting('application_name') AS app`,
        );
        return rows[0]!;
      },
      { password: pg.password },
    );
    expect(settings).toEqual({ st: '1234ms', app: 'ops-console' });
  });

  it('withClient takes the password from the secret store and maps connection errors', async () => {
    const p = profile({ id: 'with-secret' });
    secrets.set(p.id, pg.password);
    const one = await withProfileClient({ secrets }, p, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one);
    expect(one).toBe(1);
    // sslmode=prefer against a server without TLS: node-postgres alone would fail; withClient retries in plain text.
    const viaPrefer = await withProfileClient(
      { secrets },
      { ...p, sslmode: 'prefer' },
      async (c) => (await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]!.ssl,
    );
    expect(viaPrefer).toBe(false);
    await expect(withProfileClient({ secrets }, { ...p, sslmode: 'require' }, async () => 1)).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringContaining('does not accept TLS') as unknown,
    });
    secrets.set(p.id, 'wrong');
    await expect(withProfileClient({ secrets }, p, async () => 1)).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: 'password authentication failed for user "postgres"',
    });
  });
});

describe('TLS stage against a TLS-speaking listener', () => {
  // The shared cluster has no TLS, so a small listener answers the SSL request with "S"
  // and completes a real handshake with a certificate made here by openssl; it then
  // hangs up, so authentication is where these reports stop.
  let dir = '';
  let caFile = '';
  let otherCa = '';
  let server: net.Server | null = null;
  let port = 0;

  function makeCert(name: string, cn: string): { key: string; cert: string } {
    const key = path.join(dir, `${name}.key`);
    const cert = path.join(dir, `${name}.pem`);
    const result = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=DNS:${cn}`,
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
    return { key, cert };
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-tls-'));
    const server1 = makeCert('server', 'localhost');
    caFile = server1.cert;
    otherCa = makeCert('other', 'localhost').cert;
    const key = fs.readFileSync(server1.key);
    const cert = fs.readFileSync(server1.cert);
    server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('S');
        const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
        secure.on('error', () => socket.destroy());
        secure.once('data', () => secure.destroy());
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sslmode=require: handshake succeeds without verifying the certificate', async () => {
    const report = await testConnection(profile({ host: '127.0.0.1', port, sslmode: 'require' }), 'x', { timeoutMs: 3000 });
    expect(report.stages[2]).toMatchObject({ name: 'TLS', ok: true });
    expect(report.stages[2]!.detail).toMatch(/^TLSv1\.[23] /);
    expect(report.stages[2]!.detail).toContain('certificate not verified');
    expect(report.stages[2]!.detail).toContain('CN=localhost');
    failedAt(report, 'authentication');
  });

  it('verify-full with the right CA and host name verifies both', async () => {
    const report = await testConnection(profile({ host: 'localhost', port, sslmode: 'verify-full', sslRootCert: caFile }), 'x', { timeoutMs: 3000 });
    expect(report.stages[2]).toMatchObject({ name: 'TLS', ok: true });
    expect(report.stages[2]!.detail).toContain('certificate and host name verified');
  });

  it('verify-full refuses a host name the certificate does not name; verify-ca accepts it', async () => {
    const full = failedAt(
      await testConnection(profile({ host: '127.0.0.1', port, sslmode: 'verify-full', sslRootCert: caFile }), 'x', { timeoutMs: 3000 }),
      'TLS',
    );
    expect(full).toMatch(/TLS failed/);
    expect(full).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    const ca = await testConnection(profile({ host: '127.0.0.1', port, sslmode: 'verify-ca', sslRootCert: caFile }), 'x', { timeoutMs: 3000 });
    expect(ca.stages[2]).toMatchObject({ name: 'TLS', ok: true });
    expect(ca.stages[2]!.detail).toContain('host name not checked');
  });

  it('verify-ca with a CA that did not sign the certificate fails at TLS', async () => {
    const error = failedAt(
      await testConnection(profile({ host: 'localhost', port, sslmode: 'verify-ca', sslRootCert: otherCa }), 'x', { timeoutMs: 3000 }),
      'TLS',
    );
    expect(error).toMatch(/TLS failed .*(self-signed|SELF_SIGNED|verify)/i);
  });
});

// SSH tunnels against real OpenSSH servers (Debian's sshd in the foreground on 127.0.0.1)
// forwarding to the run's PostgreSQL. No fake SSH server anywhere.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { SshTunnel, TunnelError, sshFingerprint, type SshAuth, type SshHop, type TunnelEvent, type TunnelSpec } from '../../src-main/core/platform/ssh/tunnel';
import {
  encryptedKey,
  freePort,
  makeTempDir,
  opensshFingerprint,
  sshKeygen,
  TestAgent,
  TestPasswordUser,
  TestSshd,
  waitFor,
  type KeyFiles,
} from '../helpers/sshd';

const db = inject('pg');
const PASSPHRASE = 'correct horse battery staple 42';
const isRoot = process.getuid?.() === 0;

let dir = '';
let clientKey: KeyFiles;
let strangerKey: KeyFiles;
let opensshEncrypted: KeyFiles;
let pemEncrypted: KeyFiles;
let sshd: TestSshd;
const passwordUser = new TestPasswordUser();
const servers: TestSshd[] = [];
const tunnels: SshTunnel[] = [];
const pgClients: pg.Client[] = [];

function newSshd(options: ConstructorParameters<typeof TestSshd>[0] = {}): TestSshd {
  const server = new TestSshd({ authorizedKeys: [clientKey.publicLine], ...options });
  servers.push(server);
  return server;
}

function hop(server: TestSshd, auth: SshAuth = { kind: 'key', privateKeyPath: clientKey.privatePath }, overrides: Partial<SshHop> = {}): SshHop {
  return { host: '127.0.0.1', port: server.port, user: 'root', auth, hostKey: { fingerprint: server.hostFingerprint }, ...overrides };
}

function target(): TunnelSpec['target'] {
  return { host: '127.0.0.1', port: db.port };
}

function makeTunnel(spec: Partial<TunnelSpec> & { bastion: SshHop }): { tunnel: SshTunnel; events: TunnelEvent[] } {
  const events: TunnelEvent[] = [];
  const tunnel = new SshTunnel({ target: target(), ...spec }, { onEvent: (event) => events.push(event) });
  tunnels.push(tunnel);
  return { tunnel, events };
}

async function connectThrough(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: db.user, password: db.password, database: db.database, ssl: false });
  client.on('error', () => {
    // A cut connection: the query's own rejection is what the tests check.
  });
  pgClients.push(client);
  await client.connect();
  return client;
}

/** Runs a query through the tunnel; returns the server's own port to prove where it landed. */
async function serverPortThrough(port: number): Promise<number> {
  const client = await connectThrough(port);
  try {
    const result = await client.query<{ port: string }>("SELECT current_setting('port') AS port");
    return Number(result.rows[0]?.port);
  } finally {
    await client.end();
  }
}

async function openError(tunnel: SshTunnel): Promise<TunnelError> {
  const err = await tunnel.open().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TunnelError);
  return err as TunnelError;
}

/** Nothing the tunnel says (errors, events) may contain a secret. */
function expectNoSecret(secret: string, ...said: unknown[]): void {
  const text = JSON.stringify(said, (_key, value: unknown) =>
    value instanceof Error ? { message: value.message, detail: (value as TunnelError).detail } : value,
  );
  expect(text).not.toContain(secret);
}

beforeAll(async () => {
  dir = makeTempDir('ops-console-ssh-test-');
  clientKey = sshKeygen(dir, 'client_ed25519');
  strangerKey = sshKeygen(dir, 'stranger_ed25519');
  opensshEncrypted = encryptedKey(dir, 'encrypted_openssh', PASSPHRASE, 'openssh');
  pemEncrypted = encryptedKey(dir, 'encrypted_pem', PASSPHRASE, 'pem');
  sshd = newSshd({ authorizedKeys: [clientKey.publicLine, opensshEncrypted.publicLine, pemEncrypted.publicLine], passwordAuthentication: true });
  await sshd.start();
  if (isRoot) passwordUser.create();
});

afterEach(async () => {
  for (const client of pgClients.splice(0)) await client.end().catch(() => undefined);
  for (const tunnel of tunnels.splice(0)) await tunnel.close();
});

afterAll(async () => {
  for (const server of servers.splice(0)) await server.dispose();
  if (isRoot) passwordUser.remove();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('computes host key fingerprints exactly as OpenSSH does', () => {
    const line = fs.readFileSync(`${sshd.hostKeyPath}.pub`, 'utf8').split(' ');
    const blob = Buffer.from(line[1] ?? '', 'base64');
    expect(sshFingerprint(blob)).toBe(opensshFingerprint(`${sshd.hostKeyPath}.pub`));
  });

  it('logs in with a key file and carries a query to PostgreSQL', async () => {
    const { tunnel, events } = makeTunnel({ bastion: hop(sshd) });
    // Two users of the profile opening at once share one listener and one SSH link.
    const [{ localPort }, second] = await Promise.all([tunnel.open(), tunnel.open()]);
    expect(second.localPort).toBe(localPort);
    expect(localPort).toBeGreaterThan(0);
    expect(localPort).not.toBe(db.port);
    expect(tunnel.localPort).toBe(localPort);
    expect(await serverPortThrough(localPort)).toBe(db.port);
    // One forwarded channel per database connection, concurrently.
    const [a, b] = await Promise.all([connectThrough(localPort), connectThrough(localPort)]);
    expect(tunnel.activeConnections).toBe(2);
    const pids = await Promise.all([a, b].map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid));
    expect(new Set(pids).size).toBe(2);
    expect(events.filter((e) => e.type === 'opened')).toHaveLength(1);
    await tunnel.close();
    expect(tunnel.localPort).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'closed', reason: 'requested' });
  });

  it('refuses a key the server does not know, naming user and key file', async () => {
    const { tunnel } = makeTunnel({ bastion: hop(sshd, { kind: 'key', privateKeyPath: strangerKey.privatePath }) });
    const err = await openError(tunnel);
    expect(err.cause).toBe('auth-failed');
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.message).toContain("user 'root'");
    expect(err.message).toContain(strangerKey.privatePath);
    expect(tunnel.localPort).toBeNull();
  });

  it('reports a missing key file as unreadable', async () => {
    const missing = path.join(dir, 'no-such-key');
    const { tunnel } = makeTunnel({ bastion: hop(sshd, { kind: 'key', privateKeyPath: missing }) });
    const err = await openError(tunnel);
    expect(err.cause).toBe('key-unreadable');
    expect(err.message).toContain(`${missing} does not exist`);
  });

  for (const format of ['openssh', 'pem'] as const) {
    it(`uses an encrypted ${format} key with its passphrase; no or a wrong passphrase is a clear error`, async () => {
      const keyPath = format === 'openssh' ? opensshEncrypted.privatePath : pemEncrypted.privatePath;
      const without = makeTunnel({ bastion: hop(sshd, { kind: 'key', privateKeyPath: keyPath }) });
      const missing = await openError(without.tunnel);
      expect(missing.cause).toBe('passphrase-required');
      expect(missing.message).toContain(keyPath);

      const wrongPassphrase = `${PASSPHRASE}-typo`;
      const wrong = makeTunnel({ bastion: hop(sshd, { kind: 'key', privateKeyPath: keyPath, passphrase: wrongPassphrase }) });
      const bad = await openError(wrong.tunnel);
      expect(bad.cause).toBe('passphrase-wrong');
      expectNoSecret(wrongPassphrase, bad, wrong.events);

      const right = makeTunnel({ bastion: hop(sshd, { kind: 'key', privateKeyPath: keyPath, passphrase: PASSPHRASE }) });
      const { localPort } = await right.tunnel.open();
      expect(await serverPortThrough(localPort)).toBe(db.port);
      expectNoSecret(PASSPHRASE, right.events, missing, without.events);
    });
  }

  it.runIf(isRoot)('logs in with a password (and says so when it is wrong, without echoing it)', async () => {
    const good = makeTunnel({ bastion: hop(sshd, { kind: 'password', password: passwordUser.password }, { user: passwordUser.name }) });
    const { localPort } = await good.tunnel.open();
    expect(await serverPortThrough(localPort)).toBe(db.port);
    expectNoSecret(passwordUser.password, good.events);

    const wrongPassword = `${passwordUser.password}x`;
    const bad = makeTunnel({ bastion: hop(sshd, { kind: 'password', password: wrongPassword }, { user: passwordUser.name }) });
    const err = await openError(bad.tunnel);
    expect(err.cause).toBe('auth-failed');
    expect(err.message).toContain(passwordUser.name);
    expectNoSecret(wrongPassword, err, bad.events);
  });

  it('logs in through ssh-agent', async () => {
    const agent = new TestAgent();
    try {
      await agent.start([clientKey.privatePath]);
      const { tunnel } = makeTunnel({ bastion: hop(sshd, { kind: 'agent', socket: agent.socket }) });
      const { localPort } = await tunnel.open();
      expect(await serverPortThrough(localPort)).toBe(db.port);
    } finally {
      await agent.dispose();
    }
  });

  it('refuses an agent that holds no accepted key', async () => {
    const agent = new TestAgent();
    try {
      await agent.start([strangerKey.privatePath]);
      const { tunnel } = makeTunnel({ bastion: hop(sshd, { kind: 'agent', socket: agent.socket }) });
      const err = await openError(tunnel);
      expect(err.cause).toBe('auth-failed');
      expect(err.message).toContain('ssh-agent');
    } finally {
      await agent.dispose();
    }
  });
});

describe('host keys', () => {
  it('refuses an unknown host key and shows the presented fingerprint', async () => {
    const { tunnel } = makeTunnel({ bastion: hop(sshd, undefined, { hostKey: null }) });
    const err = await openError(tunnel);
    expect(err.cause).toBe('host-key-unknown');
    expect(err.detail.presentedFingerprint).toBe(sshd.hostFingerprint);
    expect(err.message).toContain(sshd.hostFingerprint);
  });

  it('refuses a changed host key, naming both fingerprints', async () => {
    const server = newSshd();
    await server.start();
    const pinned = server.hostFingerprint;
    const first = makeTunnel({ bastion: hop(server) });
    await first.tunnel.open();
    await first.tunnel.close();

    await server.stop();
    server.newHostKey();
    const port = server.port;
    await server.start();
    expect(server.port).toBe(port);
    const presented = server.hostFingerprint;
    expect(presented).not.toBe(pinned);

    const { tunnel } = makeTunnel({ bastion: hop(server, undefined, { hostKey: { fingerprint: pinned } }) });
    const err = await openError(tunnel);
    expect(err.cause).toBe('host-key-mismatch');
    expect(err.message).toContain(pinned);
    expect(err.message).toContain(presented);
    expect(err.detail).toMatchObject({ pinnedFingerprint: pinned, presentedFingerprint: presented, hop: 'bastion' });
  });

  it('asks a server with several host keys for the pinned key type', async () => {
    const server = newSshd({ rsaHostKey: true });
    await server.start();
    const rsaPin = opensshFingerprint(`${server.rsaHostKeyPath}.pub`);
    // Without algorithms the server shows its preferred ed25519 key: a false alarm.
    const naive = makeTunnel({ bastion: hop(server, undefined, { hostKey: { fingerprint: rsaPin } }) });
    const err = await openError(naive.tunnel);
    expect(err.cause).toBe('host-key-mismatch');
    expect(err.detail.presentedFingerprint).toBe(server.hostFingerprint);
    const pinned = makeTunnel({ bastion: hop(server, undefined, { hostKey: { fingerprint: rsaPin, algorithms: ['rsa-sha2-512', 'rsa-sha2-256'] } }) });
    const { localPort } = await pinned.tunnel.open();
    expect(await serverPortThrough(localPort)).toBe(db.port);
  });
});

describe('routes and failures', () => {
  it('reaches the bastion through a jump host', async () => {
    const jump = newSshd();
    const bastion = newSshd();
    await Promise.all([jump.start(), bastion.start()]);
    const { tunnel, events } = makeTunnel({ jump: hop(jump), bastion: hop(bastion) });
    const { localPort } = await tunnel.open();
    expect(await serverPortThrough(localPort)).toBe(db.port);
    // The path really runs through the jump host: losing it loses the link.
    await jump.kill();
    await waitFor('link-lost event', () => events.some((e) => e.type === 'error' && e.error.cause === 'link-lost'));
    await jump.start();
    expect(await serverPortThrough(localPort)).toBe(db.port);
  });

  it('names the jump host when it is the one refusing', async () => {
    const jump = newSshd();
    const bastion = newSshd();
    await Promise.all([jump.start(), bastion.start()]);
    const { tunnel } = makeTunnel({ jump: hop(jump, { kind: 'key', privateKeyPath: strangerKey.privatePath }), bastion: hop(bastion) });
    const err = await openError(tunnel);
    expect(err.cause).toBe('auth-failed');
    expect(err.detail.hop).toBe('jump');
    expect(err.message).toContain(`jump host 127.0.0.1:${jump.port}`);
  });

  it('reports an unreachable bastion', async () => {
    const closed = await freePort();
    const { tunnel } = makeTunnel({ bastion: { ...hop(sshd), port: closed } });
    const err = await openError(tunnel);
    expect(err.cause).toBe('bastion-unreachable');
    expect(err.message).toContain(`127.0.0.1:${closed}`);
    expect(err.message).toContain('connection refused');
  });

  it('reports a database port the bastion cannot reach', async () => {
    const closed = await freePort();
    const { tunnel } = makeTunnel({ bastion: hop(sshd), target: { host: '127.0.0.1', port: closed } });
    const err = await openError(tunnel);
    expect(err.cause).toBe('target-unreachable');
    expect(err.message).toContain(`the database at 127.0.0.1:${closed}`);
    expect(err.message).toMatch(/refused/i);
  });

  it('reports a forward the bastion forbids', async () => {
    const strict = newSshd({ permitOpen: '127.0.0.1:1' });
    await strict.start();
    const { tunnel } = makeTunnel({ bastion: hop(strict) });
    const err = await openError(tunnel);
    expect(err.cause).toBe('forward-refused');
    expect(err.message).toContain('PermitOpen');
  });

  it('survives sshd being killed mid-query: clear error, then the next query reconnects on the same port', async () => {
    const server = newSshd();
    await server.start();
    const { tunnel, events } = makeTunnel({ bastion: hop(server), keepaliveIntervalMs: 1000 });
    const { localPort } = await tunnel.open();
    const client = await connectThrough(localPort);
    const pidRow = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backendPid = pidRow.rows[0]?.pid;
    const inFlight = client.query('SELECT pg_sleep(20)').then(
      () => null,
      (e: unknown) => e as Error,
    );
    const observer = new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
    pgClients.push(observer);
    await observer.connect();
    await waitFor('the query to be running', async () => {
      const r = await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%'", [backendPid]);
      return r.rowCount === 1;
    });

    await server.kill();
    const queryError = await inFlight;
    expect(queryError).toBeInstanceOf(Error);
    await waitFor('link-lost', () => tunnel.lastError?.cause === 'link-lost');
    expect(tunnel.lastError?.message).toMatch(/SSH connection to the SSH bastion 127\.0\.0\.1:\d+ was lost.*1 open database connection was cut/);
    expect(events.some((e) => e.type === 'error' && e.error.cause === 'link-lost')).toBe(true);

    // While sshd is down, a new connection fails and the tunnel says why.
    await expect(connectThrough(localPort)).rejects.toThrow();
    await waitFor('bastion-unreachable', () => tunnel.lastError?.cause === 'bastion-unreachable');

    await server.start();
    expect(tunnel.localPort).toBe(localPort);
    expect(await serverPortThrough(localPort)).toBe(db.port);
    expect(events.some((e) => e.type === 'reconnecting')).toBe(true);
    expect(events.some((e) => e.type === 'opened' && e.reconnect)).toBe(true);
    await observer.query('SELECT pg_cancel_backend($1)', [backendPid]);
  });

  it('detects a silent dead link by keepalive', async () => {
    const server = newSshd();
    await server.start();
    const { tunnel } = makeTunnel({ bastion: hop(server), keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
    await tunnel.open();
    expect(tunnel.connected).toBe(true);
    const frozen = server.freezeSessions();
    expect(frozen.length).toBeGreaterThan(0);
    await waitFor('keepalive to notice', () => tunnel.lastError?.cause === 'link-lost', 10_000);
    expect(tunnel.connected).toBe(false);
    expect(tunnel.lastError?.message).toMatch(/keepalive/i);
  });

  it('closes an idle link and reopens it on the next connection, keeping the local port', async () => {
    const { tunnel, events } = makeTunnel({ bastion: hop(sshd), idleCloseMs: 150 });
    const { localPort } = await tunnel.open();
    expect(await serverPortThrough(localPort)).toBe(db.port);
    await waitFor('idle close', () => events.some((e) => e.type === 'closed' && e.reason === 'idle'));
    expect(tunnel.connected).toBe(false);
    expect(tunnel.lastError).toBeNull();
    expect(await serverPortThrough(localPort)).toBe(db.port);
    expect(tunnel.localPort).toBe(localPort);
  });

  it('carries a spawned psql (password in its environment, not argv)', async () => {
    const { tunnel } = makeTunnel({ bastion: hop(sshd) });
    const { localPort } = await tunnel.open();
    const psql = path.join(db.binDir, 'psql');
    const args = ['-X', '-A', '-t', '-h', '127.0.0.1', '-p', String(localPort), '-U', db.user, '-d', db.database, '-c', "SELECT 1, current_setting('port')"];
    expect(args.join(' ')).not.toContain(db.password);
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(psql, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PGPASSWORD: db.password, PGSSLMODE: 'disable' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(`1|${db.port}`);
  });
});

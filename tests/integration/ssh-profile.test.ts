// SSH profiles through the whole core (dispatch, store, audit, tunnel manager) against a
// real OpenSSH server forwarding to the run's PostgreSQL: first contact and trust, the
// shared tunnel, host key changes, read-only enforcement through the tunnel, and a spawned
// psql connecting to the tunnel's local end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '../../src-main/contract/errors';
import type { ConnectionTestResult, HostKeyPin, Profile, ProfileInput } from '../../src-main/contract/models';
import { createCore, type Core } from '../../src-main/core/app';
import { localEndpoint, withClient } from '../../src-main/core/platform/postgres/connect';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { pinFromKnownHostsLine } from '../../src-main/core/platform/ssh/host-keys';
import { encryptedKey, freePort, makeTempDir, sshKeygen, TestSshd, type KeyFiles } from '../helpers/sshd';

const db = inject('pg');
const PASSPHRASE = 'ssh profile passphrase 7';

let dir = '';
let clientKey: KeyFiles;
let lockedKey: KeyFiles;
let sshd: TestSshd;
const cores: Core[] = [];

function newCore(): Core {
  const home = makeTempDir('ops-ssh-profile-home-');
  const core = createCore({ home, mode: 'cli', actor: 'tester', secrets: () => new MemorySecretStore(), tunnels: { knownHosts: { text: '' } } });
  cores.push(core);
  return core;
}

async function call<T>(core: Core, name: string, input: unknown): Promise<T> {
  const envelope = (await core.dispatch(name, input, { actor: 'tester', via: 'test' })) as Envelope<T>;
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
  return envelope.value;
}

async function callError(core: Core, name: string, input: unknown): Promise<{ code: string; message: string }> {
  const envelope = (await core.dispatch(name, input, { actor: 'tester', via: 'test' })) as Envelope<unknown>;
  if (envelope.ok) throw new Error(`${name} unexpectedly succeeded`);
  return envelope.error;
}

function hostPin(server: TestSshd): HostKeyPin {
  return pinFromKnownHostsLine(fs.readFileSync(`${server.hostKeyPath}.pub`, 'utf8'), '127.0.0.1', server.port);
}

function input(name: string, overrides: Partial<ProfileInput> = {}, ssh: Record<string, unknown> = {}): ProfileInput {
  return {
    name,
    host: '127.0.0.1',
    port: db.port,
    database: db.database,
    user: db.user,
    sslmode: 'disable',
    env: 'staging',
    ssh: { host: '127.0.0.1', port: sshd.port, user: 'root', auth: 'key', keyPath: clientKey.privatePath, ...ssh },
    ...overrides,
  };
}

function auditActions(core: Core): Array<{ action: string; outcome: string; summary: string; profile: string | null }> {
  return core.deps.store.db.prepare('SELECT action, outcome, summary, profile FROM audit_entries ORDER BY id').all() as Array<{
    action: string;
    outcome: string;
    summary: string;
    profile: string | null;
  }>;
}

beforeAll(async () => {
  dir = makeTempDir('ops-ssh-profile-');
  clientKey = sshKeygen(dir, 'client_ed25519');
  lockedKey = encryptedKey(dir, 'locked_openssh', PASSPHRASE, 'openssh');
  sshd = new TestSshd({ authorizedKeys: [clientKey.publicLine, lockedKey.publicLine] });
  await sshd.start();
});

afterEach(async () => {
  for (const core of cores.splice(0)) {
    await core.close();
    fs.rmSync(core.deps.home, { recursive: true, force: true });
  }
});

afterAll(async () => {
  await sshd.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('SSH profiles through the core', () => {
  it('stops at an unknown host key with a decision to make; trusting it (audited) lets the test pass through the tunnel', async () => {
    const core = newCore();
    const profile = await call<Profile>(core, 'createProfile', { profile: input('bastioned'), password: db.password });
    expect(profile.ssh).toMatchObject({
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      auth: 'key',
      keyPath: clientKey.privatePath,
      hostKey: null,
      jump: null,
    });

    const first = await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id });
    expect(first.ok).toBe(false);
    expect(first.stages.map((s) => [s.name, s.ok])).toEqual([
      ['SSH: TCP to bastion', true],
      ['SSH: host key', false],
    ]);
    expect(first.stages[1]?.error).toContain(sshd.hostFingerprint);
    expect(first.hostKey).toMatchObject({ hop: 'bastion', host: '127.0.0.1', port: sshd.port, status: 'unknown', knownHosts: false });
    expect(first.hostKey?.presented).toEqual(hostPin(sshd));

    const trusted = await call<Profile>(core, 'trustHostKey', { id: profile.id, hop: 'bastion', pin: first.hostKey!.presented });
    expect(trusted.ssh?.hostKey).toEqual(hostPin(sshd));

    const second = await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id });
    expect(second.ok, JSON.stringify(second.stages)).toBe(true);
    expect(second.hostKey).toBeUndefined();
    expect(second.stages.map((s) => s.name)).toEqual([
      'SSH: TCP to bastion',
      'SSH: host key',
      'SSH: authentication',
      `SSH: forward to 127.0.0.1:${db.port}`,
      'SSH: tunnel',
      'DNS',
      'TCP',
      'TLS',
      'authentication',
      'server version',
      'role and privileges',
      'Supabase detection',
    ]);
    expect(second.stages.every((s) => s.ok && typeof s.ms === 'number')).toBe(true);

    const entries = auditActions(core);
    const unknown = entries.find((e) => e.action === 'ssh.hostkey.unknown');
    expect(unknown).toMatchObject({ outcome: 'error', profile: 'bastioned' });
    expect(unknown?.summary).toContain(sshd.hostFingerprint);
    const trust = entries.find((e) => e.action === 'ssh.hostkey.trust');
    expect(trust).toMatchObject({ outcome: 'ok', profile: 'bastioned' });
    expect(trust?.summary).toContain(sshd.hostFingerprint);
    const open = entries.find((e) => e.action === 'ssh.tunnel.open');
    expect(open?.summary).toContain(`root@127.0.0.1:${sshd.port}`);
    expect(open?.summary).toContain(sshd.hostFingerprint);
    expect(JSON.stringify(entries)).not.toContain(db.password);
  });

  it('shares one tunnel between queries, closes it with the core, and gives spawned tools its local end', async () => {
    const core = newCore();
    const profile = await call<Profile>(core, 'createProfile', { profile: input('shared', {}, { hostKey: hostPin(sshd) }), password: db.password });
    const whereAmI = (client: import('pg').Client) =>
      client.query<{ port: string }>("SELECT current_setting('port') AS port").then((r) => Number(r.rows[0]?.port));
    const [a, b] = await Promise.all([withClient(core.deps, profile, whereAmI), withClient(core.deps, profile, whereAmI)]);
    expect([a, b]).toEqual([db.port, db.port]);
    const tunnel = core.deps.tunnels.tunnelOf(profile.id);
    expect(tunnel?.connected).toBe(true);
    expect(await withClient(core.deps, profile, whereAmI)).toBe(db.port);
    expect(core.deps.tunnels.tunnelOf(profile.id)).toBe(tunnel);
    expect(auditActions(core).filter((e) => e.action === 'ssh.tunnel.open')).toHaveLength(1);

    const endpoint = await localEndpoint(core.deps, profile);
    expect(endpoint).toEqual({ host: '127.0.0.1', port: tunnel?.localPort });
    const psql = spawn(
      '/usr/lib/postgresql/15/bin/psql',
      ['-X', '-A', '-t', '-h', endpoint.host, '-p', String(endpoint.port), '-U', db.user, '-d', db.database, '-c', "SELECT current_setting('port')"],
      {
        env: { ...process.env, PGPASSWORD: db.password, PGSSLMODE: 'disable' },
      },
    );
    let out = '';
    psql.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => psql.once('exit', resolve));
    expect(code).toBe(0);
    expect(out.trim()).toBe(String(db.port));

    await core.close();
    cores.splice(cores.indexOf(core), 1);
    expect(tunnel?.localPort).toBeNull();
    fs.rmSync(core.deps.home, { recursive: true, force: true });
  });

  it('a read-only profile still refuses writes through the tunnel', async () => {
    const core = newCore();
    const profile = await call<Profile>(core, 'createProfile', { profile: input('ro', { readOnly: true }, { hostKey: hostPin(sshd) }), password: db.password });
    const err = await withClient(core.deps, profile, (c) => c.query('CREATE TABLE ssh_should_not_exist (id int)')).then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe('25006'); // read_only_sql_transaction
    expect(core.deps.tunnels.tunnelOf(profile.id)?.connected).toBe(true);
  });

  it('refuses a changed host key naming both fingerprints; replacing the pin needs replace (and confirmation on production)', async () => {
    const server = new TestSshd({ authorizedKeys: [clientKey.publicLine] });
    try {
      await server.start();
      const oldPin = hostPin(server);
      await server.stop();
      server.newHostKey();
      await server.start();
      const newPin = hostPin(server);
      const core = newCore();
      const profile = await call<Profile>(core, 'createProfile', {
        profile: input('moved', { env: 'production' }, { port: server.port, hostKey: oldPin }),
        password: db.password,
      });
      const result = await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id });
      expect(result.ok).toBe(false);
      const failed = result.stages.find((s) => !s.ok);
      expect(failed?.name).toBe('SSH: host key');
      expect(failed?.error).toContain(oldPin.fingerprint);
      expect(failed?.error).toContain(newPin.fingerprint);
      expect(result.hostKey).toMatchObject({ status: 'mismatch', expected: oldPin.fingerprint, presented: newPin });
      expect(auditActions(core).find((e) => e.action === 'ssh.hostkey.mismatch')?.summary).toContain(newPin.fingerprint);

      expect((await callError(core, 'trustHostKey', { id: profile.id, hop: 'bastion', pin: newPin })).code).toBe('CONFLICT');
      expect((await callError(core, 'trustHostKey', { id: profile.id, hop: 'bastion', pin: newPin, replace: true })).code).toBe('CONFIRMATION_REQUIRED');
      await call<Profile>(core, 'trustHostKey', { id: profile.id, hop: 'bastion', pin: newPin, replace: true, confirmName: 'moved' });
      const replaced = auditActions(core)
        .filter((e) => e.action === 'ssh.hostkey.trust' && e.outcome === 'ok')
        .at(-1);
      expect(replaced?.summary).toContain(oldPin.fingerprint);
      expect(replaced?.summary).toContain(newPin.fingerprint);
      expect((await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id })).ok).toBe(true);
    } finally {
      await server.dispose();
    }
  });

  it('asks for a key passphrase (one-off or saved), never echoing it', async () => {
    const core = newCore();
    const profile = await call<Profile>(core, 'createProfile', {
      profile: input('locked', {}, { keyPath: lockedKey.privatePath, hostKey: hostPin(sshd) }),
      password: db.password,
    });
    const without = (await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id })) as ConnectionTestResult & { sshFailure?: { cause: string } };
    expect(without.sshFailure?.cause).toBe('passphrase-required');
    expect(without.stages.map((s) => [s.name, s.ok])).toEqual([
      ['SSH: TCP to bastion', true],
      ['SSH: host key', true],
      ['SSH: authentication', false],
    ]);
    const withIt = await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id, sshSecret: PASSPHRASE });
    expect(withIt.ok, JSON.stringify(withIt.stages)).toBe(true);
    // Saved with the profile like a password: later connections need nothing typed.
    const saved = await call<Profile>(core, 'updateProfile', {
      id: profile.id,
      profile: input('locked', {}, { keyPath: lockedKey.privatePath, hostKey: hostPin(sshd) }),
      sshSecret: PASSPHRASE,
    });
    expect(saved.hasSshSecret).toBe(true);
    expect(await withClient(core.deps, saved, async (c) => (await c.query('SELECT 1 AS one')).rows[0])).toEqual({ one: 1 });
    expect(JSON.stringify(auditActions(core))).not.toContain(PASSPHRASE);
  });

  it('validates SSH settings with a message naming the field', async () => {
    const core = newCore();
    const missing = path.join(dir, 'no-such-key');
    const noKey = await callError(core, 'createProfile', { profile: input('bad1', {}, { keyPath: missing }) });
    expect(noKey.code).toBe('INVALID_INPUT');
    expect(noKey.message).toContain('ssh.keyPath');
    expect(noKey.message).toContain(missing);
    const badPin = await callError(core, 'createProfile', { profile: input('bad2', {}, { hostKey: { ...hostPin(sshd), fingerprint: 'SHA256:AAAA' } }) });
    expect(badPin.code).toBe('INVALID_INPUT');
    expect(badPin.message).toContain('ssh.hostKey');
    const jumpNoKey = await callError(core, 'createProfile', { profile: input('bad3', {}, { jump: { host: 'j', user: 'u', auth: 'key' } }) });
    expect(jumpNoKey.message).toContain('ssh.jump.keyPath');
    expect(await call<Profile[]>(core, 'listProfiles', {})).toEqual([]);
  });

  it('says clearly when the bastion dies, and the next query after its restart works without restarting the app', async () => {
    const server = new TestSshd({ authorizedKeys: [clientKey.publicLine] });
    try {
      await server.start();
      const core = newCore();
      const profile = await call<Profile>(core, 'createProfile', {
        profile: input('flaky', {}, { port: server.port, hostKey: hostPin(server) }),
        password: db.password,
      });
      const one = (c: import('pg').Client) => c.query('SELECT 1 AS one').then((r) => r.rows[0] as unknown);
      expect(await withClient(core.deps, profile, one)).toEqual({ one: 1 });
      await server.kill();
      const err = await withClient(core.deps, profile, one).then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(err?.code).toBe('CONNECTION_FAILED');
      expect(err?.message).toMatch(new RegExp(`SSH bastion 127\\.0\\.0\\.1:${server.port}`));
      await server.start();
      expect(await withClient(core.deps, profile, one)).toEqual({ one: 1 });
      expect(auditActions(core).map((e) => e.action)).toEqual(expect.arrayContaining(['ssh.tunnel.open', 'ssh.tunnel.error', 'ssh.tunnel.reconnect']));
    } finally {
      await server.dispose();
    }
  });

  it('names the forward stage when the database port is closed behind the bastion', async () => {
    const core = newCore();
    const closed = await freePort();
    const profile = await call<Profile>(core, 'createProfile', {
      profile: input('closed', { port: closed }, { hostKey: hostPin(sshd) }),
      password: db.password,
    });
    const result = await call<ConnectionTestResult>(core, 'testProfile', { id: profile.id });
    expect(result.ok).toBe(false);
    const failed = result.stages.find((s) => !s.ok);
    expect(failed?.name).toBe(`SSH: forward to 127.0.0.1:${closed}`);
    expect(failed?.error).toContain(`cannot reach the database at 127.0.0.1:${closed}`);
  });

  it('imports a Host entry of an ssh config file as a settings draft, with its jump host', async () => {
    const core = newCore();
    const file = path.join(dir, 'ssh_config');
    fs.writeFileSync(
      file,
      [
        'Host jumpbox',
        '  HostName 10.0.0.9',
        '  User hop',
        '  Port 2200',
        '',
        'Host db-bastion',
        '  HostName bastion.example.com',
        '  User dba',
        '  IdentityFile /keys/id_ed25519',
        '  ProxyJump jumpbox',
        '  ServerAliveInterval 30',
        '',
      ].join('\n'),
    );
    const draft = await call<{ ssh: Record<string, unknown>; warnings: string[]; file: string }>(core, 'importSshConfigHost', {
      alias: 'db-bastion',
      path: file,
    });
    expect(draft.ssh).toMatchObject({
      host: 'bastion.example.com',
      port: 22,
      user: 'dba',
      auth: 'key',
      keyPath: '/keys/id_ed25519',
      hostKey: null,
      keepaliveIntervalSec: 30,
      jump: { host: '10.0.0.9', port: 2200, user: 'hop', auth: 'agent', hostKey: null },
    });
    expect(draft.warnings.join(' ')).toMatch(/host key is not imported/);
    expect((await callError(core, 'importSshConfigHost', { alias: 'no-such-alias', path: file })).code).toBe('NOT_FOUND');
  });
});

// The built `ops-console` CLI end to end: the issue's acceptance (sandbox start, profile
// test, audit list), the contract's exit codes, and audit tampering detected through
// `audit verify`. Runs bin/ops-console.cjs as a user would (npm test builds first).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { startBastion, type TestBastion, type TestSshd } from '../helpers/sshd';

const cli = (home: string, args: string[], env: NodeJS.ProcessEnv = {}) => runCli(home, args, { env });

describe('ops-console CLI', () => {
  let home: string;

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-'));
  });

  afterAll(async () => {
    await cli(home, ['sandbox', 'stop']);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('starts the sandbox, tests its profile, and shows both actions in the audit trail', async () => {
    const start = await cli(home, ['sandbox', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);
    const status = json(start);
    expect(status).toMatchObject({ ok: true, running: true, profile: 'sandbox' });
    expect(String(status.url)).toMatch(/^postgres(ql)?:\/\/[^@]+@127\.0\.0\.1:\d+\/timothie/);

    const test = await cli(home, ['profile', 'test', 'sandbox', '--json']);
    expect(test.code, test.stderr).toBe(0);
    const result = json(test);
    expect(result.ok).toBe(true);
    expect(String(result.serverVersion)).toMatch(/^\d+(\.\d+)?/);
    expect((result.stages as Array<{ ok: boolean }>).every((s) => s.ok)).toBe(true);

    const list = json(await cli(home, ['audit', 'list', '--json']));
    const actions = (list.entries as Array<{ action: string; outcome: string; profile: string | null }>).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toContain('sandbox.start:ok');
    expect(actions).toContain('profile.test:ok');
    const entry = (list.entries as Array<Record<string, unknown>>)[0]!;
    expect(Object.keys(entry).sort()).toEqual(['action', 'actor', 'at', 'durationMs', 'id', 'outcome', 'profile', 'summary']);

    const profiles = json(await cli(home, ['profile', 'list', '--json']));
    expect(profiles.profiles).toEqual([
      expect.objectContaining({ name: 'sandbox', env: 'sandbox', host: '127.0.0.1', database: 'timothie', readOnly: false, ssh: null }),
    ]);
  });

  it('adds a profile from a URL and tests it against the harness PostgreSQL with PGPASSWORD', async () => {
    const pg = inject('pg');
    const url = `postgresql://${pg.user}@${pg.host}:${pg.port}/${pg.database}?sslmode=disable`;
    const add = await cli(home, ['profile', 'add', 'harness', '--url', url, '--env', 'staging', '--json']);
    expect(add.code, add.stderr).toBe(0);
    expect(json(add)).toMatchObject({ name: 'harness', env: 'staging', port: pg.port, readOnly: false });

    const wrong = await cli(home, ['profile', 'test', 'harness', '--json'], { PGPASSWORD: 'not-the-password' });
    expect(wrong.code).toBe(1);
    expect(JSON.stringify(json(wrong).stages)).toMatch(/password authentication failed/i);

    const right = await cli(home, ['profile', 'test', 'harness', '--json'], { PGPASSWORD: pg.password });
    expect(right.code, right.stdout).toBe(0);

    // The password given through the environment never reaches the audit trail.
    const exported = await cli(home, ['audit', 'export', '--format', 'json']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(pg.password);
    expect(exported.stdout).not.toContain('not-the-password');
  });

  it('keeps the exit-code contract: usage errors 2, failures 1 with a JSON error', async () => {
    expect((await cli(home, ['frobnicate'])).code).toBe(2);
    expect((await cli(home, ['profile', 'add', 'x'])).code).toBe(2);
    expect((await cli(home, ['audit', 'list', '--limit', 'many'])).code).toBe(2);

    const withPassword = await cli(home, ['profile', 'add', 'leaky', '--url', 'postgres://u:hunter2@db.example.com/app']);
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toMatch(/never accepted on the command line/);

    const missing = await cli(home, ['profile', 'show', 'nope', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: No profile named "nope"/);
    expect(json(missing)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } });

    const dup = await cli(home, ['profile', 'add', 'sandbox', '--url', 'postgres://u@127.0.0.1/app']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
  });

  it('refuses to remove a production profile without --confirm NAME, and without a terminal without --yes', async () => {
    expect((await cli(home, ['profile', 'add', 'prod', '--url', 'postgres://app@db.example.com/shop', '--env', 'production'])).code).toBe(0);
    const show = json(await cli(home, ['profile', 'show', 'prod', '--json']));
    expect(show.readOnly).toBe(true);
    const noYes = await cli(home, ['profile', 'remove', 'prod']);
    expect(noYes.code).toBe(1);
    expect(noYes.stderr).toMatch(/--yes/);
    const noConfirm = await cli(home, ['profile', 'remove', 'prod', '--yes']);
    expect(noConfirm.code).toBe(1);
    expect(noConfirm.stderr).toMatch(/--confirm prod/);
    expect((await cli(home, ['profile', 'remove', 'prod', '--yes', '--confirm', 'prod'])).code).toBe(0);
    expect((await cli(home, ['profile', 'show', 'prod'])).code).toBe(1);
  });

  it('audit verify exits 1 and names the entry after the SQLite file is edited', async () => {
    const ok = await cli(home, ['audit', 'verify', '--json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok)).toMatchObject({ ok: true, firstBadId: null });
    const entries = (json(await cli(home, ['audit', 'list', '--json'])).entries as Array<{ id: number }>).map((e) => e.id).sort((a, b) => a - b);
    const victim = entries[1]!;

    // As an attacker with the file would: drop the append-only triggers, edit a record.
    const db = new Database(path.join(home, 'ops-console.sqlite'));
    db.exec('DROP TRIGGER IF EXISTS audit_chain_no_update');
    const changed = db.prepare("UPDATE audit_chain SET summary = summary || ' (edited)' WHERE entry_id = ? AND kind = 'begin'").run(victim);
    expect(changed.changes).toBe(1);
    db.close();

    const bad = await cli(home, ['audit', 'verify', '--json']);
    expect(bad.code).toBe(1);
    expect(json(bad)).toMatchObject({ ok: false, firstBadId: victim });
  });
});

describe('ops-console CLI with an SSH bastion (real sshd)', () => {
  let home: string;
  let bastion: TestBastion;
  let sshd: TestSshd;
  const pg = inject('pg');

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-ssh-'));
    bastion = await startBastion('ops-cli-ssh-keys-');
    sshd = bastion.sshd;
  });

  afterAll(async () => {
    await bastion.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const url = () => `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}?sslmode=disable`;
  const hostKeyLine = () => sshd.knownHostsLine();

  it('adds a bastioned profile with a pinned host key and tests it through the tunnel, listing the SSH stages', async () => {
    const add = await cli(home, [
      'profile',
      'add',
      'bastioned',
      '--url',
      url(),
      '--ssh',
      `root@127.0.0.1:${sshd.port}`,
      '--ssh-key',
      bastion.clientKey.privatePath,
      '--ssh-known-host',
      hostKeyLine(),
      '--json',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(json(add)).toMatchObject({ name: 'bastioned', ssh: `root@127.0.0.1:${sshd.port}` });

    const test = await cli(home, ['profile', 'test', 'bastioned', '--json'], { PGPASSWORD: pg.password });
    expect(test.code, test.stdout + test.stderr).toBe(0);
    const result = json(test);
    expect(result.ok).toBe(true);
    const stages = (result.stages as Array<{ name: string; ok: boolean; ms: number }>).map((s) => s.name);
    expect(stages.slice(0, 4)).toEqual(['SSH: TCP to bastion', 'SSH: host key', 'SSH: authentication', `SSH: forward to 127.0.0.1:${pg.port}`]);
    expect(stages).toContain('authentication');

    const list = json(await cli(home, ['profile', 'list', '--json']));
    expect(list.profiles).toEqual([expect.objectContaining({ name: 'bastioned', ssh: `root@127.0.0.1:${sshd.port}` })]);
    const show = json(await cli(home, ['profile', 'show', 'bastioned', '--json']));
    expect(show).toMatchObject({
      ssh: `root@127.0.0.1:${sshd.port}`,
      sshSettings: { keyPath: bastion.clientKey.privatePath, hostKey: { fingerprint: sshd.hostFingerprint } },
    });

    const audit = (await cli(home, ['audit', 'export', '--format', 'json'])).stdout;
    expect(audit).toContain('ssh.tunnel.open');
    expect(audit).not.toContain(pg.password);
  });

  it('exits 1 naming both fingerprints when the bastion presents a different host key', async () => {
    const pinned = sshd.hostFingerprint;
    await sshd.stop();
    sshd.newHostKey();
    await sshd.start();
    const presented = sshd.hostFingerprint;
    const test = await cli(home, ['profile', 'test', 'bastioned', '--json'], { PGPASSWORD: pg.password });
    expect(test.code).toBe(1);
    const hostKeyStage = (json(test).stages as Array<{ name: string; ok: boolean; error?: string }>).find((s) => s.name === 'SSH: host key');
    expect(hostKeyStage?.ok).toBe(false);
    expect(hostKeyStage?.error).toContain(pinned);
    expect(hostKeyStage?.error).toContain(presented);
    expect(test.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });

  it('without --ssh-known-host and without a terminal, refuses and says to pass --ssh-known-host', async () => {
    const add = await cli(home, [
      'profile',
      'add',
      'unpinned',
      '--url',
      url(),
      '--ssh',
      `root@127.0.0.1:${sshd.port}`,
      '--ssh-key',
      bastion.clientKey.privatePath,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const test = await cli(home, ['profile', 'test', 'unpinned', '--json'], { PGPASSWORD: pg.password });
    expect(test.code).toBe(1);
    expect(test.stderr).toMatch(/--ssh-known-host/);
    expect(test.stderr).toContain(sshd.hostFingerprint);
    expect(json(test)).toMatchObject({ ok: false, error: { code: 'CONNECTION_FAILED' } });
    // Nothing was trusted behind the user's back.
    expect(json(await cli(home, ['profile', 'show', 'unpinned', '--json']))).toMatchObject({ sshSettings: { hostKey: null } });
  });

  it('refuses a known_hosts line for another host, and --ssh-key without --ssh', async () => {
    const other = await cli(home, [
      'profile',
      'add',
      'wrong-line',
      '--url',
      url(),
      '--ssh',
      `root@127.0.0.1:${sshd.port}`,
      '--ssh-key',
      bastion.clientKey.privatePath,
      '--ssh-known-host',
      `otherhost ${fs.readFileSync(`${sshd.hostKeyPath}.pub`, 'utf8').trim()}`,
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/not for \[127\.0\.0\.1\]:\d+/);
    expect((await cli(home, ['profile', 'add', 'nokey', '--url', url(), '--ssh-key', bastion.clientKey.privatePath])).code).toBe(2);
  });
});

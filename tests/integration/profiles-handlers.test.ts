// The profile handlers through the real dispatcher, audit log and store, testing against
// the run's PostgreSQL: what is saved, what is refused, and what the audit trail says.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '../../src-main/contract/errors';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { CoreDeps } from '../../src-main/core/platform/kernel/deps';
import { AuditLog } from '../../src-main/core/platform/audit/audit-log';
import { createDispatcher, type Dispatcher, type Handlers } from '../../src-main/core/platform/kernel/dispatch';
import { TunnelManager } from '../../src-main/core/platform/ssh/tunnel-manager';
import { EventBus } from '../../src-main/core/platform/kernel/events';
import { StepChecks } from '../../src-main/core/platform/kernel/step-checks';
import { profileHandlers } from '../../src-main/core/profiles/handlers';
import { ProfileRepo } from '../../src-main/core/platform/profile-store/profile-repo';
import type { ConnectionTestReport } from '../../src-main/core/profiles/test-connection';
import { EncryptedSecretStore, type SecretCipher } from '../../src-main/core/platform/secrets/encrypted-secret-store';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import type { SecretStore } from '../../src-main/core/platform/secrets/secret-store';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

const pg = inject('pg');

function aesCipher(available: boolean): SecretCipher {
  const key = crypto.randomBytes(32);
  return {
    backend: 'test:aes-gcm',
    isAvailable: () => available,
    unavailableReason: () => (available ? undefined : 'no keyring on this desktop (basic_text)'),
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(buf) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

interface Harness {
  dir: string;
  store: Store;
  secrets: SecretStore;
  call<T>(name: string, input: unknown): Promise<Envelope<T>>;
  audit(): Array<{ action: string; outcome: string; profile: string | null; summary: string; detail: string | null; error: string | null }>;
}

function harness(makeSecrets: (store: Store) => SecretStore): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-handlers-'));
  const store = openStore(path.join(dir, 'ops-console.sqlite'));
  const audit = new AuditLog(store.db);
  const secrets = makeSecrets(store);
  const tunnels = new TunnelManager({ secrets, audit, actor: 'tester' });
  const deps: CoreDeps = {
    home: dir,
    mode: 'browser',
    actor: 'tester',
    store,
    audit,
    profiles: new ProfileRepo(store.db),
    secrets,
    events: new EventBus(),
    tunnels,
    revealPath: async () => false,
    stepChecks: new StepChecks(),
  };
  // Only the profile operations are wired; the dispatcher looks handlers up by name.
  const dispatcher: Dispatcher = createDispatcher(profileHandlers(deps) as unknown as Handlers, audit);
  return {
    dir,
    store,
    secrets,
    call: async <T>(name: string, input: unknown) => (await dispatcher.dispatch(name, input, { actor: 'tester', via: 'test' })) as Envelope<T>,
    audit: () => {
      audit.flush();
      return store.db.prepare('SELECT action, outcome, profile, summary, detail, error FROM audit_entries ORDER BY id').all() as ReturnType<Harness['audit']>;
    },
  };
}

function value<T>(envelope: Envelope<T>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value;
}

function local(overrides: Partial<ProfileInput> = {}): ProfileInput {
  return { name: 'local', host: pg.host, port: pg.port, database: pg.database, user: pg.user, sslmode: 'disable', ...overrides };
}

const SECRET = `Handler-Secret-${crypto.randomBytes(6).toString('hex')}`;

describe('profile handlers (memory secret store)', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(() => new MemorySecretStore());
  });
  afterEach(() => {
    h.store.close();
    fs.rmSync(h.dir, { recursive: true, force: true });
  });

  it('creates a profile with a password kept in memory, audits it without the password', async () => {
    const created = value(await h.call<Profile>('createProfile', { profile: local(), password: pg.password }));
    expect(created.hasSecret).toBe(true);
    expect(h.secrets.get(created.id)).toBe(pg.password);
    expect(h.store.db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 });
    expect(value(await h.call<Profile[]>('listProfiles', {}))[0]!.hasSecret).toBe(true);
    const [entry] = h.audit();
    expect(entry).toMatchObject({ action: 'profile.create', outcome: 'ok', profile: 'local' });
    expect(entry!.summary).toContain('Created profile "local"');
    expect(JSON.stringify(h.audit())).not.toContain(pg.password);
  });

  it('tests a connection with the saved password: stages, version and audit summary', async () => {
    const created = value(await h.call<Profile>('createProfile', { profile: local(), password: pg.password }));
    const report = value(await h.call<ConnectionTestReport>('testProfile', { id: created.id }));
    expect(report.ok).toBe(true);
    expect(report.serverVersion).toMatch(/^\d+\.\d+$/);
    expect(report.stages.find((s) => s.name === 'authentication')?.detail).toContain('the saved password');
    const entry = h.audit().find((e) => e.action === 'profile.test');
    expect(entry).toMatchObject({ outcome: 'ok', profile: 'local', summary: `Tested connection: ok, PostgreSQL ${report.serverVersion}` });
    expect(JSON.stringify(h.audit())).not.toContain(pg.password);
  });

  it('a failed test names the failing stage in the audit summary; a working typed password is remembered for the session', async () => {
    const created = value(await h.call<Profile>('createProfile', { profile: local({ name: 'nopw' }) }));
    expect(created.hasSecret).toBe(false);
    const bad = value(await h.call<ConnectionTestReport>('testProfile', { id: 'nopw', password: 'wrong-password' }));
    expect(bad.ok).toBe(false);
    expect(h.secrets.get(created.id)).toBeNull();
    expect(h.audit().at(-1)!.summary).toBe('Tested connection: failed at authentication: password authentication failed for user "postgres"');
    const good = value(await h.call<ConnectionTestReport>('testProfile', { id: created.id, password: pg.password }));
    expect(good.ok).toBe(true);
    expect(h.secrets.get(created.id)).toBe(pg.password);
    expect(JSON.stringify(h.audit())).not.toContain('wrong-password');
  });

  it('update with an empty password forgets the saved one; without a password keeps it', async () => {
    const created = value(await h.call<Profile>('createProfile', { profile: local(), password: 'pw1' }));
    const kept = value(await h.call<Profile>('updateProfile', { id: created.id, profile: local({ notes: 'x' }) }));
    expect(kept.hasSecret).toBe(true);
    const renamed = value(await h.call<Profile>('updateProfile', { id: created.id, profile: local({ name: 'renamed' }), password: '' }));
    expect(renamed.hasSecret).toBe(false);
    expect(h.audit().at(-1)!.summary).toContain('renamed from "local"');
  });

  it('removing a production profile needs its name typed', async () => {
    const prod = value(await h.call<Profile>('createProfile', { profile: local({ name: 'prod', env: 'production' }), password: 'pw' }));
    expect(prod.readOnly).toBe(true);
    const refused = await h.call('removeProfile', { id: prod.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    const wrong = await h.call('removeProfile', { id: prod.id, confirmName: 'PROD' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(value(await h.call('removeProfile', { id: 'prod', confirmName: 'prod' }))).toEqual({ removed: true });
    expect(h.secrets.get(prod.id)).toBeNull();
    expect(value(await h.call<Profile[]>('listProfiles', {}))).toEqual([]);
    expect(await h.call('getProfile', { id: prod.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it("duplicate, conflicts and imports answer with the contract's error codes", async () => {
    value(await h.call<Profile>('createProfile', { profile: local() }));
    expect(await h.call('createProfile', { profile: local({ name: 'LOCAL' }) })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: 'A profile named "LOCAL" already exists' },
    });
    const copy = value(await h.call<Profile>('duplicateProfile', { id: 'local', name: 'local-2' }));
    expect(copy.name).toBe('local-2');
    expect(await h.call('parseProfileUri', { uri: 'postgresql://u@h:99999/d' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(value(await h.call<{ fields: { host: string } }>('parseProfileUri', { uri: 'postgresql://u@h/d' })).fields.host).toBe('h');
    expect(await h.call('listServiceFileEntries', { path: path.join(h.dir, 'missing.conf') })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('profile handlers (encrypted secret store)', () => {
  let h: Harness;
  afterEach(() => {
    h.store.close();
    fs.rmSync(h.dir, { recursive: true, force: true });
  });

  it('keeps only ciphertext on disk, the audit trail included', async () => {
    h = harness((store) => new EncryptedSecretStore(store.db, aesCipher(true)));
    const created = value(await h.call<Profile>('createProfile', { profile: local(), password: SECRET }));
    expect(created.hasSecret).toBe(true);
    expect(h.secrets.get(created.id)).toBe(SECRET);
    h.audit();
    const bytes = Buffer.concat(
      ['', '-wal']
        .map((s) => h.store.path + s)
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f)),
    );
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(bytes.includes(Buffer.from(created.name))).toBe(true); // control: the search does see stored text
  });

  it('an unavailable keychain refuses the profile with its password, and writes nothing', async () => {
    h = harness((store) => new EncryptedSecretStore(store.db, aesCipher(false)));
    const refused = await h.call('createProfile', { profile: local(), password: SECRET });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SECRET_STORE_UNAVAILABLE' } });
    expect(!refused.ok && refused.error.message).toContain('basic_text');
    expect(value(await h.call<Profile[]>('listProfiles', {}))).toEqual([]);
    expect(h.audit().at(-1)).toMatchObject({ action: 'profile.create', outcome: 'error' });
    // Without a password the same profile is accepted.
    expect(value(await h.call<Profile>('createProfile', { profile: local() })).hasSecret).toBe(false);
  });
});

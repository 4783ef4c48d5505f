import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { profileInputSchema, type ProfileFields, type ProfileInput } from '../../src-main/contract/models';
import { ProfileRepo } from '../../src-main/core/platform/profile-store/profile-repo';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

function fields(input: Partial<ProfileInput> = {}): ProfileFields {
  return profileInputSchema.parse({ name: 'staging', host: 'db.local', database: 'shop', user: 'ops', ...input });
}

function opsError(fn: () => unknown): OpsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OpsError);
    return err as OpsError;
  }
  throw new Error('expected an OpsError');
}

function count(store: Store, table: 'profiles' | 'secrets'): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('ProfileRepo', () => {
  let dir: string;
  let store: Store;
  let repo: ProfileRepo;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-repo-'));
    store = openStore(path.join(dir, 'ops-console.sqlite'));
    repo = new ProfileRepo(store.db);
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, reads back every field, lists by name and survives a reopen', () => {
    const created = repo.create(
      fields({
        name: 'Prod',
        env: 'production',
        port: 6000,
        sslmode: 'require',
        statementTimeoutMs: 30_000,
        notes: 'primary',
        contacts: [{ role: 'DBA', name: 'Ana', contact: 'ana@example.com', availability: '24/7' }],
        escalationLevel: 2,
      }),
    );
    expect(created).toMatchObject({
      name: 'Prod',
      host: 'db.local',
      port: 6000,
      env: 'production',
      readOnly: true,
      statementTimeoutMs: 30_000,
      escalationLevel: 2,
      hasSecret: false,
      sslRootCert: null,
    });
    expect(created.contacts).toEqual([{ role: 'DBA', name: 'Ana', contact: 'ana@example.com', availability: '24/7' }]);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBe(created.updatedAt);
    repo.create(fields({ name: 'alpha' }));
    expect(repo.list().map((p) => p.name)).toEqual(['alpha', 'Prod']);
    expect(repo.get(created.id)).toEqual(created);
    expect(repo.getByName('prod')?.id).toBe(created.id);

    store.close();
    store = openStore(path.join(dir, 'ops-console.sqlite'));
    expect(new ProfileRepo(store.db).get(created.id)).toEqual(created);
  });

  it('readOnly defaults to true for production and false otherwise; explicit values win', () => {
    expect(repo.create(fields({ name: 'p', env: 'production' })).readOnly).toBe(true);
    expect(repo.create(fields({ name: 's', env: 'staging' })).readOnly).toBe(false);
    expect(repo.create(fields({ name: 'p2', env: 'production', readOnly: false })).readOnly).toBe(false);
    expect(repo.create(fields({ name: 'd', env: 'development', readOnly: true })).readOnly).toBe(true);
  });

  it('refuses a duplicate name, case-insensitively, with CONFLICT and writes nothing', () => {
    repo.create(fields({ name: 'Prod' }));
    const err = opsError(() => repo.create(fields({ name: 'PROD', host: 'other' })));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('A profile named "PROD" already exists');
    expect(count(store, 'profiles')).toBe(1);
  });

  it("update changes fields, keeps createdAt, and refuses to take another profile's name", () => {
    const a = repo.create(fields({ name: 'a' }));
    repo.create(fields({ name: 'b' }));
    const updated = repo.update(a.id, fields({ name: 'a2', host: 'new.host', env: 'production' }));
    expect(updated).toMatchObject({ id: a.id, name: 'a2', host: 'new.host', readOnly: true, createdAt: a.createdAt });
    expect(updated.updatedAt >= a.updatedAt).toBe(true);
    expect(repo.update(a.id, fields({ name: 'A2' })).name).toBe('A2'); // own name, other case
    const err = opsError(() => repo.update(a.id, fields({ name: 'B' })));
    expect(err.code).toBe('CONFLICT');
    expect(repo.get(a.id)?.name).toBe('A2');
    expect(opsError(() => repo.update('missing', fields())).code).toBe('NOT_FOUND');
  });

  it('require finds by id or name and says clearly when neither exists', () => {
    const a = repo.create(fields({ name: 'main' }));
    expect(repo.require(a.id).id).toBe(a.id);
    expect(repo.require('MAIN').id).toBe(a.id);
    const err = opsError(() => repo.require('ghost'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('No profile named "ghost"');
  });

  it('duplicate copies every setting under a new name but not the secret', () => {
    const a = repo.create(fields({ name: 'prod', env: 'production', readOnly: false, notes: 'n' }));
    store.db.prepare(`INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES (?, 'x', x'00', 'now')`).run(a.id);
    expect(repo.get(a.id)?.hasSecret).toBe(true);
    const copy = repo.duplicate(a.id, 'prod-copy');
    expect(copy).toMatchObject({ name: 'prod-copy', env: 'production', readOnly: false, notes: 'n', hasSecret: false });
    expect(copy.id).not.toBe(a.id);
    expect(opsError(() => repo.duplicate(a.id, 'PROD')).code).toBe('CONFLICT');
    expect(opsError(() => repo.duplicate(a.id, 'bad name!')).code).toBe('INVALID_INPUT');
    expect(count(store, 'profiles')).toBe(2);
  });

  it('remove deletes the profile and its secret row', () => {
    const a = repo.create(fields({ name: 'gone' }));
    store.db.prepare(`INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES (?, 'x', x'00', 'now')`).run(a.id);
    repo.remove(a.id);
    expect(repo.get(a.id)).toBeNull();
    expect(count(store, 'secrets')).toBe(0);
    expect(opsError(() => repo.remove(a.id)).code).toBe('NOT_FOUND');
  });

  describe('sslRootCert', () => {
    it('stores the absolute path of a readable CA file', () => {
      const ca = path.join(dir, 'ca.pem');
      fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
      const p = repo.create(fields({ sslmode: 'verify-full', sslRootCert: ca }));
      expect(p.sslRootCert).toBe(ca);
    });

    it('refuses a missing file naming the field and the path, and writes nothing', () => {
      const missing = path.join(dir, 'nope.pem');
      const err = opsError(() => repo.create(fields({ sslmode: 'verify-ca', sslRootCert: missing })));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain('sslRootCert');
      expect(err.message).toContain(missing);
      expect(err.detail).toEqual({ fields: [{ field: 'sslRootCert', message: expect.stringContaining('does not exist') as unknown }] });
      expect(count(store, 'profiles')).toBe(0);
    });

    it('refuses a directory', () => {
      expect(opsError(() => repo.create(fields({ sslRootCert: dir }))).message).toContain('not a regular file');
    });

    it('verify-ca and verify-full need a CA file', () => {
      for (const sslmode of ['verify-ca', 'verify-full'] as const) {
        const err = opsError(() => repo.create(fields({ name: `v-${sslmode}`, sslmode })));
        expect(err.code).toBe('INVALID_INPUT');
        expect(err.message).toContain('CA certificate');
      }
      expect(count(store, 'profiles')).toBe(0);
    });

    it('a failed update leaves the old row as it was', () => {
      const a = repo.create(fields({ name: 'keep', host: 'old' }));
      expect(opsError(() => repo.update(a.id, fields({ name: 'keep', host: 'new', sslmode: 'verify-full' }))).code).toBe('INVALID_INPUT');
      expect(repo.get(a.id)).toEqual(a);
    });
  });

  describe('tags (issue #22)', () => {
    it('are lowercased, deduplicated in order, kept by an update that omits them, replaced by one that gives them', () => {
      const a = repo.create(fields({ name: 'shop-eu', tags: ['Prod', 'eu', 'prod', ' shop '] }));
      expect(a.tags).toEqual(['prod', 'eu', 'shop']);
      expect(repo.create(fields({ name: 'untagged' })).tags).toEqual([]);
      const { tags: _omitted, ...rest } = fields({ name: 'shop-eu', host: 'moved' });
      expect(repo.update(a.id, rest).tags).toEqual(['prod', 'eu', 'shop']);
      expect(repo.update(a.id, fields({ name: 'shop-eu', tags: ['staging'] })).tags).toEqual(['staging']);
      expect(repo.update(a.id, fields({ name: 'shop-eu', tags: [] })).tags).toEqual([]);
    });

    it('refuses a bad tag or too many with INVALID_INPUT naming the field, and writes nothing', () => {
      for (const bad of [['-prod'], ['has space'], ['a'.repeat(33)], [''], ['prod;drop'], ['é']]) {
        const err = opsError(() => repo.create({ ...fields({ name: 'bad' }), tags: bad }));
        expect(err.code, bad[0]).toBe('INVALID_INPUT');
        expect(err.message).toMatch(/^tags\.0: a tag is 1-32 characters/);
      }
      const many = Array.from({ length: 17 }, (_, i) => `t${i}`);
      expect(opsError(() => repo.create({ ...fields({ name: 'bad' }), tags: many })).message).toContain('at most 16 tags');
      // 17 given but 16 distinct is fine: the limit counts tags, not keystrokes.
      expect(repo.create(fields({ name: 'ok', tags: [...many.slice(0, 16), 't0'] })).tags).toHaveLength(16);
      expect(count(store, 'profiles')).toBe(1);
    });
  });

  it('validates input from callers that bypass the dispatcher', () => {
    const err = opsError(() => repo.create({ ...fields(), port: 70000 }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('port');
  });
});

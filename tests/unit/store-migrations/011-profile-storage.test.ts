// Migration 11 on a version-10 store: profiles.storage_json, and the secrets table rebuilt
// so a profile may keep its storage (S3) secret access key, every existing secret kept.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, count, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 11: profile storage connection', () => {
  it("from version 10, adds profiles.storage_json and the secret kind 'storage', keeping every secret", () => {
    const v10 = h.openAt(10);
    v10.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v10.db.prepare(PROFILE_SQL).run('p2', 'two', 5432, 'production');
    const old = v10.db.prepare("INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, 'test', x'0102', 'then')");
    old.run('p1', 'db');
    old.run('p1', 'ssh');
    old.run('p2', 'jump');
    expect(() => old.run('p2', 'storage')).toThrow(/CHECK/); // why the migration exists
    const before = schemaObjects(v10);
    const profileColumns = columns(v10, 'profiles');
    v10.close();

    const store = h.openAt(11);
    expect(store.schemaVersion).toBe(11);
    // secrets is rebuilt under the same name; nothing is left behind (secrets_v11).
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(columns(store, 'profiles')).toEqual([...profileColumns, 'storage_json']);
    expect(columns(store, 'secrets')).toEqual(['profile_id', 'kind', 'backend', 'ciphertext', 'updated_at']);
    expect(store.db.prepare('SELECT profile_id, kind, backend, hex(ciphertext) AS c, updated_at FROM secrets ORDER BY profile_id, kind').all()).toEqual([
      { profile_id: 'p1', kind: 'db', backend: 'test', c: '0102', updated_at: 'then' },
      { profile_id: 'p1', kind: 'ssh', backend: 'test', c: '0102', updated_at: 'then' },
      { profile_id: 'p2', kind: 'jump', backend: 'test', c: '0102', updated_at: 'then' },
    ]);
    expect(store.db.prepare('SELECT id, storage_json FROM profiles ORDER BY id').all()).toEqual([
      { id: 'p1', storage_json: null },
      { id: 'p2', storage_json: null },
    ]);

    const secret = store.db.prepare("INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, 'test', x'00', 'now')");
    secret.run('p2', 'storage');
    expect(() => secret.run('p2', 'storage')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => secret.run('p1', 'tls')).toThrow(/CHECK/);
    expect(() => secret.run('nope', 'storage')).toThrow(/FOREIGN KEY/);
    store.db.prepare("DELETE FROM profiles WHERE id = 'p2'").run();
    expect(store.db.prepare('SELECT profile_id, kind FROM secrets ORDER BY kind').all()).toEqual([
      { profile_id: 'p1', kind: 'db' },
      { profile_id: 'p1', kind: 'ssh' },
    ]); // cascade still there
    expect(count(store, 'profiles')).toBe(1);
  });
});

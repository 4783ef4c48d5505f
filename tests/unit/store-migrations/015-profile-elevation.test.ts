// Migration 15 on a version-14 store: profiles.break_glass_user, and the secrets table
// rebuilt so a profile may keep its break-glass role's password, every existing secret kept.
// No elevations table: an elevation lives in memory and ends with the process.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, count, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 15: profile elevation', () => {
  it("from version 14, adds profiles.break_glass_user and the secret kind 'breakglass', keeping every secret", () => {
    const v14 = h.openAt(14);
    v14.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v14.db.prepare(PROFILE_SQL).run('p2', 'two', 5432, 'production');
    const old = v14.db.prepare("INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, 'test', x'0102', 'then')");
    old.run('p1', 'db');
    old.run('p1', 'storage');
    old.run('p2', 'jump');
    expect(() => old.run('p2', 'breakglass')).toThrow(/CHECK/); // why the migration exists
    const before = schemaObjects(v14);
    const profileColumns = columns(v14, 'profiles');
    v14.close();

    const store = h.openAt(15);
    expect(store.schemaVersion).toBe(15);
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(columns(store, 'profiles')).toEqual([...profileColumns, 'break_glass_user']);
    expect(columns(store, 'secrets')).toEqual(['profile_id', 'kind', 'backend', 'ciphertext', 'updated_at']);
    expect(store.db.prepare('SELECT profile_id, kind, backend, hex(ciphertext) AS c, updated_at FROM secrets ORDER BY profile_id, kind').all()).toEqual([
      { profile_id: 'p1', kind: 'db', backend: 'test', c: '0102', updated_at: 'then' },
      { profile_id: 'p1', kind: 'storage', backend: 'test', c: '0102', updated_at: 'then' },
      { profile_id: 'p2', kind: 'jump', backend: 'test', c: '0102', updated_at: 'then' },
    ]);
    expect(store.db.prepare('SELECT id, break_glass_user FROM profiles ORDER BY id').all()).toEqual([
      { id: 'p1', break_glass_user: null },
      { id: 'p2', break_glass_user: null },
    ]);

    const secret = store.db.prepare("INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, 'test', x'00', 'now')");
    secret.run('p2', 'breakglass');
    expect(() => secret.run('p2', 'breakglass')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => secret.run('p1', 'tls')).toThrow(/CHECK/);
    expect(() => secret.run('nope', 'breakglass')).toThrow(/FOREIGN KEY/);
    store.db.prepare("DELETE FROM profiles WHERE id = 'p2'").run();
    expect(store.db.prepare('SELECT profile_id, kind FROM secrets ORDER BY kind').all()).toEqual([
      { profile_id: 'p1', kind: 'db' },
      { profile_id: 'p1', kind: 'storage' },
    ]); // cascade still there
    expect(count(store, 'profiles')).toBe(1);
    expect(schemaObjects(store).some((o) => /elevation/.test(o))).toBe(false);
  });
});

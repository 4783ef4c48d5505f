// Migration 3 on a version-2 store: profiles.ssh_json, and secrets keyed by (profile, kind)
// with the existing passwords carried over as kind 'db'.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, count, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 3: SSH tunnel settings and secrets per kind', () => {
  it('from version 2, adds profiles.ssh_json and keys secrets by (profile, kind), keeping passwords as db', () => {
    const v2 = h.openAt(2);
    v2.db.prepare(PROFILE_SQL).run('p1', 'with-password', 5432, 'staging');
    v2.db.prepare(PROFILE_SQL).run('p2', 'without', 5432, 'staging');
    v2.db.prepare("INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES ('p1', 'test', x'0102', 'then')").run();
    const before = schemaObjects(v2);
    v2.close();

    const store = h.openAt(3);
    expect(store.schemaVersion).toBe(3);
    // secrets is rebuilt under the same name; no object is left behind (secrets_v3).
    expect(schemaChange(before, schemaObjects(store))).toEqual({ added: [], removed: [] });
    expect(columns(store, 'profiles')).toContain('ssh_json');
    expect(columns(store, 'secrets')).toEqual(['profile_id', 'kind', 'backend', 'ciphertext', 'updated_at']);
    expect(store.db.prepare('SELECT profile_id, kind, backend, hex(ciphertext) AS c, updated_at FROM secrets').all()).toEqual([
      { profile_id: 'p1', kind: 'db', backend: 'test', c: '0102', updated_at: 'then' },
    ]);
    expect(store.db.prepare('SELECT id, ssh_json FROM profiles ORDER BY id').all()).toEqual([
      { id: 'p1', ssh_json: null },
      { id: 'p2', ssh_json: null },
    ]);
    const secret = store.db.prepare("INSERT INTO secrets (profile_id, kind, backend, ciphertext, updated_at) VALUES (?, ?, 'test', x'00', 'now')");
    secret.run('p1', 'ssh');
    secret.run('p1', 'jump');
    expect(() => secret.run('p1', 'ssh')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => secret.run('p1', 'tls')).toThrow(/CHECK/);
    expect(() => secret.run('nope', 'db')).toThrow(/FOREIGN KEY/);
    store.db.prepare("UPDATE profiles SET ssh_json = '{}' WHERE id = 'p2'").run();
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(count(store, 'secrets')).toBe(0); // cascade, every kind
  });
});

// Migration 1 on an empty file: profiles, secrets and settings, with their constraints.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, count, schemaObjects, tables, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 1: profiles, secrets and settings', () => {
  it('creates exactly the three tables, with their constraints', () => {
    const store = h.openAt(1);
    expect(store.schemaVersion).toBe(1);
    expect(schemaObjects(store)).toEqual(['table profiles', 'table secrets', 'table settings']);
    expect(tables(store)).not.toContain('audit_chain');
    expect(columns(store, 'secrets')).toEqual(['profile_id', 'backend', 'ciphertext', 'updated_at']);
    const insert = store.db.prepare(PROFILE_SQL);
    insert.run('p1', 'Prod', 5432, 'production');
    expect(() => insert.run('p2', 'PROD', 5432, 'production')).toThrow(/UNIQUE/); // names are case-insensitive
    expect(() => insert.run('p3', 'x', 70000, 'production')).toThrow(/CHECK/);
    expect(() => insert.run('p4', 'y', 5432, 'moon')).toThrow(/CHECK/);
    expect(store.db.prepare("SELECT notes, contacts_json, escalation_level FROM profiles WHERE id = 'p1'").get()).toEqual({
      notes: '',
      contacts_json: '[]',
      escalation_level: null,
    });
    store.db.prepare("INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES ('p1', 'test', x'00', 'now')").run();
    expect(() => store.db.prepare("INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES ('nope', 'test', x'00', 'now')").run()).toThrow(
      /FOREIGN KEY/,
    );
    store.db.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
    expect(() => store.db.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'light')").run()).toThrow(/UNIQUE|PRIMARY/);
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(count(store, 'secrets')).toBe(0); // cascade
  });
});

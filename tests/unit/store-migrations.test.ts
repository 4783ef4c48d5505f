// One test per migration: bring a store from version N-1 to N and check that what N adds
// works, constraints included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS } from '../../src-main/core/platform/store/migrations';
import { openStore, type Store } from '../../src-main/core/platform/store/store';

let dir: string;
let file: string;
const opened: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-migrate-'));
  file = path.join(dir, 'store.sqlite');
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openAt(version: number): Store {
  const store = openStore(file, { migrations: MIGRATIONS.slice(0, version) });
  opened.push(store);
  return store;
}

function tables(store: Store): string[] {
  return (store.db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table','trigger') ORDER BY name").all() as Array<{ name: string }>).map(
    (r) => r.name,
  );
}

const PROFILE_SQL = `INSERT INTO profiles (id, name, host, port, database, user, sslmode, env, read_only, created_at, updated_at)
  VALUES (?, ?, 'h', ?, 'd', 'u', 'prefer', ?, 0, 'now', 'now')`;

describe('migrations', () => {
  it('are numbered 1..N in order, the last being LATEST_VERSION', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('1: profiles, secrets and settings, with their constraints', () => {
    const store = openAt(1);
    expect(store.schemaVersion).toBe(1);
    expect(tables(store)).toEqual(expect.arrayContaining(['profiles', 'secrets', 'settings']));
    expect(tables(store)).not.toContain('audit_chain');
    const insert = store.db.prepare(PROFILE_SQL);
    insert.run('p1', 'Prod', 5432, 'production');
    expect(() => insert.run('p2', 'PROD', 5432, 'production')).toThrow(/UNIQUE/); // names are case-insensitive
    expect(() => insert.run('p3', 'x', 70000, 'production')).toThrow(/CHECK/);
    expect(() => insert.run('p4', 'y', 5432, 'moon')).toThrow(/CHECK/);
    store.db.prepare("INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES ('p1', 'test', x'00', 'now')").run();
    expect(() => store.db.prepare("INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES ('nope', 'test', x'00', 'now')").run()).toThrow(
      /FOREIGN KEY/,
    );
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(store.db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 }); // cascade
  });

  it('2: from version 1, adds the audit chain, entries, full-text index and head, append-only', () => {
    const v1 = openAt(1);
    v1.db.prepare(PROFILE_SQL).run('p1', 'keep-me', 5432, 'staging');
    v1.close();

    const store = openAt(2);
    expect(store.schemaVersion).toBe(2);
    expect(store.db.prepare('SELECT name FROM profiles').all()).toEqual([{ name: 'keep-me' }]);
    expect(tables(store)).toEqual(expect.arrayContaining(['audit_chain', 'audit_entries', 'audit_fts', 'audit_head']));
    expect(store.db.prepare('SELECT seq, entries, fts_seq, length(hash) AS len FROM audit_head').all()).toEqual([{ seq: 0, entries: 0, fts_seq: 0, len: 64 }]);
    expect(() => store.db.prepare("INSERT INTO audit_head (id, seq, hash, entries, last_at, fts_seq) VALUES (2, 0, '', 0, '', 0)").run()).toThrow(
      /CHECK|UNIQUE/,
    );

    const hash = 'a'.repeat(64);
    const chain = store.db.prepare('INSERT INTO audit_chain (seq, kind, entry_id, at, actor, action, prev_hash, hash) VALUES (?, ?, 1, ?, ?, ?, ?, ?)');
    chain.run(1, 'begin', '2024-01-01T00:00:00.000Z', 'me', 'x.y', hash, hash);
    expect(() => chain.run(2, 'middle', 'now', 'me', 'x', hash, hash)).toThrow(/CHECK/);
    expect(() => chain.run(3, 'begin', 'now', 'me', 'x', 'short', hash)).toThrow(/CHECK/);
    expect(() => store.db.prepare("UPDATE audit_chain SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_chain').run()).toThrow(/append-only/);

    const entry = store.db.prepare(
      "INSERT INTO audit_entries (id, at, actor, action, outcome, summary, begin_seq) VALUES (?, '2024-01-01T00:00:00.000Z', 'me', 'x.y', ?, 's', 1)",
    );
    entry.run(1, 'pending');
    expect(() => entry.run(2, 'maybe')).toThrow(/CHECK/);
    store.db.prepare("UPDATE audit_entries SET outcome = 'ok' WHERE id = 1").run(); // completing a pending entry
    expect(() => store.db.prepare("UPDATE audit_entries SET summary = 'rewritten' WHERE id = 1").run()).toThrow(/cannot change/);
    expect(() => store.db.prepare('DELETE FROM audit_entries').run()).toThrow(/cannot be deleted/);

    store.db
      .prepare("INSERT INTO audit_fts (rowid, summary, detail, action, profile, error, outcome) VALUES (1, 's', 'VACUUM orders', 'x.y', NULL, NULL, 'ok')")
      .run();
    expect(store.db.prepare("SELECT rowid FROM audit_fts WHERE audit_fts MATCH 'orders'").all()).toEqual([{ rowid: 1 }]);
  });

  it('3: from version 2, adds profiles.ssh_json and keys secrets by (profile, kind), keeping passwords as db', () => {
    const v2 = openAt(2);
    v2.db.prepare(PROFILE_SQL).run('p1', 'with-password', 5432, 'staging');
    v2.db.prepare(PROFILE_SQL).run('p2', 'without', 5432, 'staging');
    v2.db.prepare("INSERT INTO secrets (profile_id, backend, ciphertext, updated_at) VALUES ('p1', 'test', x'0102', 'then')").run();
    v2.close();

    const store = openAt(3);
    expect(store.schemaVersion).toBe(3);
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
    expect(store.db.prepare('SELECT count(*) AS n FROM secrets').get()).toEqual({ n: 0 }); // cascade, every kind
  });

  it('4: from version 3, adds editor tabs (cascading with the profile), query history and snippets', () => {
    const v3 = openAt(3);
    v3.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v3.close();

    const store = openAt(4);
    expect(store.schemaVersion).toBe(4);
    const tab = store.db.prepare('INSERT INTO editor_tabs (profile_id, position, id, title, sql, active) VALUES (?, ?, ?, ?, ?, ?)');
    tab.run('p1', 0, 't1', 'Query 1', 'SELECT 1', 1);
    expect(() => tab.run('p1', 1, 't1', 'again', '', 0)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => tab.run('p1', 1, 't2', 'bad', '', 2)).toThrow(/CHECK/);
    expect(() => tab.run('nope', 0, 't3', 'orphan', '', 0)).toThrow(/FOREIGN KEY/);

    const history = store.db.prepare(
      'INSERT INTO query_history (profile_id, profile_name, sql, started_at, duration_ms, rows, outcome, error, audit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    history.run('p1', 'one', 'SELECT 1', 'now', 3, 1, 'ok', null, 7);
    expect(() => history.run('p1', 'one', 'SELECT 1', 'now', 3, 1, 'maybe', null, null)).toThrow(/CHECK/);
    store.db.prepare("INSERT INTO snippets (id, title, sql, created_at, updated_at) VALUES ('s1', 'Mine', 'SELECT 2', 'now', 'now')").run();
    expect(store.db.prepare('SELECT description FROM snippets').get()).toEqual({ description: '' });

    // Tabs go with their profile; history stays (it names the profile it ran on).
    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(store.db.prepare('SELECT count(*) AS n FROM editor_tabs').get()).toEqual({ n: 0 });
    expect(store.db.prepare('SELECT count(*) AS n FROM query_history').get()).toEqual({ n: 1 });
  });

  it('5: from version 4, adds signed-off checklist runs that outlive their profile', () => {
    const v4 = openAt(4);
    v4.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v4.close();

    const store = openAt(5);
    expect(store.schemaVersion).toBe(5);
    expect(store.db.prepare('SELECT name FROM profiles').all()).toEqual([{ name: 'one' }]);
    const insert = store.db.prepare(
      `INSERT INTO checklist_runs (id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json)
       VALUES (?, 'p1', 'one', 'morning', 'Morning', ?, 'me', 'then', 'now', ?, '[]')`,
    );
    insert.run('r1', 'warning', '{"steps":[]}');
    expect(store.db.prepare("SELECT note FROM checklist_runs WHERE id = 'r1'").get()).toEqual({ note: '' });
    expect(() => insert.run('r1', 'ok', '{}')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insert.run('r2', 'fine', '{}')).toThrow(/CHECK/);
    expect(() => insert.run('r3', 'ok', '{not json')).toThrow(/CHECK/);

    store.db.prepare("DELETE FROM profiles WHERE id = 'p1'").run();
    expect(store.db.prepare('SELECT count(*) AS n FROM checklist_runs').get()).toEqual({ n: 1 });
  });
});

// Migration 6 on a version-5 store: a profile's own alert thresholds and imported runbooks.
import { describe, expect, it } from 'vitest';
import { PROFILE_SQL, columns, indexOn, schemaChange, schemaObjects, useStoreFile } from './helpers';

const h = useStoreFile();

describe('migration 6: threshold overrides and saved runbooks', () => {
  it('from version 5, adds threshold overrides keyed by (profile, key) and runbooks with a JSON outline', () => {
    const v5 = h.openAt(5);
    v5.db.prepare(PROFILE_SQL).run('p1', 'one', 5432, 'staging');
    v5.db
      .prepare(
        `INSERT INTO checklist_runs (id, profile_id, profile_name, checklist_id, title, status, actor, started_at, signed_at, result_json, decisions_json, note)
         VALUES ('r1', 'p1', 'one', 'morning', 'Morning', 'ok', 'me', 'then', 'now', '{}', '[]', 'fine')`,
      )
      .run();
    const before = schemaObjects(v5);
    v5.close();

    const store = h.openAt(6);
    expect(store.schemaVersion).toBe(6);
    expect(schemaChange(before, schemaObjects(store))).toEqual({
      added: ['index runbooks_imported', 'table runbooks', 'table threshold_overrides'],
      removed: [],
    });
    expect(store.db.prepare('SELECT id, status, note FROM checklist_runs').all()).toEqual([{ id: 'r1', status: 'ok', note: 'fine' }]);

    expect(columns(store, 'threshold_overrides')).toEqual(['profile_id', 'key', 'warn', 'critical', 'updated_at']);
    const override = store.db.prepare('INSERT INTO threshold_overrides (profile_id, key, warn, critical, updated_at) VALUES (?, ?, ?, ?, ?)');
    override.run('p1', 'cacheHitRatio', 0.95, null, 'now'); // a warning-only threshold
    override.run('p1', 'connections', 80, 95, 'now');
    expect(() => override.run('p1', 'connections', 70, 90, 'later')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => override.run('p1', 'bloat', null, 90, 'now')).toThrow(/NOT NULL/);
    expect(store.db.prepare("SELECT warn, critical FROM threshold_overrides WHERE key = 'connections'").get()).toEqual({ warn: 80, critical: 95 });

    expect(indexOn(store, 'runbooks_imported')).toEqual({ table: 'runbooks', columns: ['imported_at'] });
    const runbook = store.db.prepare('INSERT INTO runbooks (id, title, source, imported_at, outline_json) VALUES (?, ?, ?, ?, ?)');
    runbook.run('rb1', 'Failover', null, 'now', '{"sections":[]}');
    expect(() => runbook.run('rb2', 'Broken', 'x.md', 'now', '{not json')).toThrow(/CHECK/);
    expect(() => runbook.run('rb1', 'Again', null, 'now', '{}')).toThrow(/UNIQUE|PRIMARY/);
  });
});

// The snippet library: the runbook's built-ins (checked with the real parser) and the
// user's own snippets through the dispatcher, audited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snippet } from '../../src-main/contract/models';
import { createCore, type Core } from '../../src-main/core/app';
import { planScript } from '../../src-main/core/platform/guard/statements/classify';
import { BUILTIN_SECTIONS, BUILTIN_SNIPPETS, WRITES_PREFIX, builtinSnippets } from '../../src-main/core/query/snippets-builtin';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';

const ctx = { actor: 'tester', via: 'test' as const };
let home: string;
let core: Core;

async function call<T>(name: string, input: unknown) {
  return (await core.dispatch(name, input, ctx)) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
}

async function ok<T>(name: string, input: unknown): Promise<T> {
  const env = await call<T>(name, input);
  if (!env.ok) throw new Error(`${name}: ${env.error.code} ${env.error.message}`);
  return env.value;
}

async function snippets(): Promise<Snippet[]> {
  return (await ok<{ snippets: Snippet[] }>('listSnippets', {})).snippets;
}

function lastAudit(action: string) {
  return core.deps.store.db.prepare('SELECT outcome, summary, detail, error FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1').get(action) as
    { outcome: string; summary: string; detail: string | null; error: string | null } | undefined;
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-snippets-'));
  core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
});
afterEach(async () => {
  await core.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('built-in runbook snippets', () => {
  it('cover every runbook section with unique builtin: ids, in section order', () => {
    const list = builtinSnippets();
    expect(new Set(list.map((s) => s.id)).size).toBe(list.length);
    for (const s of list) {
      expect(s.id).toMatch(/^builtin:[a-z0-9-]+$/);
      expect(s.builtin).toBe(true);
      expect(s.title.length).toBeGreaterThan(3);
      expect(s.description.length).toBeGreaterThan(20);
    }
    const sections = [...new Set(list.map((s) => s.section))];
    expect(sections).toEqual([...BUILTIN_SECTIONS]);
    // Grouped: each section's snippets are contiguous.
    const order = list.map((s) => BUILTIN_SECTIONS.indexOf(s.section as (typeof BUILTIN_SECTIONS)[number]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('every one parses with the real PostgreSQL parser; read checks are judged reads', async () => {
    for (const s of BUILTIN_SNIPPETS) {
      const plans = await planScript(s.sql).catch((err: Error) => {
        throw new Error(`${s.slug}: ${err.message}`);
      });
      expect(plans.length, s.slug).toBeGreaterThan(0);
      if (!s.writes) {
        for (const p of plans) expect(`${s.slug}: ${p.kind}`).toBe(`${s.slug}: read`);
        expect(
          plans.every((p) => p.returnsRows),
          s.slug,
        ).toBe(true);
      }
    }
  });

  it('say so first when they change anything, and only then', () => {
    for (const s of BUILTIN_SNIPPETS) expect(`${s.slug}: ${s.description.startsWith(WRITES_PREFIX)}`).toBe(`${s.slug}: ${s.writes}`);
    // The runbook's write procedures are all there.
    const writes = BUILTIN_SNIPPETS.filter((s) => s.writes).map((s) => s.sql);
    expect(writes.some((sql) => /pg_terminate_backend/.test(sql))).toBe(true);
    expect(writes.some((sql) => /^UPDATE inventory/.test(sql))).toBe(true);
    expect(writes.some((sql) => /^VACUUM/.test(sql))).toBe(true);
  });

  it('use current pg_stat_statements column names', () => {
    for (const s of BUILTIN_SNIPPETS.filter((b) => b.sql.includes('pg_stat_statements'))) {
      expect(s.sql, s.slug).not.toMatch(/\b(total_time|mean_time)\b/);
      expect(s.sql, s.slug).toMatch(/_exec_time/);
    }
  });
});

describe('user snippets', () => {
  it('lists built-ins first, then the user snippets sorted by title under "My snippets"', async () => {
    await ok('saveSnippet', { title: 'zebra', sql: 'SELECT 3' });
    await ok('saveSnippet', { title: 'Apple', sql: 'SELECT 1', description: 'first' });
    await ok('saveSnippet', { title: 'mango', sql: 'SELECT 2' });
    const list = await snippets();
    const builtinCount = builtinSnippets().length;
    expect(list.slice(0, builtinCount).every((s) => s.builtin)).toBe(true);
    const mine = list.slice(builtinCount);
    expect(mine.map((s) => s.title)).toEqual(['Apple', 'mango', 'zebra']);
    expect(mine.every((s) => s.section === 'My snippets' && !s.builtin)).toBe(true);
    expect(mine[0]).toMatchObject({ sql: 'SELECT 1', description: 'first' });
  });

  it('creates with a uuid, updates by id, and audits both', async () => {
    const created = await ok<Snippet>('saveSnippet', { title: '  Stock check ', sql: 'SELECT count(*) FROM inventory' });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created).toMatchObject({ title: 'Stock check', section: 'My snippets', builtin: false, description: '' });
    expect(lastAudit('snippet.save')).toMatchObject({ outcome: 'ok', summary: 'saved snippet "Stock check"', detail: 'SELECT count(*) FROM inventory' });

    const updated = await ok<Snippet>('saveSnippet', { id: created.id, title: 'Stock check v2', sql: 'SELECT 42', description: 'better' });
    expect(updated).toMatchObject({ id: created.id, title: 'Stock check v2', sql: 'SELECT 42', description: 'better' });
    const mine = (await snippets()).filter((s) => !s.builtin);
    expect(mine).toEqual([updated]);
    expect(lastAudit('snippet.save')?.summary).toBe('updated snippet "Stock check v2"');
  });

  it('refuses to change or delete a built-in, and answers NOT_FOUND for unknown ids', async () => {
    const builtin = builtinSnippets()[0]!;
    const change = await call('saveSnippet', { id: builtin.id, title: 'mine now', sql: 'SELECT 1' });
    expect(change).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'built-in snippets cannot be changed; save a copy' } });
    const remove = await call('deleteSnippet', { id: builtin.id });
    expect(remove).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await snippets()).find((s) => s.id === builtin.id)).toEqual(builtin);

    expect(await call('saveSnippet', { id: 'no-such-id', title: 't', sql: 'SELECT 1' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('deleteSnippet', { id: 'no-such-id' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('saveSnippet', { title: '   ', sql: 'SELECT 1' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await snippets()).some((s) => !s.builtin)).toBe(false);
    expect(lastAudit('snippet.delete')).toMatchObject({ outcome: 'error' });
  });

  it('deletes a user snippet (audited with what it held)', async () => {
    const created = await ok<Snippet>('saveSnippet', { title: 'temp', sql: 'SELECT now()' });
    expect(await ok('deleteSnippet', { id: created.id })).toEqual({ removed: true });
    expect((await snippets()).some((s) => s.id === created.id)).toBe(false);
    expect(lastAudit('snippet.delete')).toMatchObject({ outcome: 'ok', summary: 'deleted snippet "temp"', detail: 'SELECT now()' });
    expect(await call('deleteSnippet', { id: created.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

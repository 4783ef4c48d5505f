// Snippets and export against the run's real PostgreSQL, on a database seeded exactly like
// the sandbox (the demo schema, owned by an unprivileged role with pg_monitor and
// pg_signal_backend): every built-in snippet runs, and exports stream whole results to
// files that are either complete or absent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApiError, Envelope } from '../../src-main/contract/errors';
import type { Profile, ProfileInput, QueryExportResult, QueryRunResult } from '../../src-main/contract/models';
import { createCore, type Core } from '../../src-main/core/app';
import { BUILTIN_SNIPPETS } from '../../src-main/core/query/snippets-builtin';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';
import { waitFor } from '../helpers/sshd';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
let shopDb: ShopDatabase;
let role: string;
let rolePassword: string;
const ids: Record<string, string> = {};

async function call<T>(target: Core, name: string, input: unknown): Promise<Envelope<T>> {
  return (await target.dispatch(name, input, { actor: 'tester', via: 'test' })) as Envelope<T>;
}

async function ok<T>(name: string, input: unknown): Promise<T> {
  const env = await call<T>(core, name, input);
  if (!env.ok) throw new Error(`${name} failed: ${env.error.code} ${env.error.message}`);
  return env.value;
}

async function fail(name: string, input: unknown, target: Core = core): Promise<ApiError> {
  const env = await call(target, name, input);
  if (env.ok) throw new Error(`${name} unexpectedly succeeded`);
  return env.error;
}

function exportsDir(): string {
  return path.join(home, 'exports');
}

function exportFiles(): string[] {
  return fs.existsSync(exportsDir()) ? fs.readdirSync(exportsDir()).sort() : [];
}

function exportAs(profile: string, sql: string, format: 'csv' | 'json'): Promise<QueryExportResult> {
  return ok<QueryExportResult>('exportQuery', { profileId: ids[profile], sql, format });
}

function lastAudit(action: string) {
  return core.deps.store.db
    .prepare('SELECT outcome, profile, summary, detail, rows_affected AS rowsAffected, error FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1')
    .get(action) as {
    outcome: string;
    profile: string;
    summary: string;
    detail: string;
    rowsAffected: number | null;
    error: string | null;
  };
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-library-'));
  shopDb = await createShopDatabase(pg, 'query_library', async (c) => {
    await c.query('CREATE TABLE export_probe (n int)');
    await c.query(`CREATE FUNCTION export_bump() RETURNS int LANGUAGE sql AS 'INSERT INTO export_probe VALUES (1) RETURNING n'`);
  });
  ({ database, role, password: rolePassword } = shopDb);
  core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, database, user: role, sslmode: 'disable' };
  const make = async (name: string, extra: Partial<ProfileInput>) => {
    const p = await ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, password: rolePassword });
    ids[name] = p.id;
  };
  await make('shop', { env: 'development', readOnly: false });
  await make('shop-ro', { env: 'staging', readOnly: true });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('built-in snippets against the demo schema', () => {
  it('every read-only snippet runs without error (as the sandbox role)', async () => {
    for (const snippet of BUILTIN_SNIPPETS.filter((s) => !s.writes)) {
      const res = await ok<QueryRunResult>('runQuery', { profileId: ids.shop, sql: snippet.sql });
      const failed = res.statements.find((s) => s.error);
      expect(failed?.error ? `${snippet.slug}: ${failed.error.message}` : snippet.slug).toBe(snippet.slug);
      expect(res.statements[0]!.columns.length, snippet.slug).toBeGreaterThan(0);
    }
  });

  it('the writing and maintenance snippets run too (outside a transaction, as the owner)', async () => {
    for (const snippet of BUILTIN_SNIPPETS.filter((s) => s.writes)) {
      const res = await ok<QueryRunResult>('runQuery', { profileId: ids.shop, sql: snippet.sql });
      const failed = res.statements.find((s) => s.error);
      expect(failed?.error ? `${snippet.slug}: ${failed.error.message}` : snippet.slug).toBe(snippet.slug);
    }
  });
});

describe('exportQuery', () => {
  const wide = `SELECT g AS n, (g * 1000000000000)::int8 AS big, round(g / 7.0, 10) AS ratio,
      'row "' || g || '", ok' AS label, CASE WHEN g % 10 = 0 THEN NULL ELSE g % 3 = 0 END AS flag
    FROM generate_series(1, 100000) g ORDER BY g`;

  it('streams 100,000 rows to CSV as COPY writes it: exact header and lines, bytes = file size, audited', async () => {
    const res = await exportAs('shop', wide, 'csv');
    expect(res.rows).toBe(100_000);
    expect(res.format).toBe('csv');
    expect(path.dirname(res.path)).toBe(exportsDir());
    expect(path.basename(res.path)).toMatch(/^shop_\d{8}-\d{6}(-\d+)?\.csv$/);
    expect(fs.statSync(res.path).size).toBe(res.bytes);
    const lines = fs.readFileSync(res.path, 'utf8').split('\n');
    expect(lines.length).toBe(100_002); // header, rows, and the empty string after the last LF
    expect(lines[0]).toBe('n,big,ratio,label,flag');
    expect(lines[1]).toBe('1,1000000000000,0.1428571429,"row ""1"", ok",f');
    expect(lines[3]).toBe('3,3000000000000,0.4285714286,"row ""3"", ok",t');
    expect(lines[10]).toBe('10,10000000000000,1.4285714286,"row ""10"", ok",');
    expect(lines[100_000]).toBe('100000,100000000000000000,14285.7142857143,"row ""100000"", ok",');
    expect(lines[100_001]).toBe('');
    expect(exportFiles().some((f) => f.endsWith('.partial'))).toBe(false);

    const audit = lastAudit('query.export');
    expect(audit).toMatchObject({ outcome: 'ok', profile: 'shop', detail: wide, rowsAffected: null, summary: `exported 100000 rows to ${res.path}` });
  });

  it('writes JSON: one object per line, int8/numeric as exact strings, bytea hex, nested json', async () => {
    const sql = `SELECT g AS id, 9007199254740993::int8 AS big, 1.10::numeric AS price, '\\xdeadbeef'::bytea AS raw,
        '{"a": 12345678901234567890}'::jsonb AS doc, NULL::text AS nothing, 'line
break' AS note
      FROM generate_series(1, 2500) g`;
    const res = await exportAs('shop', sql, 'json');
    const text = fs.readFileSync(res.path, 'utf8');
    expect(Buffer.byteLength(text)).toBe(res.bytes);
    const lines = text.split('\n');
    expect(lines[0]).toBe('[');
    expect(lines.length).toBe(2500 + 3); // [, rows, ], trailing newline
    expect(lines[1]).toBe(
      '{"id":1,"big":"9007199254740993","price":"1.10","raw":"\\\\xdeadbeef","doc":{"a": 12345678901234567890},"nothing":null,"note":"line\\nbreak"},',
    );
    const parsed = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(parsed.length).toBe(2500);
    expect(parsed[2499]).toMatchObject({ id: 2500, big: '9007199254740993', price: '1.10', raw: '\\xdeadbeef', nothing: null, note: 'line\nbreak' });
  });

  it('an empty result still gives a valid file', async () => {
    const csv = await exportAs('shop', 'SELECT id, sku FROM inventory WHERE false', 'csv');
    expect(fs.readFileSync(csv.path, 'utf8')).toBe('id,sku\n');
    const json = await exportAs('shop', 'SELECT id, sku FROM inventory WHERE false', 'json');
    expect(JSON.parse(fs.readFileSync(json.path, 'utf8'))).toEqual([]);
    expect(json.rows).toBe(0);
  });

  it('a statement failing midway gives QUERY_FAILED with its SQLSTATE and leaves no file', async () => {
    const before = exportFiles();
    const error = await fail('exportQuery', { profileId: ids.shop, sql: 'SELECT g, 1/(g-50000) AS x FROM generate_series(1,100000) g', format: 'csv' });
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.detail).toMatchObject({ sqlstate: '22012' });
    expect(error.message).toMatch(/after \d+ rows.*division by zero.*No file was kept/);
    expect(exportFiles()).toEqual(before);
    expect(lastAudit('query.export')).toMatchObject({
      outcome: 'error',
      summary: expect.stringMatching(/^export to csv failed after \d+ rows; no file was kept$/),
    });
  });

  it('a connection killed midway leaves no file either', async () => {
    const before = exportFiles();
    const marker = `kill_me_${Date.now()}`;
    const sql = `SELECT g AS ${marker} FROM generate_series(1, 200000) g WHERE CASE WHEN g = 5000 THEN pg_sleep(30) IS NOT NULL ELSE true END`;
    const pending = call(core, 'exportQuery', { profileId: ids.shop, sql, format: 'json' });
    // Wait until rows have been written (the partial exists), then end the backend.
    await waitFor('the export to start writing', () => exportFiles().some((f) => f.endsWith('.partial')));
    await withClient(pg, (c) => c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%${marker}%' AND pid <> pg_backend_pid()`));
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      // Either the server's goodbye is read first (57P01 admin_shutdown) or the socket breaks
      // first (the next fetch hits a closed pipe): both say the connection ended.
      if (result.error.code === 'QUERY_FAILED') {
        expect(result.error).toMatchObject({ detail: { sqlstate: '57P01' } });
        expect(result.error.message).toMatch(/ended the export's connection/);
      } else {
        expect(result.error.code).toBe('CONNECTION_FAILED');
        expect(result.error.message).toMatch(/connection to "shop" was lost during the export/);
      }
    }
    expect(exportFiles()).toEqual(before);
  });

  it('refuses writes and scripts before writing anything', async () => {
    const before = exportFiles();
    const qty = () => withClient(pg, async (c) => (await c.query<{ q: number }>('SELECT quantity AS q FROM inventory WHERE id = 1')).rows[0]!.q, database);
    const start = await qty();
    for (const sql of [
      'UPDATE inventory SET quantity = quantity + 1 WHERE id = 1 RETURNING *',
      'INSERT INTO export_probe VALUES (7) RETURNING n',
      'SELECT 1; SELECT 2',
      'SELECT * FROM inventory WHERE id = 1 FOR UPDATE',
      'VACUUM inventory',
    ]) {
      const error = await fail('exportQuery', { profileId: ids.shop, sql, format: 'csv' });
      expect(`${sql}: ${error.code}`).toBe(`${sql}: INVALID_INPUT`);
      expect(error.message).toContain('Export takes exactly one SELECT');
    }
    expect(await qty()).toBe(start);
    expect(exportFiles()).toEqual(before);
  });

  it('runs only plain reads, in a read-only transaction: a SELECT calling a volatile function is refused before it runs', async () => {
    const before = exportFiles();
    const error = await fail('exportQuery', { profileId: ids.shop, sql: 'SELECT export_bump()', format: 'csv' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/calls volatile function public\.export_bump\(\)/);
    const probe = await withClient(pg, async (c) => (await c.query('SELECT count(*)::int AS n FROM export_probe')).rows[0] as { n: number }, database);
    expect(probe.n).toBe(0);
    expect(exportFiles()).toEqual(before);
    const ro = await exportAs('shop', "SELECT current_setting('transaction_read_only') AS ro", 'csv');
    expect(fs.readFileSync(ro.path, 'utf8')).toBe('ro\non\n');
  });

  it('works on a read-only profile', async () => {
    const res = await exportAs('shop-ro', 'SELECT sku, unit_price FROM inventory ORDER BY id', 'csv');
    expect(res.rows).toBe(400);
    expect(path.basename(res.path)).toMatch(/^shop-ro_\d{8}-\d{6}(-\d+)?\.csv$/);
    expect(fs.readFileSync(res.path, 'utf8').split('\n')[0]).toBe('sku,unit_price');
  });

  it('uses its own connection: the console session stays usable during an export', async () => {
    await ok<QueryRunResult>('runQuery', { profileId: ids.shop, sql: 'SELECT 1' });
    const pending = exportAs('shop', 'SELECT g FROM generate_series(1, 3000) g WHERE CASE WHEN g = 2000 THEN pg_sleep(1.5) IS NOT NULL ELSE true END', 'csv');
    await waitFor('the export to start writing', () => exportFiles().some((f) => f.endsWith('.partial')));
    const started = Date.now();
    const console = await ok<QueryRunResult>('runQuery', { profileId: ids.shop, sql: 'SELECT 42 AS answer' });
    expect(console.statements[0]!.rows).toEqual([[42]]);
    expect(Date.now() - started).toBeLessThan(1000);
    const done = await pending;
    expect(done.rows).toBe(3000);
  });

  it('a file-system failure is IO_FAILED and nothing is written', async () => {
    const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-library-io-'));
    const other = createCore({ home: otherHome, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester' });
    try {
      // A file where the exports folder should be: mkdir fails, as on a broken disk.
      fs.writeFileSync(path.join(otherHome, 'exports'), 'not a folder');
      const created = await call<Profile>(other, 'createProfile', {
        profile: { host: pg.host, port: pg.port, database, user: role, sslmode: 'disable', name: 'io', env: 'development' },
        password: rolePassword,
      });
      if (!created.ok) throw new Error(created.error.message);
      const error = await fail('exportQuery', { profileId: created.value.id, sql: 'SELECT 1', format: 'csv' }, other);
      expect(error.code).toBe('IO_FAILED');
      expect(error.message).toContain(path.join(otherHome, 'exports'));
    } finally {
      await other.close();
      fs.rmSync(otherHome, { recursive: true, force: true });
    }
  });

  it('answers NOT_FOUND for an unknown profile and INVALID_INPUT for a bad format', async () => {
    expect((await fail('exportQuery', { profileId: 'nope', sql: 'SELECT 1', format: 'csv' })).code).toBe('NOT_FOUND');
    expect((await fail('exportQuery', { profileId: ids.shop, sql: 'SELECT 1', format: 'xlsx' })).code).toBe('INVALID_INPUT');
  });
});

// The ops toolkit against the run's real PostgreSQL, on a database set up like the
// sandbox (demo schema owned by an unprivileged role with pg_monitor): it installs twice,
// every runbook function returns rows when called as the runbook calls it, the cleanup's
// dry run changes nothing, and the install's guards and audit hold.
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { ToolkitStatus } from '../../src-main/contract/runbook';
import type { Core } from '../../src-main/core/app';
import { TOOLKIT_FUNCTION_NAMES, TOOLKIT_SQL, TOOLKIT_VERSION } from '../../src-main/core/toolkit/toolkit-sql';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
let home: string;
let database: string;
let shopDb: ShopDatabase;
let role: string;
let outsider: string;
let rolePassword: string;
const ids: Record<string, string> = {};
const { ok, fail } = callsOn(() => core);

/** A connection as the owner role, as the profile has: the runbook's calls run on it. */
async function asOwner<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: server.host, port: server.port, user: role, password: rolePassword, database, ssl: false });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  return asOwner(async (c) => (await c.query(sql)).rows as Array<Record<string, unknown>>);
}

function lastAudit(action: string) {
  return core.deps.store.db
    .prepare('SELECT outcome, profile, summary, detail, error FROM audit_entries WHERE action = ? ORDER BY id DESC LIMIT 1')
    .get(action) as {
    outcome: string;
    profile: string;
    summary: string;
    detail: string | null;
    error: string | null;
  };
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-toolkit-'));
  shopDb = await createShopDatabase(server, 'toolkit', (c) =>
    c
      .query(
        `UPDATE designs SET preview_image_url = 'https://demo.supabase.co/storage/v1/object/public/design-previews/' || id || '.png?v=1'
      WHERE name IN ('Design #1', 'Design #2', 'Design #3')`,
      )
      .then(() => undefined),
  );
  ({ database, role, password: rolePassword } = shopDb);
  outsider = `${role}_outsider`;
  await withClient(server, (c) => c.query(`CREATE ROLE ${quoteIdent(outsider)} LOGIN`));
  // A Supabase-like storage.objects (owned by someone else, readable by the DBA role):
  // three design previews, one of them missing, plus a stray file and another bucket.
  await withClient(
    server,
    async (c) => {
      await c.query(`CREATE SCHEMA storage;
        CREATE TABLE storage.objects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bucket_id text NOT NULL, name text NOT NULL,
          metadata jsonb, created_at timestamptz NOT NULL DEFAULT now());
        GRANT USAGE ON SCHEMA storage TO ${quoteIdent(role)};
        GRANT SELECT ON storage.objects TO ${quoteIdent(role)};`);
      await c.query(`INSERT INTO storage.objects (bucket_id, name, metadata)
        SELECT 'design-previews', id || '.png', '{"size": 2048}' FROM designs WHERE name IN ('Design #1', 'Design #2')
        UNION ALL VALUES ('design-previews', 'stray.png', '{"size": 4096}'::jsonb), ('avatars', 'someone.png', '{"size": 512}'::jsonb)`);
    },
    database,
  );
  const base: Partial<ProfileInput> = { host: server.host, port: server.port, database, user: role, sslmode: 'disable' };
  const make = async (name: string, extra: Partial<ProfileInput>) => {
    const p = await ok<Profile>('createProfile', { profile: { ...base, name, ...extra }, password: rolePassword });
    ids[name] = p.id;
  };
  await make('shop', { env: 'development', readOnly: false });
  await make('shop-ro', { env: 'staging', readOnly: true });
  await make('shop-prod', { env: 'production', readOnly: false });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  if (outsider) await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(outsider)}`));
  fs.rmSync(home, { recursive: true, force: true });
});

describe('toolkit status and install guards', () => {
  it('reports nothing installed on a fresh database, with the SQL it would run', async () => {
    const status = await ok<ToolkitStatus>('getToolkitStatus', { profileId: ids.shop });
    expect(status).toMatchObject({ installed: false, version: null, latest: TOOLKIT_VERSION, sql: TOOLKIT_SQL });
    expect(status.functions.map((f) => f.name)).toEqual(TOOLKIT_FUNCTION_NAMES);
    expect(status.functions.every((f) => !f.present)).toBe(true);
    expect(lastAudit('toolkit.status')).toMatchObject({ outcome: 'ok', profile: 'shop' });
  });

  it('refuses to install through a read-only profile (READ_ONLY), audited', async () => {
    const error = await fail('installToolkit', { profileId: ids['shop-ro'] });
    expect(error.code).toBe('READ_ONLY');
    expect(lastAudit('toolkit.install')).toMatchObject({
      outcome: 'refused',
      profile: 'shop-ro',
      summary: 'refused: installing the ops toolkit on read-only profile shop-ro',
    });
    expect((await ok<ToolkitStatus>('getToolkitStatus', { profileId: ids['shop-ro'] })).version).toBeNull();
  });

  it('refuses production without the typed name (CONFIRMATION_REQUIRED)', async () => {
    const error = await fail('installToolkit', { profileId: ids['shop-prod'], confirmName: 'shop' });
    expect(error.code).toBe('CONFIRMATION_REQUIRED');
    expect(error.detail).toMatchObject({ expected: 'shop-prod' });
    expect((await ok<ToolkitStatus>('getToolkitStatus', { profileId: ids.shop })).version).toBeNull();
  });

  it('installs twice without error; status shows the version and every function', async () => {
    const first = await ok<ToolkitStatus>('installToolkit', { profileId: ids.shop });
    expect(first).toMatchObject({ installed: true, version: TOOLKIT_VERSION });
    expect(lastAudit('toolkit.install')).toMatchObject({
      outcome: 'ok',
      profile: 'shop',
      detail: TOOLKIT_SQL,
      summary: `toolkit installed ${TOOLKIT_VERSION} on shop; all runbook functions present`,
    });

    await asOwner((c) => c.query(`SELECT create_backup_metadata('kept', 'survives a reinstall')`));
    const second = await ok<ToolkitStatus>('installToolkit', { profileId: ids['shop-prod'], confirmName: 'shop-prod' });
    expect(second.installed).toBe(true);
    expect(lastAudit('toolkit.install')).toMatchObject({ outcome: 'ok', profile: 'shop-prod', summary: expect.stringMatching(/^toolkit reinstalled /) });

    const status = await ok<ToolkitStatus>('getToolkitStatus', { profileId: ids.shop });
    expect(status.functions.filter((f) => !f.present || f.conflict)).toEqual([]);
    expect(await rows('SELECT version FROM ops_toolkit.installs')).toEqual([{ version: TOOLKIT_VERSION }, { version: TOOLKIT_VERSION }]);
    expect(await rows(`SELECT backup_type FROM ops_toolkit.backup_metadata WHERE backup_type = 'kept'`)).toHaveLength(1);
  });

  it('lets nobody else execute the functions (EXECUTE revoked from PUBLIC)', async () => {
    const [row] = await rows(`SELECT has_function_privilege('${outsider}', 'public.check_system_health()', 'EXECUTE') AS wrapper,
      has_function_privilege('${outsider}', 'ops_toolkit.cleanup_orphaned_images(boolean, text[])', 'EXECUTE') AS impl,
      has_function_privilege('${role}', 'public.check_system_health()', 'EXECUTE') AS owner`);
    expect(row).toEqual({ wrapper: false, impl: false, owner: true });
  });
});

describe('a database with its own function of a runbook name', () => {
  it('keeps it (the runbook call still runs it), installs the rest, and status names the conflict', async () => {
    const bare = await createTestDatabase(server, uniqueDatabaseName('toolkit_bare'));
    try {
      await withClient(server, (c) => c.query(`ALTER DATABASE ${quoteIdent(bare)} OWNER TO ${quoteIdent(role)}`));
      await withClient(
        server,
        async (c) => {
          await c.query(`SET ROLE ${quoteIdent(role)}`);
          await c.query(`CREATE FUNCTION public.check_system_health() RETURNS int LANGUAGE sql AS 'SELECT 42'`);
        },
        bare,
      );
      const p = await ok<Profile>('createProfile', {
        profile: { host: server.host, port: server.port, database: bare, user: role, sslmode: 'disable', name: 'bare', env: 'development', readOnly: false },
        password: rolePassword,
      });
      const status = await ok<ToolkitStatus>('installToolkit', { profileId: p.id });
      expect(status.installed).toBe(false);
      expect(status.version).toBe(TOOLKIT_VERSION);
      expect(status.functions.filter((f) => !f.present)).toEqual([
        { name: 'check_system_health', present: false, conflict: expect.stringContaining('not created by the toolkit') },
      ]);
      expect(lastAudit('toolkit.install').summary).toBe(`toolkit installed ${TOOLKIT_VERSION} on bare; missing: check_system_health`);
      const kept = await withClient(
        server,
        async (c) => (await c.query('SELECT check_system_health() AS v, (SELECT count(*) FROM ops_toolkit.check_system_health())::int AS n')).rows[0],
        bare,
      );
      // No demo schema here: the shop's low-stock check is simply absent.
      expect(kept).toEqual({ v: 42, n: 9 });
    } finally {
      await dropTestDatabase(server, bare);
    }
  });
});

describe('the runbook functions, called as the runbook calls them', () => {
  it('every function returns rows', async () => {
    const calls = [
      'SELECT * FROM check_system_health()',
      'SELECT * FROM perform_routine_maintenance()',
      'SELECT * FROM get_storage_usage_stats()',
      'SELECT * FROM cleanup_orphaned_images()',
      'SELECT * FROM analyze_index_usage() LIMIT 10',
      'SELECT * FROM find_unused_indexes()',
      'SELECT * FROM validate_backup_integrity()',
      `SELECT * FROM create_backup_metadata('pre_operation', 'Before inventory import')`,
      'SELECT * FROM validate_recovery()',
      'SELECT * FROM prepare_disaster_recovery()',
    ];
    expect(calls.map((sql) => /FROM (\w+)\(/.exec(sql)![1])).toEqual(TOOLKIT_FUNCTION_NAMES);
    for (const sql of calls) expect((await rows(sql)).length, sql).toBeGreaterThan(0);
    // The runbook's scalar form too.
    expect(await rows(`SELECT create_backup_metadata('pre_operation', 'Before inventory import') IS NOT NULL AS made`)).toEqual([{ made: true }]);
  });

  it('check_system_health: check/status/value/threshold rows, the runbook thresholds', async () => {
    const health = await rows('SELECT * FROM check_system_health()');
    expect(Object.keys(health[0]!)).toEqual(['check_name', 'status', 'value', 'unit', 'warning_threshold', 'critical_threshold', 'details']);
    const byName = new Map(health.map((r) => [r.check_name, r]));
    expect(byName.get('database_size')).toMatchObject({ status: 'ok', warning_threshold: '8', critical_threshold: '10' });
    // The seed leaves 7 active low-stock items: above the runbook's warning (5), below critical (10).
    expect(byName.get('low_stock_items')).toMatchObject({ status: 'warning', value: '7' });
    for (const r of health) expect(['ok', 'warning', 'critical', 'unknown']).toContain(r.status);
  });

  it('find_unused_indexes: the never-used index, not the ones enforcing a key or serving a foreign key', async () => {
    const unused = (await rows('SELECT index_name, drop_statement FROM find_unused_indexes()')).map((r) => r.index_name);
    expect(unused).toContain('idx_orders_shipping_postal_code');
    expect(unused).not.toContain('orders_pkey');
    expect(unused).not.toContain('idx_designs_user');
    const slow = await rows('SELECT index_name FROM analyze_index_usage() WHERE idx_scan < 100');
    expect(slow.length).toBeGreaterThan(0);
  });

  it('get_storage_usage_stats: the database, each table, each storage bucket', async () => {
    const stats = await rows('SELECT kind, schema_name, object_name, object_count, total_bytes FROM get_storage_usage_stats()');
    expect(stats[0]).toMatchObject({ kind: 'database', object_name: database });
    expect(stats.find((r) => r.kind === 'table' && r.object_name === 'orders')).toMatchObject({ schema_name: 'public' });
    expect(stats.filter((r) => r.kind === 'bucket').map((r) => [r.object_name, r.object_count, r.total_bytes])).toEqual([
      ['design-previews', '3', '8192'],
      ['avatars', '1', '512'],
    ]);
  });

  it('perform_routine_maintenance analyzes a table changed since its statistics, and lists VACUUM instead of running it', async () => {
    // A table autovacuum leaves alone, with as many dead rows as live ones.
    await asOwner(async (c) => {
      await c.query('CREATE TABLE churn (n int) WITH (autovacuum_enabled = false)');
      await c.query('INSERT INTO churn SELECT generate_series(1, 5000)');
      await c.query('ANALYZE churn');
      await c.query('UPDATE churn SET n = n + 1');
      await c.query('UPDATE inventory SET reorder_level = reorder_level');
    });
    // Statistics reach other sessions when the writer flushes them: poll briefly.
    let done: Array<Record<string, unknown>> = [];
    const seen: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50 && !done.some((r) => r.task === 'vacuum' && r.target === 'public.churn'); i += 1) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      done = await rows('SELECT task, target, status, command FROM perform_routine_maintenance()');
      seen.push(...done);
    }
    expect(done).toContainEqual({ task: 'vacuum', target: 'public.churn', status: 'run outside a transaction', command: 'VACUUM (ANALYZE) public.churn;' });
    // Both tables' changes exceed autovacuum's analyze threshold (50 rows + 10%).
    expect(done).toContainEqual({ task: 'analyze', target: 'public.churn', status: 'done', command: null });
    expect(seen).toContainEqual({ task: 'analyze', target: 'public.inventory', status: 'done', command: null });
    // Nothing else was stale right after the seed's ANALYZE.
    expect(new Set(seen.filter((r) => r.task === 'analyze').map((r) => r.target))).toEqual(new Set(['public.churn', 'public.inventory']));
    expect(done.at(-1)).toMatchObject({ task: 'summary', status: 'done' });
    await asOwner((c) => c.query('DROP TABLE churn'));
  });

  it('create_backup_metadata and validate_recovery: exact row counts and an LSN, compared after a change', async () => {
    const [meta] = await rows(`SELECT * FROM create_backup_metadata('pre_operation', 'Before inventory import')`);
    expect(meta).toMatchObject({ backup_type: 'pre_operation', created_by: role, table_count: 7 });
    expect(meta!.wal_lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(meta!.row_counts).toMatchObject({ 'public.orders': 9000, 'public.designs': 6000, 'public.stores': 4, 'storage.objects': 4 });
    expect((await rows('SELECT * FROM validate_recovery()')).filter((r) => r.status !== 'ok')).toEqual([]);

    await asOwner(async (c) => {
      await c.query('DELETE FROM order_items WHERE id = (SELECT min(id) FROM order_items)');
      await c.query(`SELECT setval('orders_id_seq', 10)`);
    });
    const after = await rows(`SELECT check_name, status, expected, actual FROM validate_recovery(${Number(meta!.id)})`);
    expect(after.find((r) => r.check_name === 'row_count:public.order_items')).toMatchObject({ status: 'warning', expected: '18000', actual: '17999' });
    expect(after.find((r) => r.check_name === 'sequences')).toMatchObject({ status: 'critical', actual: '1' });
    await asOwner((c) => c.query(`SELECT setval('orders_id_seq', (SELECT max(id) FROM orders))`));
  });

  it('cleanup_orphaned_images: the dry run reports and changes nothing; the real run clears only dangling references', async () => {
    const snapshot = () =>
      rows(`SELECT (SELECT count(*) FROM designs WHERE preview_image_url IS NULL) AS cleared,
                   (SELECT count(*) FROM storage.objects) AS objects`);
    const before = await snapshot();
    const dry = await rows('SELECT kind, bucket, image_ref FROM cleanup_orphaned_images()');
    expect(dry).toEqual([
      { kind: 'orphaned_object', bucket: 'design-previews', image_ref: 'stray.png' },
      { kind: 'dangling_reference', bucket: 'design-previews', image_ref: expect.stringMatching(/^https:\/\/demo\.supabase\.co\/.*\.png\?v=1$/) },
      { kind: 'summary', bucket: null, image_ref: null },
    ]);
    expect(await snapshot()).toEqual(before);

    const real = await rows('SELECT kind, action FROM cleanup_orphaned_images(dry_run => false)');
    expect(real.at(-1)!.action).toMatch(/1 dangling reference\(s\), 1 cleared/);
    // Storage objects are never deleted with SQL (the file would stay in the bucket).
    expect(await snapshot()).toEqual([{ cleared: String(Number(before[0]!.cleared) + 1), objects: before[0]!.objects }]);
    const again = await rows('SELECT kind FROM cleanup_orphaned_images(dry_run => false)');
    expect(again.map((r) => r.kind)).toEqual(['orphaned_object', 'summary']);
  });
});

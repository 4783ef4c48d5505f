// A restore into the local scratch PostgreSQL (target 'scratch'): the app starts its demo
// cluster when it is not running, creates the database there, restores, validates, and
// adds a profile for the copy. The source server is not needed after the backup: it is
// dropped before the restore, so the restore can only have read the file.
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput, SandboxStatus } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { backupAndWait, restoreAndWait, tableCounts } from '../helpers/restore';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let core: Core;
const calls = callsOn(() => core);
let shopDb: ShopDatabase | null = null;
let backup: BackupEntry;
let sourceCounts: Record<string, number>;

beforeAll(async () => {
  ({ core } = newTestCore('ops-restore-scratch-'));
  shopDb = await createShopDatabase(server, 'scratchsrc');
  const input: Partial<ProfileInput> = {
    name: 'shop',
    host: server.host,
    port: server.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  const shop = await calls.ok<Profile>('createProfile', { profile: input, password: shopDb.password });
  backup = await backupAndWait(core, calls, { profileId: shop.id, format: 'custom' });
  sourceCounts = await tableCounts(server, shopDb.database);
  await shopDb.dispose();
  shopDb = null;
}, 120_000);

afterAll(async () => {
  await calls.call('stopSandbox', {});
  await core?.close();
  await shopDb?.dispose();
});

it('starts the local cluster, restores into a new database there, validates, and adds a profile for the copy', async () => {
  expect((await calls.ok<SandboxStatus>('getSandboxStatus', {})).running).toBe(false);
  const { record, done } = await restoreAndWait(core, calls, { source: backup.id, target: { kind: 'scratch', database: 'shop_copy' } });
  expect(done.ok, record.error ?? done.message).toBe(true);
  expect(record).toMatchObject({ status: 'ok', targetKind: 'scratch', target: 'local scratch', database: 'shop_copy' });
  expect(record.validation?.ok).toBe(true);
  const rowChecks = record.validation!.checks.filter((c) => c.name.startsWith('rows '));
  expect(rowChecks.length).toBe(Object.keys(sourceCounts).length);

  const status = await calls.ok<SandboxStatus>('getSandboxStatus', {});
  expect(status.running).toBe(true);
  const copy = (await calls.ok<Profile[]>('listProfiles', {})).find((p) => p.database === 'shop_copy');
  expect(copy).toMatchObject({ env: 'sandbox', host: '127.0.0.1', port: status.port });

  // Every table of the copy, counted straight from the scratch server.
  const url = new URL(status.url!);
  url.pathname = '/shop_copy';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    for (const [table, n] of Object.entries(sourceCounts)) {
      const [schema, name] = table.split('.') as [string, string];
      const got = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${name}"`);
      expect([table, Number(got.rows[0]!.n)]).toEqual([table, n]);
    }
  } finally {
    await client.end();
  }
}, 180_000);

// Issue #14 §7.4: the toolkit's pre-operation marker (ops_toolkit.create_backup_metadata) is
// optional. A backup taken as a role without USAGE on schema ops_toolkit used to fail with
// INTERNAL; it must succeed, with the missing marker as a warning in the manifest, the
// result and the audit entry.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry, BackupManifest } from '../../src-main/contract/backup';
import type { Profile } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { manifestPathFor } from '../../src-main/core/backup/manifest';
import { auditOf, followJob } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { quoteIdent, withClient } from '../helpers/pg';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shopDb: ShopDatabase;
let reader: Profile;
const readerRole = `nousage_${process.pid}_${Date.now().toString(36)}`;
const readerPassword = `pw-${crypto.randomBytes(6).toString('hex')}`;
const { ok } = callsOn(() => core);

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-sec-toolkit-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-toolkit-out-'));
  shopDb = await createShopDatabase(pg, 'nousage');
  const base = { host: pg.host, port: pg.port, database: shopDb.database, sslmode: 'disable', env: 'development', readOnly: false };
  const owner = await ok<Profile>('createProfile', { profile: { ...base, name: 'owner', user: shopDb.role }, password: shopDb.password });
  await ok('installToolkit', { profileId: owner.id });
  // A role that may read the shop's tables but not use the toolkit (ops_toolkit is REVOKEd from PUBLIC).
  await withClient(pg, (c) => c.query(`CREATE ROLE ${quoteIdent(readerRole)} LOGIN PASSWORD '${readerPassword}'`));
  await withClient(
    pg,
    async (c) => {
      await c.query(`SET ROLE ${quoteIdent(shopDb.role)}`);
      await c.query(`GRANT USAGE ON SCHEMA public TO ${quoteIdent(readerRole)}`);
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${quoteIdent(readerRole)}`);
      await c.query(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${quoteIdent(readerRole)}`);
      const usage = await c.query<{ ok: boolean }>(`SELECT has_schema_privilege($1, 'ops_toolkit', 'USAGE') AS ok`, [readerRole]);
      expect(usage.rows[0]!.ok).toBe(false);
    },
    shopDb.database,
  );
  reader = await ok<Profile>('createProfile', { profile: { ...base, name: 'reader', user: readerRole }, password: readerPassword });
}, 120_000);

afterAll(async () => {
  await core?.close();
  await withClient(
    pg,
    async (c) => {
      await c.query(`DROP OWNED BY ${quoteIdent(readerRole)}`).catch(() => undefined);
    },
    shopDb?.database,
  ).catch(() => undefined);
  await shopDb?.dispose();
  await withClient(pg, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(readerRole)}`)).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('backup as a role without USAGE on ops_toolkit', () => {
  it('succeeds, and says the pre-operation marker was not recorded', async () => {
    const jobId = crypto.randomUUID();
    const job = followJob(core, jobId);
    // pg_dump cannot lock the toolkit's own tables without USAGE either: they are left out, as a DBA would.
    const started = await ok<{ backupId: string }>('startBackup', { profileId: reader.id, jobId, outDir, excludeSchemas: ['ops_toolkit'] });
    const done = await job.done;
    expect(done.ok, done.message).toBe(true);
    const entry = await ok<BackupEntry>('getBackup', { id: started.backupId });
    expect(entry.status).toBe('ok');
    expect(entry.manifest?.preOperationMarker).toBeNull();
    expect(entry.manifest?.warnings).toEqual(['pre-operation marker not recorded: this role has no USAGE on schema ops_toolkit']);
    const onDisk = JSON.parse(fs.readFileSync(manifestPathFor(entry.path), 'utf8')) as BackupManifest;
    expect(onDisk.warnings).toEqual(entry.manifest?.warnings);
    const audited = auditOf(core, 'backup.run').find((a) => a.summary.includes(entry.path));
    expect(audited).toMatchObject({ outcome: 'ok' });
    expect(audited!.summary).toContain('pre-operation marker not recorded');
  });
});

// Restore drills through core.dispatch: a backup of a shop database (seeded like the
// sandbox, toolkit installed) restored into a fresh local scratch PostgreSQL, validated,
// timed against the runbook's objectives, the scratch cluster removed, the record and its
// Markdown/HTML report kept. Also: by profile (its latest good backup, a plain one through
// psql), with the source server unreachable, and a dump that fails midway.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { AppEvent } from '../../src-main/contract/operations';
import type { DrillRecord, RestoreProgressEvent } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { installToolkitOn } from '../../src-main/core/toolkit/toolkit';
import { auditOf, followJob } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let shopDb: ShopDatabase;
let shopInput: Partial<ProfileInput>;
let shop: Profile;
let customBackup: BackupEntry;
const { ok, fail } = callsOn(() => core);

type Drill = DrillRecord & { notes: string[] };

async function backup(profileId: string, format: 'custom' | 'plain'): Promise<BackupEntry> {
  const jobId = crypto.randomUUID();
  const job = followJob(core, jobId);
  const started = await ok<{ backupId: string }>('startBackup', { profileId, outDir, format, jobId });
  const end = await job.done;
  const entry = await ok<BackupEntry>('getBackup', { id: started.backupId });
  if (!end.ok) throw new Error(`backup failed: ${entry.error ?? end.message}`);
  return entry;
}

/** Starts a drill and waits for its end, collecting its progress events. */
async function drill(input: Record<string, unknown>): Promise<{ record: Drill; events: RestoreProgressEvent[]; done: { ok: boolean; message: string } }> {
  const jobId = crypto.randomUUID();
  const events: RestoreProgressEvent[] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
    unsubscribe = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'restore.progress' && e.jobId === jobId) events.push(e);
      if (e.type === 'job.done' && e.jobId === jobId) resolve({ ok: e.ok, message: e.message });
    });
  });
  const started = await ok<{ drillId: string; jobId: string }>('startDrill', { ...input, jobId });
  expect(started.jobId).toBe(jobId);
  const end = await done.finally(unsubscribe);
  return { record: await ok<Drill>('getDrill', { id: started.drillId }), events, done: end };
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

function scratchLeft(): string[] {
  const root = path.join(home, 'scratch');
  return fs.existsSync(root) ? fs.readdirSync(root) : [];
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-drill-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-drill-out-'));
  shopDb = await createShopDatabase(pg, 'drillsrc', async (c) => {
    await installToolkitOn(c);
  });
  shopInput = {
    name: 'shop',
    host: pg.host,
    port: pg.port,
    database: shopDb.database,
    user: shopDb.role,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  shop = await ok<Profile>('createProfile', { profile: shopInput, password: shopDb.password });
  customBackup = await backup(shop.id, 'custom');
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('a drill of a catalog backup', () => {
  let result: Awaited<ReturnType<typeof drill>>;
  beforeAll(async () => {
    result = await drill({ source: customBackup.id });
  }, 120_000);

  it('restores and validates: one passing row count per table of the manifest', () => {
    const { record, done } = result;
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    expect(done.ok).toBe(true);
    expect(record.validation?.ok).toBe(true);
    const tables = customBackup.manifest!.tables;
    expect(tables.length).toBeGreaterThan(3);
    const rowChecks = record.validation!.checks.filter((c) => c.name.startsWith('rows '));
    expect(rowChecks.map((c) => c.name).sort()).toEqual(tables.map((t) => `rows ${t.schema}.${t.name}`).sort());
    expect(rowChecks.every((c) => c.ok)).toBe(true);
  });

  it('times the restore against the 2 h RTO and the backup age against the 15 min RPO', () => {
    const { record } = result;
    expect(record.restoreMs).toBeGreaterThan(0);
    expect(record.totalMs).toBeGreaterThanOrEqual(record.restoreMs!);
    expect(record.rtoTargetMs).toBe(2 * 3_600_000);
    expect(record.rtoMet).toBe(true);
    expect(record.rpoTargetMs).toBe(15 * 60_000);
    expect(record.backupAgeMs).toBeGreaterThanOrEqual(0);
    expect(record.backupAgeMs).toBe(Date.parse(record.startedAt) - Date.parse(customBackup.manifest!.startedAt));
    expect(record.backupId).toBe(customBackup.id);
    expect(record.profileId).toBe(shop.id);
    expect(record.scratchVersion).toMatch(/^\d+\.\d+/);
  });

  it('removes the scratch cluster and reports its phases as restore.progress events', () => {
    expect(scratchLeft()).toEqual([]);
    const phases = [...new Set(result.events.map((e) => e.phase))];
    expect(phases).toEqual(['preparing', 'restoring', 'validating', 'cleaning-up', 'done']);
    expect(result.events.every((e) => e.restoreId === result.record.id)).toBe(true);
  });

  it('includes prepare_disaster_recovery() from the reachable source, read without recording a baseline', () => {
    const dr = result.record.disasterRecovery;
    expect(dr?.columns).toEqual(['item', 'status', 'value', 'details']);
    expect(dr?.rows.map((r) => r[0])).toContain('server_version');
  });

  it('keeps the record with a Markdown report, exports Markdown and escaped HTML, lists it per profile', async () => {
    const { record } = result;
    expect(record.report).toMatch(/^# Restore drill — shop\n/);
    expect(record.report).toContain('| RTO, data corruption (restore time) | 2 h 00 min |');
    const md = await ok<{ content: string; filename: string; format: string }>('exportDrillReport', { id: record.id, format: 'markdown' });
    expect(md.content).toBe(record.report);
    expect(md.filename).toMatch(/^drill-shop-.*\.md$/);
    const html = await ok<{ content: string; filename: string }>('exportDrillReport', { id: record.id, format: 'html' });
    expect(html.content).toMatch(/^<!doctype html>/);
    expect(html.content).toContain(`rows public.orders`);
    expect(html.filename).toMatch(/\.html$/);
    const listed = await ok<{ drills: Drill[] }>('listDrills', { profileId: 'shop' });
    expect(listed.drills.map((d) => d.id)).toContain(record.id);
    const audit = auditOf(core, 'drill.run').find((e) => e.summary.includes(customBackup.path));
    expect(audit?.outcome).toBe('ok');
  });

  it('refuses what it cannot find', async () => {
    expect((await fail('getDrill', { id: 'nope' })).code).toBe('NOT_FOUND');
    expect((await fail('startDrill', { source: crypto.randomUUID() })).code).toBe('NOT_FOUND');
    expect((await fail('startDrill', {})).code).toBe('INVALID_INPUT');
  });
});

describe('drills by profile, offline, and failing', () => {
  it('by profileId picks the latest good full backup (a plain one, through psql)', async () => {
    const plain = await backup(shop.id, 'plain');
    const { record } = await drill({ profileId: shop.id });
    expect(record.backupId).toBe(plain.id);
    expect(record.backupPath).toBe(plain.path);
    expect(record.status).toBe('ok');
    expect(record.validation?.ok).toBe(true);
    expect(record.restoreMs).toBeGreaterThan(0);
    expect(scratchLeft()).toEqual([]);
  }, 120_000);

  it('works while the source server is unreachable, noting that prepare_disaster_recovery() could not be read', async () => {
    const offline = await ok<Profile>('createProfile', { profile: { ...shopInput, name: 'offline' }, password: shopDb.password });
    const entry = await backup(offline.id, 'custom');
    await ok<Profile>('updateProfile', { id: offline.id, profile: { ...shopInput, name: 'offline', port: await closedPort() } });
    const { record } = await drill({ profileId: 'offline' });
    expect(record.backupId).toBe(entry.id);
    expect(record.status).toBe('ok');
    expect(record.validation?.ok).toBe(true);
    expect(record.disasterRecovery).toBeNull();
    expect(record.notes.join('\n')).toMatch(/prepare_disaster_recovery\(\) could not be read from offline/);
    expect(record.report).toMatch(/prepare\\_disaster\\_recovery\(\) could not be read from offline/);
    expect(scratchLeft()).toEqual([]);
  }, 120_000);

  it('cancelled while its scratch cluster starts: recorded cancelled, cluster removed', async () => {
    const jobId = crypto.randomUUID();
    let unsubscribe: () => void = () => undefined;
    const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
      unsubscribe = core.events.subscribe((e: AppEvent) => {
        if (e.type === 'job.done' && e.jobId === jobId) resolve({ ok: e.ok, message: e.message });
      });
    });
    const { drillId } = await ok<{ drillId: string }>('startDrill', { source: customBackup.id, jobId });
    expect(await ok<{ cancelled: boolean }>('cancelDrill', { id: drillId })).toEqual({ cancelled: true });
    expect((await done.finally(unsubscribe)).ok).toBe(false);
    const record = await ok<Drill>('getDrill', { id: drillId });
    expect(record.status).toBe('cancelled');
    expect(record.error).toMatch(/cancelled by tester/);
    expect(record.restoreMs).toBeNull();
    expect(scratchLeft()).toEqual([]);
    expect(await ok<{ cancelled: boolean }>('cancelDrill', { id: drillId })).toEqual({ cancelled: false });
  }, 60_000);

  it('a dump that fails midway fails the drill, says why, and still removes the scratch cluster', async () => {
    const plain = (await ok<{ backups: BackupEntry[] }>('listBackups', { profileId: shop.id })).backups.find((b) => b.format === 'plain')!;
    const broken = path.join(outDir, 'broken.sql');
    const script = fs.readFileSync(plain.path, 'utf8');
    const at = script.indexOf('CREATE TABLE');
    fs.writeFileSync(broken, `${script.slice(0, at)}SELECT 1/0;\n${script.slice(at)}`);
    const { record, done } = await drill({ source: broken });
    expect(done.ok).toBe(false);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/division by zero/);
    expect(record.restoreMs).toBeNull();
    expect(record.rtoMet).toBeNull();
    expect(record.validation).toBeNull();
    expect(record.report).toContain('- **Status:** FAILED');
    expect(scratchLeft()).toEqual([]);
    const audit = auditOf(core, 'drill.run').find((e) => e.summary.includes('broken.sql'));
    expect(audit?.outcome).toBe('error');
  }, 120_000);
});

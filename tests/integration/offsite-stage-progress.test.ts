// Staging an offsite copy for a restore shows progress and can be stopped, against the run's
// real PostgreSQL and a real s3rver: a ~10 MiB dump copied offsite, its local file deleted.
// The restore's fetch emits `offsite.progress` events (phase 'download', jobId
// stageJobIdFor(backupId)) rising to the copy's size; cancelOffsiteCopy with that jobId stops
// the download: the restore fails CANCELLED, no database is created, nothing stays staged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import { stageJobIdFor, type CopyResult, type OffsiteDestination, type OffsiteProgressEvent } from '../../src-main/contract/offsite';
import type { Core } from '../../src-main/core/app';
import { auditOf } from '../helpers/backup';
import { callsOn, newTestCore } from '../helpers/core';
import { multipartSizedBackup, type MultipartBackup } from '../helpers/offsite';
import { dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { restoreAndWait, tableCounts } from '../helpers/restore';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let s3: LocalS3;
let backup: MultipartBackup;
let admin: Profile;
let copy: CopyResult;
const created: string[] = [];
const calls = callsOn(() => core);

const stagingDir = () => path.join(home, 'offsite', 'staging');
const stagedFiles = () => (fs.existsSync(stagingDir()) ? fs.readdirSync(stagingDir()) : []);
const databaseExists = (name: string) => withClient(pg, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

function downloads(backupId: string): { events: OffsiteProgressEvent[]; stop(): void } {
  const events: OffsiteProgressEvent[] = [];
  const stop = core.events.subscribe((e) => {
    if (e.type === 'offsite.progress' && e.jobId === stageJobIdFor(backupId)) events.push(e);
  });
  return { events, stop };
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-stage-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-offsite-stage-out-'));
  backup = await multipartSizedBackup(core, calls, pg, { prefix: 'offsitestage', profileName: 'shop', rows: 40000, outDir });
  const adminInput: Partial<ProfileInput> = {
    name: 'admin',
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    sslmode: 'disable',
    env: 'staging',
    readOnly: false,
  };
  admin = await calls.ok<Profile>('createProfile', { profile: adminInput, password: pg.password });
  const c = s3.config();
  const dest = await calls.ok<OffsiteDestination>('createOffsiteDestination', {
    name: 'offsite-stage',
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: 'ops',
    accessKeyId: c.accessKeyId,
    secretAccessKey: 'offsite-stage-secret',
  });
  copy = await calls.ok<CopyResult>('copyBackupOffsite', { backupId: backup.entry.id, destination: dest.name });
  fs.rmSync(backup.entry.path, { force: true });
}, 180_000);

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  await backup?.shopDb.dispose();
  await s3?.destroy();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('staging an offsite copy for a restore', () => {
  it('cancelled at its first progress event: CANCELLED, no database, nothing staged, the fetch audited as failed', async () => {
    const { entry } = backup;
    const database = uniqueDatabaseName('offsite_stage_cancel');
    created.push(database);
    let cancelled: Promise<unknown> | null = null;
    const off = core.events.subscribe((e) => {
      if (e.type === 'offsite.progress' && e.jobId === stageJobIdFor(entry.id) && cancelled === null)
        cancelled = calls.ok('cancelOffsiteCopy', { jobId: stageJobIdFor(entry.id) });
    });
    const err = await calls.fail('startRestore', { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    off();
    expect(await cancelled).toEqual({ cancelled: true });
    expect(err.code).toBe('CANCELLED');
    expect(await databaseExists(database)).toBe(false);
    expect(stagedFiles()).toEqual([]);
    expect(auditOf(core, 'offsite.fetch')[0]).toMatchObject({ outcome: 'error' });
  }, 120_000);

  it('restores with download events rising to the copy size, each with the backup id', async () => {
    const { entry } = backup;
    const seen = downloads(entry.id);
    const database = uniqueDatabaseName('offsite_stage_ok');
    created.push(database);
    const { record, done } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    seen.stop();
    expect(done.ok, record.error ?? '').toBe(true);
    expect(await tableCounts(pg, database)).toEqual(await tableCounts(pg, backup.shopDb.database));
    expect(seen.events.length).toBeGreaterThanOrEqual(2);
    expect(seen.events.every((e) => e.phase === 'download' && e.backupId === entry.id && e.bytesTotal === copy.bytes)).toBe(true);
    const done_ = seen.events.map((e) => e.bytesDone);
    expect(done_).toEqual([...done_].sort((a, b) => a - b));
    expect(seen.events.at(-1)).toMatchObject({ bytesDone: copy.bytes, etaSeconds: 0 });
    expect(stagedFiles()).toEqual([]);
  }, 180_000);
});

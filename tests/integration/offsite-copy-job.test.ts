// Copying offsite as a job (issue #18), through core.dispatch against a real s3rver and a real
// backup of the run's PostgreSQL: `offsite.progress` events (upload then verify, increasing,
// ending at the object's size) and cancelOffsiteCopy aborting a running upload (CANCELLED,
// nothing under the key, the copy row cancelled).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { BackupCopy, CopyResult, OffsiteDestination, OffsiteProgressEvent } from '../../src-main/contract/offsite';
import type { AppEvent } from '../../src-main/contract/operations';
import type { Core } from '../../src-main/core/app';
import { ObjectStore } from '../../src-main/core/platform/objectstore';
import { callsOn, newTestCore } from '../helpers/core';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { multipartSizedBackup } from '../helpers/offsite';
import type { ShopDatabase } from '../helpers/shop-db';

const pg = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let s3: LocalS3;
let shopDb: ShopDatabase;
let entry: BackupEntry;
const calls = callsOn(() => core);
const { ok, call } = calls;

async function destination(name: string): Promise<OffsiteDestination> {
  const c = s3.config();
  return ok<OffsiteDestination>('createOffsiteDestination', {
    name,
    endpoint: c.endpoint,
    region: c.region,
    bucket: 'offsite',
    prefix: name,
    accessKeyId: c.accessKeyId,
    secretAccessKey: 'offsite-job-secret',
  });
}

function progressOf(jobId: string): { events: OffsiteProgressEvent[]; stop: () => void } {
  const events: OffsiteProgressEvent[] = [];
  const stop = core.events.subscribe((e: AppEvent) => {
    if (e.type === 'offsite.progress' && e.jobId === jobId) events.push(e);
  });
  return { events, stop };
}

beforeAll(async () => {
  s3 = await startLocalS3(['offsite']);
  ({ core, home } = newTestCore('ops-offsite-job-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-offsite-job-out-'));
  ({ shopDb, entry } = await multipartSizedBackup(core, calls, pg, { prefix: 'offsitejob', profileName: 'shop.job', rows: 60000, outDir }));
}, 120_000);

afterAll(async () => {
  await core?.close();
  await shopDb?.dispose();
  await s3?.destroy();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('copyBackupOffsite as a job', () => {
  it('emits increasing upload then verify progress ending at the object size, and answers as before', async () => {
    expect(entry.bytes!).toBeGreaterThan(8 * 1024 * 1024);
    const d = await destination('progress');
    const jobId = crypto.randomUUID();
    const progress = progressOf(jobId);
    const copy = await ok<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: d.name, jobId });
    progress.stop();
    expect(copy).toMatchObject({ ok: true, bytes: entry.bytes, sha256: entry.sha256, verified: true });
    const { events } = progress;
    const upload = events.filter((e) => e.phase === 'upload');
    const verify = events.filter((e) => e.phase === 'verify');
    expect(upload.length).toBeGreaterThanOrEqual(2);
    expect(verify.length).toBeGreaterThanOrEqual(1);
    // Upload first, then verify; bytes never go back within a phase; each ends at the total.
    expect(events.findIndex((e) => e.phase === 'verify')).toBe(upload.length);
    for (const phase of [upload, verify]) {
      for (let i = 1; i < phase.length; i++) expect(phase[i]!.bytesDone).toBeGreaterThanOrEqual(phase[i - 1]!.bytesDone);
      expect(phase.at(-1)).toMatchObject({ bytesDone: entry.bytes, bytesTotal: entry.bytes, copyId: copy.id });
    }
    expect(upload[0]!.bytesDone).toBe(0);
    for (const e of events) expect(e.etaSeconds === null || e.etaSeconds >= 0).toBe(true);
    expect(events.at(-1)!.etaSeconds).toBe(0);
  }, 120_000);

  it('cancelOffsiteCopy during the upload: CANCELLED, nothing under the key, the copy row cancelled', async () => {
    const d = await destination('cancel');
    const jobId = crypto.randomUUID();
    let cancel: Promise<unknown> | null = null;
    const stop = core.events.subscribe((e: AppEvent) => {
      // Once some bytes went up (the multipart upload exists on the store), the user cancels.
      if (e.type === 'offsite.progress' && e.jobId === jobId && e.phase === 'upload' && e.bytesDone > 0 && cancel === null)
        cancel = ok('cancelOffsiteCopy', { jobId });
    });
    const env = await call<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: d.name, jobId });
    stop();
    expect(await cancel).toEqual({ cancelled: true });
    expect(env).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    const store = new ObjectStore(s3.config());
    const keys: string[] = [];
    for await (const o of store.listObjects('offsite', 'cancel/')) keys.push(o.key);
    store.destroy();
    expect(keys).toEqual([]);
    const { copies } = await ok<{ copies: BackupCopy[] }>('listBackupCopies', { destination: d.name });
    expect(copies).toHaveLength(1);
    expect(copies[0]!.status).toBe('cancelled');
    // Not running any more: a second cancel finds nothing.
    expect(await ok('cancelOffsiteCopy', { jobId })).toEqual({ cancelled: false });
  }, 120_000);

  // Last: it closes the core (closing twice is harmless, afterAll does it again).
  it('closing the core cancels a running copy before the store closes', async () => {
    const d = await destination('closing');
    const jobId = crypto.randomUUID();
    let closed: Promise<void> | null = null;
    const stop = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'offsite.progress' && e.jobId === jobId && e.phase === 'upload' && e.bytesDone > 0 && closed === null) closed = core.close();
    });
    const env = await call<CopyResult>('copyBackupOffsite', { backupId: entry.id, destination: d.name, jobId });
    stop();
    await closed;
    expect(closed).not.toBeNull();
    expect(env).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    const store = new ObjectStore(s3.config());
    const keys: string[] = [];
    for await (const o of store.listObjects('offsite', 'closing/')) keys.push(o.key);
    store.destroy();
    expect(keys).toEqual([]);
  }, 120_000);
});

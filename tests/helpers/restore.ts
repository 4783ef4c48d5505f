// Helpers for the restore tests: follow a restore job through its events, back a profile
// up and wait, count every table's rows straight from the server (not through our code).
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { BackupEntry } from '../../src-main/contract/backup';
import type { AppEvent } from '../../src-main/contract/operations';
import type { RestoreProgressEvent, RestoreRecord } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import type { CoreCalls } from './core';
import { quoteIdent, withClient, type TestPg } from './pg';

export interface FollowedRestore {
  events: RestoreProgressEvent[];
  done: Promise<{ ok: boolean; message: string }>;
}

/** Subscribe BEFORE startRestore (pass the same jobId). */
export function followRestore(core: Core, jobId: string): FollowedRestore {
  const events: RestoreProgressEvent[] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
    unsubscribe = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'restore.progress' && e.jobId === jobId) events.push(e);
      if (e.type === 'job.done' && e.jobId === jobId) resolve({ ok: e.ok, message: e.message });
    });
  });
  return { events, done: done.finally(() => unsubscribe()) };
}

export async function backupAndWait(core: Core, calls: CoreCalls, options: Record<string, unknown>): Promise<BackupEntry> {
  const jobId = crypto.randomUUID();
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  const off = core.events.subscribe((e: AppEvent) => {
    if (e.type === 'job.done' && e.jobId === jobId) resolveDone();
  });
  try {
    const started = await calls.ok<{ backupId: string }>('startBackup', { ...options, jobId });
    await finished;
    const entry = await calls.ok<BackupEntry>('getBackup', { id: started.backupId });
    if (entry.status !== 'ok') throw new Error(`backup failed: ${entry.error}`);
    return entry;
  } finally {
    off();
  }
}

export async function restoreAndWait(
  core: Core,
  calls: CoreCalls,
  options: Record<string, unknown>,
): Promise<{ record: RestoreRecord; events: RestoreProgressEvent[]; done: { ok: boolean; message: string } }> {
  const jobId = crypto.randomUUID();
  const job = followRestore(core, jobId);
  const started = await calls.ok<{ restoreId: string }>('startRestore', { ...options, jobId });
  const done = await job.done;
  const record = await calls.ok<RestoreRecord>('getRestore', { id: started.restoreId });
  return { record, events: job.events, done };
}

/** "schema.table" → count(*), for every ordinary table outside the system schemas. */
export async function tableCounts(server: TestPg, database: string): Promise<Record<string, number>> {
  return withClient(
    server,
    async (c) => {
      const tables = await c.query<{ s: string; t: string }>(
        `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
      );
      const out: Record<string, number> = {};
      for (const { s, t } of tables.rows)
        out[`${s}.${t}`] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(s)}.${quoteIdent(t)}`)).rows[0]!.n);
      return out;
    },
    database,
  );
}

/** pg_restore / psql processes whose parent is this test process. */
export function restoreChildren(): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && state !== 'Z' && (comm === 'pg_restore' || comm === 'psql')) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

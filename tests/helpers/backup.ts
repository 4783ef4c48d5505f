// Helpers for the backup tests: follow a job through its events, find the pg_dump this
// process spawned, hold a lock pg_dump will wait on, read the audit trail.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import type { BackupProgressEvent } from '../../src-main/contract/backup';
import type { AuditEntry } from '../../src-main/contract/models';
import type { AppEvent } from '../../src-main/contract/operations';
import type { Core } from '../../src-main/core/app';
import { clientConfig, type TestPg } from './pg';

export interface FollowedJob {
  events: Array<BackupProgressEvent & { at: number }>;
  done: Promise<{ ok: boolean; message: string }>;
}

/** Subscribe BEFORE startBackup (pass the same jobId) so no event is missed. */
export function followJob(core: Core, jobId: string): FollowedJob {
  const events: FollowedJob['events'] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
    unsubscribe = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'backup.progress' && e.jobId === jobId) events.push({ ...e, at: Date.now() });
      if (e.type === 'job.done' && e.jobId === jobId) resolve({ ok: e.ok, message: e.message });
    });
  });
  return { events, done: done.finally(() => unsubscribe()) };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** pg_dump / pg_dumpall processes whose parent is this test process (from /proc). */
export function pgDumpChildren(): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && (comm === 'pg_dump' || comm === 'pg_dumpall')) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * An ACCESS EXCLUSIVE lock on a table pg_dump must lock first: it then waits, with its
 * output file open, until released. Use a partitioned table without partitions: pg_dump
 * locks it, but the plan's size query (ordinary tables only) never touches it.
 */
export async function holdLock(server: TestPg, database: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client(clientConfig(server, database));
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

/** True once a backup's pg_dump (PGAPPNAME "ops-console backup …") waits for a lock in `database` (files run in parallel). */
export async function dumpWaitsOnLock(server: TestPg, database: string): Promise<boolean> {
  const client = new pg.Client(clientConfig(server));
  await client.connect();
  try {
    const r = await client.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'ops-console backup%' AND wait_event_type = 'Lock' AND datname = $1`,
      [database],
    );
    return (r.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

export function auditOf(core: Core, action: string): AuditEntry[] {
  return core.deps.audit.search({ action, limit: 100 });
}

/** Every name in a folder (recursively), sorted: what a failed backup must not leave behind. */
export function filesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** sha256sum of a file, computed by the system's tool rather than our code. */
export function sha256sum(file: string): string {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;
}

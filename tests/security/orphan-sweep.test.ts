// Issue #14 §5.2: `kill -9` of the CLI during a backup used to leave pg_dump running as an
// orphan, a growing `.partial` and a plaintext pgpass file in the system temp folder. Now
// the pass file lives under <home>/tmp and the next start of the core stops the orphan,
// deletes what it wrote and fails the catalog row with the reason. The sweep's guards are
// tested on real processes too: nothing is touched while the owner lives, and a process
// that is not provably our tool is never killed. Uses the built CLI (build first).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { processAlive, processStartTicks } from '../../src-main/core/platform/tools/proc';
import { RUN_FILE, type RunRecordData } from '../../src-main/core/platform/tools/run-record';
import { sweepToolRuns } from '../../src-main/core/platform/tools/sweep';
import { dumpWaitsOnLock, filesIn, holdLock, waitFor } from '../helpers/backup';
import { json, runCli, startCli } from '../helpers/cli';
import { createShopDatabase, type ShopDatabase } from '../helpers/shop-db';

const server = inject('pg');
let home: string;
let outDir: string;
let shopDb: ShopDatabase;
const env = () => ({ PGPASSWORD: shopDb.password });

/** Children of `parent` named `comm`, from /proc. */
function childrenNamed(parent: number, comm: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === comm && Number(fields[1]) === parent;
      } catch {
        return false;
      }
    });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-orphan-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-orphan-out-'));
  shopDb = await createShopDatabase(server, 'orphan', (c) => c.query('CREATE TABLE lock_probe (id int) PARTITION BY RANGE (id)').then(() => undefined));
  const url = `postgresql://${shopDb.role}@${server.host}:${server.port}/${shopDb.database}?sslmode=disable`;
  const add = await runCli(home, ['profile', 'add', 'shop', '--url', url, '--env', 'development', '--read-write', '--json'], { env: env() });
  expect(add.code, add.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await shopDb?.dispose();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('kill -9 of the CLI mid-backup', () => {
  it('the next start stops the orphaned pg_dump, deletes the .partial and the pass file, and fails the catalog row with the reason', async () => {
    const lock = await holdLock(server, shopDb.database, 'lock_probe');
    let dumpPid: number | undefined;
    try {
      const { child, done } = startCli(home, ['backup', 'shop', '--format', 'custom', '--out', outDir, '--json'], { env: env() });
      await waitFor('pg_dump to wait for the lock', () => dumpWaitsOnLock(server, shopDb.database), 30_000);
      dumpPid = await waitFor('pg_dump as a child of the CLI', () => childrenNamed(child.pid!, 'pg_dump')[0]);
      const partial = filesIn(outDir).find((f) => f.endsWith('.partial'));
      expect(partial).toBeDefined();
      // The pass file is ours, private, and under the home, not in the system temp folder.
      const passFile = fs
        .readFileSync(`/proc/${dumpPid}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('PGPASSFILE='))!
        .slice('PGPASSFILE='.length);
      expect(passFile.startsWith(path.join(home, 'tmp') + path.sep)).toBe(true);
      expect(fs.statSync(passFile).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(passFile)).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(outDir, partial!)).mode & 0o777).toBe(0o600);

      child.kill('SIGKILL');
      await done;
      // The hole this closes: pg_dump outlives the CLI, with its partial and pass file.
      expect(processAlive(dumpPid)).toBe(true);
      expect(fs.existsSync(passFile)).toBe(true);

      const list = await runCli(home, ['backups', 'list', '--json'], { env: env() });
      expect(list.code, list.stderr).toBe(0);
      const rows = json(list).backups as Array<{ status: string; error: string | null; path: string }>;
      expect(rows).toHaveLength(1);
      expect(rows[0]!.status).toBe('failed');
      expect(rows[0]!.error).toContain('the app stopped while this backup ran');
      expect(rows[0]!.error).toContain(`pg_dump (pid ${dumpPid}) was still running and was stopped`);
      expect(processAlive(dumpPid)).toBe(false);
      expect(filesIn(outDir)).toEqual([]);
      expect(fs.existsSync(passFile)).toBe(false);
      expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
    } finally {
      if (dumpPid !== undefined && processAlive(dumpPid)) process.kill(dumpPid, 'SIGKILL');
      await lock.release();
    }
  }, 90_000);
});

describe('the sweep only ever kills our own tool of a dead owner', () => {
  const started: ChildProcess[] = [];
  const sleeper = (extraEnv: NodeJS.ProcessEnv = {}, args: string[] = ['60']): ChildProcess => {
    const child = spawn('sleep', args, { detached: true, stdio: 'ignore', env: { ...process.env, ...extraEnv } });
    started.push(child);
    return child;
  };
  afterEach(() => {
    for (const child of started.splice(0)) if (child.pid && processAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
  });

  /** A run folder as runner.ts leaves it, with `owner` and `tool` as the recorded processes. */
  function fakeRun(sweepHome: string, owner: ChildProcess, tool: ChildProcess | null, partialPath: string): string {
    const dir = path.join(sweepHome, 'tmp', `backup-${owner.pid}-abc123`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'pgpass'), '*:*:*:*:secret\n', { mode: 0o600 });
    const record: RunRecordData = {
      version: 1,
      kind: 'backup',
      id: 'b-1',
      owner: { host: os.hostname(), pid: owner.pid!, startTicks: processStartTicks(owner.pid!) },
      partialPath,
      child: tool ? { pid: tool.pid!, pgid: tool.pid!, tool: '/usr/bin/pg_dump' } : null,
    };
    fs.writeFileSync(path.join(dir, RUN_FILE), JSON.stringify(record), { mode: 0o600 });
    return dir;
  }

  it('leaves everything alone while the owner lives, then stops the tool once it is gone', async () => {
    const sweepHome = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-sweep-'));
    try {
      const owner = sleeper();
      const partial = path.join(sweepHome, 'x.dump.partial');
      fs.writeFileSync(partial, 'half a dump');
      const dir = path.join(sweepHome, 'tmp', `backup-${owner.pid}-abc123`);
      const tool = sleeper({ PGPASSFILE: path.join(dir, 'pgpass') });
      fakeRun(sweepHome, owner, tool, partial);

      expect(sweepToolRuns(sweepHome)).toEqual([]);
      expect(processAlive(tool.pid!)).toBe(true);
      expect(fs.existsSync(partial)).toBe(true);
      expect(fs.existsSync(dir)).toBe(true);

      process.kill(owner.pid!, 'SIGKILL');
      await waitFor('the owner to die', () => !processAlive(owner.pid!));
      const swept = sweepToolRuns(sweepHome);
      expect(swept).toEqual([
        { kind: 'backup', id: 'b-1', note: `pg_dump (pid ${tool.pid}) was still running and was stopped; its partial output was deleted` },
      ]);
      expect(processAlive(tool.pid!)).toBe(false);
      expect(fs.existsSync(partial)).toBe(false);
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      fs.rmSync(sweepHome, { recursive: true, force: true });
    }
  });

  it('does not kill a recorded pid that is not our tool (pid reused: no PGPASSFILE of this run, no partial path)', async () => {
    const sweepHome = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-sec-sweep-'));
    try {
      const owner = sleeper();
      const stranger = sleeper({ PGPASSFILE: '/somewhere/else/pgpass' });
      const dir = fakeRun(sweepHome, owner, stranger, path.join(sweepHome, 'y.dump.partial'));
      process.kill(owner.pid!, 'SIGKILL');
      await waitFor('the owner to die', () => !processAlive(owner.pid!));
      const swept = sweepToolRuns(sweepHome);
      expect(swept).toEqual([{ kind: 'backup', id: 'b-1', note: '' }]);
      expect(processAlive(stranger.pid!)).toBe(true);
      // The dead run's pgpass file goes anyway.
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      fs.rmSync(sweepHome, { recursive: true, force: true });
    }
  });
});

// Running pg_dump, pg_dumpall, pg_restore and psql: a private pgpass file (never argv, never
// PGPASSWORD), the environment they run with, a spawn without a shell in its own process
// group with stderr read line by line, and the tail of stderr a DBA needs when one fails.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../../contract/errors';
import { killTree } from '../jobs/process-tree';
import { LineSplitter, parseVerboseLine, startTicker } from './progress';
import { privateTempDir, writePgpass } from './run-record';

const STDERR_TAIL_LINES = 20;

export function errorText(err: unknown): string {
  if (err instanceof OpsError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A private 0700 folder with a 0600 pgpass file in it; removed by the returned cleanup.
 * With `home`, the folder is `<home>/tmp/pgpass-<pid>-…` (swept at the next start if this
 * process dies first); without, the system temp folder as before (callers should pass it).
 * Without a password of ours the file is empty: libpq must then fail rather than read
 * ~/.pgpass entries we skipped.
 */
export async function writePassFile(password: string | null, home?: string): Promise<{ file: string; remove(): Promise<void> }> {
  let dir: string;
  if (home === undefined) {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ops-console-pgpass-'));
    await fs.promises.chmod(dir, 0o700);
  } else {
    dir = await privateTempDir(home, 'pgpass');
  }
  const file = await writePgpass(dir, password);
  return { file, remove: () => fs.promises.rm(dir, { recursive: true, force: true }) };
}

export interface SpawnHooks {
  /** Right after spawn() returned, before any event: the caller records the child (and its pid). */
  setChild(child: ChildProcess): void;
  cancelled(): boolean;
  onLine(line: string): void;
  onSpawn(): void;
  onTick(): Promise<void>;
}

/** Spawns without a shell in its own process group; resolves with how it ended. */
export function spawnTool(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  hooks: SpawnHooks,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { shell: false, detached: process.platform !== 'win32', stdio: ['ignore', 'ignore', 'pipe'], env, windowsHide: true });
    hooks.setChild(child);
    const splitter = new LineSplitter(hooks.onLine);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => splitter.push(chunk));
    const ticker = startTicker(hooks.onTick);
    child.once('spawn', () => {
      hooks.onSpawn();
      if (hooks.cancelled()) killTree(child, 'SIGTERM');
    });
    child.once('error', (err) => {
      void ticker.stop();
      reject(new OpsError('BACKUP_FAILED', `Could not start ${file}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      splitter.end();
      void ticker.stop().then(() => resolve({ code, signal }));
    });
  });
}

/**
 * The environment pg_dump, pg_restore and psql run with: our password resolution already
 * ran (a pgpass file of ours, never PGPASSWORD or ~/.pgpass), English messages for the
 * progress parsers, an application name for pg_stat_activity, a connect timeout, and the
 * profile's libpq settings (TLS, a tunnel's address).
 */
export function clientToolEnv(appName: string, libpq: Record<string, string>, passFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PGPASSWORD;
  // LC_ALL would override LC_MESSAGES.
  delete env.LC_ALL;
  env.LC_MESSAGES = 'C';
  env.PGAPPNAME = appName;
  env.PGCONNECT_TIMEOUT = '10';
  Object.assign(env, libpq);
  env.PGPASSFILE = passFile;
  return env;
}

/** What pg_dump said that was not progress chatter: the lines a DBA needs when it fails. */
export class StderrTail {
  private readonly problems: string[] = [];
  private readonly all: string[] = [];

  add(line: string): void {
    if (line.trim() === '') return;
    this.all.push(line);
    if (this.all.length > STDERR_TAIL_LINES) this.all.shift();
    if (parseVerboseLine(line).kind !== 'other') return;
    this.problems.push(line);
    if (this.problems.length > STDERR_TAIL_LINES) this.problems.shift();
  }

  firstProblem(): string | null {
    return this.problems[0] ?? null;
  }

  text(): string {
    return (this.problems.length > 0 ? this.problems : this.all.slice(-5)).join('\n');
  }
}

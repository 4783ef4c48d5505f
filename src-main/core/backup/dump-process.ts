// The process side of a backup: the temporary pgpass file, pg_dump's environment, killing
// its process group, and the part of its stderr worth showing when it fails.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import { log } from '../log';
import type { PreparedBackup } from './plan';
import { parseVerboseLine } from './progress';

const STDERR_TAIL_LINES = 20;

export function errorText(err: unknown): string {
  if (err instanceof OpsError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** One line of a pgpass file: `:` and `\` are escaped with a backslash. */
function pgpassLine(password: string): string {
  return `*:*:*:*:${password.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`;
}

/**
 * A private 0700 folder with a 0600 pgpass file in it; removed by the returned cleanup.
 * Without a password of ours the file is empty: libpq must then fail rather than read
 * ~/.pgpass entries we skipped (and an empty file, unlike /dev/null, draws no warning).
 */
export async function writePassFile(password: string | null): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ops-console-pgpass-'));
  await fs.promises.chmod(dir, 0o700);
  const file = path.join(dir, 'pgpass');
  await fs.promises.writeFile(file, password === null ? '' : pgpassLine(password), { mode: 0o600, flag: 'wx' });
  return { file, remove: () => fs.promises.rm(dir, { recursive: true, force: true }) };
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

export function toolEnv(prepared: PreparedBackup, backupId: string, passFile: string): NodeJS.ProcessEnv {
  return clientToolEnv(`ops-console backup ${backupId.slice(0, 8)}`, prepared.env, passFile);
}

/** Kills pg_dump and its parallel workers: it runs as the leader of its own process group. */
export function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function removePath(target: string): Promise<void> {
  await fs.promises.rm(target, { recursive: true, force: true }).catch((err: unknown) => log.warn(`could not delete ${target}`, err));
}

export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
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

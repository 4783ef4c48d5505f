// The built `ops-console serve` in its own process, as a user starts it, for the browser
// credential e2e tests: its printed login URL split into address, port and token, and
// teardown registered with onTestFinished (idempotent, also on failure).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { launchChromium as startChromium } from '../helpers/chromium';
import { onTestFinished } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'bin', 'ops-console.cjs');
const URL_PATTERN = /http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d+)\/\?token=([\w-]+)/;

export interface Served {
  url: string;
  address: string;
  port: number;
  token: string;
  home: string;
  child: ChildProcess;
  stdout(): string;
}

export function assertBuilt(): void {
  if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js')) || !fs.existsSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('The app is not built: run `npx electron-vite build` before the e2e tests.');
  }
}

/** Starts `serve` (with `--no-open` unless `open`), resolving once it printed its URL. */
export async function startServe(options: { open?: boolean; env?: Record<string, string> } = {}): Promise<Served> {
  assertBuilt();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cred-e2e-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'OPS_CONSOLE_HOME' && k !== 'OPS_CONSOLE_OPENER'));
  const args = [CLI, '--home', home, 'serve', '--port', '0', ...(options.open ? [] : ['--no-open'])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...options.env } });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(home, { recursive: true, force: true });
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setInterval(() => {
      const found = URL_PATTERN.exec(out);
      if (found) done(found);
      else if (child.exitCode !== null || Date.now() > deadline) done(new Error(`serve printed no URL.\nstdout: ${out}\nstderr: ${err}`));
    }, 50);
    const deadline = Date.now() + 30_000;
    function done(result: RegExpExecArray | Error) {
      clearInterval(timer);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
  });
  return { url: match[0], address: match[1]!, port: Number(match[2]), token: match[3]!, home, child, stdout: () => out };
}

export async function launchChromium(): Promise<Browser> {
  const browser = await startChromium();
  onTestFinished(() => browser.close().catch(() => undefined));
  return browser;
}

export async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// End-to-end harness: a fresh app home, the built CLI serving browser mode on loopback,
// and Debian's Chromium driven by playwright-core. Everything is torn down after the test,
// failed or not (close() is registered with onTestFinished and is idempotent).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { onTestFinished } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
const CLI = path.join(REPO_ROOT, 'bin', 'ops-console.cjs');
// `serve` prints the login URL; the host trades the token for an HttpOnly cookie on first visit.
// It listens on a random 127.x.y.z of its own (src-main/web/bind.ts), 127.0.0.1 as a fallback.
const URL_PATTERN = /http:\/\/127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d+\/[?#]token=[\w-]+/;

export interface E2eApp {
  page: Page;
  /** The login URL (with its token) printed by `serve`. */
  url: string;
  home: string;
  /** Console errors and uncaught page errors (a CSP violation shows up here). */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Resolves with the first URL the server prints; rejects if it exits or stays silent. */
function waitForUrl(server: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => finish(new Error(`serve printed no URL within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
    function finish(result: string | Error) {
      clearTimeout(timer);
      server.stdout?.off('data', onOut);
      server.off('exit', onExit);
      if (typeof result === 'string') resolve(result);
      else reject(result);
    }
    function onOut(chunk: Buffer) {
      stdout += chunk.toString('utf8');
      const match = URL_PATTERN.exec(stdout);
      if (match) finish(match[0]);
    }
    function onExit(code: number | null, signal: NodeJS.Signals | null) {
      finish(new Error(`serve exited (code ${code}, signal ${signal}) before printing its URL.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }
    server.stdout?.on('data', onOut);
    server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    server.on('exit', onExit);
  });
}

function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The demo sandbox outlives the server on purpose (like `ops-console sandbox start`), and
 * its cluster lives outside the home (/tmp/ops-console-pg-*, a path the postgres user can
 * reach): stop it and delete its folder, or every test run would leave a PostgreSQL behind.
 */
async function stopSandbox(home: string): Promise<void> {
  if (!fs.existsSync(path.join(home, 'sandbox'))) return;
  const child = spawn(process.execPath, [CLI, '--home', home, 'sandbox', 'stop', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  try {
    const { dataDir } = JSON.parse(stdout) as { dataDir?: string };
    const folder = dataDir ? path.dirname(dataDir) : '';
    if (folder.startsWith(path.join(os.tmpdir(), 'ops-console-pg-'))) fs.rmSync(folder, { recursive: true, force: true });
  } catch {
    // No JSON: nothing was running; the home's own sandbox folder goes with the home.
  }
}

export async function startApp(options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<E2eApp> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'cli.js')) || !fs.existsSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('The app is not built: run `npm run build` before the e2e tests.');
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-e2e-'));
  let server: ChildProcess | null = null;
  let browser: Browser | null = null;
  let closed = false;

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => undefined);
    if (server) await stopProcess(server, 5_000);
    await stopSandbox(home);
    fs.rmSync(home, { recursive: true, force: true });
  }
  onTestFinished(close);

  try {
    // The user's own PG* variables must not leak into "Import from environment".
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG') && k !== 'OPS_CONSOLE_HOME'));
    server = spawn(process.execPath, [CLI, '--home', home, 'serve', '--port', '0', '--no-open'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, LC_MESSAGES: 'C' },
    });
    const url = await waitForUrl(server, 30_000);
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 960 },
      acceptDownloads: true,
      ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(url);
    return {
      page,
      url,
      home,
      pageErrors,
      async screenshot(name: string) {
        const file = path.join(RESULTS_DIR, name);
        // A full-page capture of a scrolled page draws the fixed header mid-page.
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** What a screen reader announces as an input's description (hint and error text). */
export async function describedBy(input: Locator): Promise<string> {
  return input.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
}

/** The first-run screen's "Add a connection profile", then the empty form. */
export async function openNewProfileForm(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add a connection profile' }).click();
  await page.getByRole('form', { name: 'New profile' }).waitFor();
}

/**
 * A text field by its accessible name, as a screen reader announces it (the required
 * asterisk is aria-hidden, so "Host" finds the field labelled "Host *").
 */
export function field(page: Page, name: string): Locator {
  return page.getByRole('textbox', { name, exact: true });
}

/** What a direct (no SSH) profile through the form needs: the run's PostgreSQL. */
export interface DbTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/**
 * Adds a profile through the first-run screen's form (the app's first profile, so it
 * becomes the active one) and waits for it in the list.
 */
export async function addProfileThroughForm(
  page: Page,
  db: DbTarget,
  options: { name: string; env?: 'production' | 'staging' | 'development'; readOnly?: boolean },
): Promise<void> {
  await openNewProfileForm(page);
  await field(page, 'Profile name').fill(options.name);
  if (options.env) await page.getByRole('radio', { name: options.env, exact: true }).check();
  await field(page, 'Host').fill(db.host);
  await field(page, 'Port').fill(String(db.port));
  await field(page, 'Database').fill(db.database);
  await field(page, 'User').fill(db.user);
  await page.getByLabel('Password', { exact: true }).fill(db.password);
  if (options.readOnly !== undefined) {
    const toggle = page.getByRole('switch', { name: 'Read-only' });
    if ((await toggle.isChecked()) !== options.readOnly) await toggle.setChecked(options.readOnly);
  }
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page
    .getByRole('table', { name: 'Connection profiles' })
    .getByRole('row', { name: new RegExp(options.name) })
    .waitFor();
}

/**
 * A profile through an SSH bastion made in the form, its host key trusted from the
 * connection test (first contact), the way a user does it.
 */
export async function addSshProfileThroughForm(
  page: Page,
  db: DbTarget,
  options: { name: string; sshPort: number; keyFile: string; fingerprint: string },
): Promise<void> {
  await openNewProfileForm(page);
  await field(page, 'Profile name').fill(options.name);
  await field(page, 'Host').fill(db.host);
  await field(page, 'Port').fill(String(db.port));
  await field(page, 'Database').fill(db.database);
  await field(page, 'User').fill(db.user);
  await page.getByLabel('Password', { exact: true }).fill(db.password);
  await page.getByRole('switch', { name: 'Connect through an SSH bastion' }).check();
  await field(page, 'SSH host').fill('127.0.0.1');
  await field(page, 'SSH port').fill(String(options.sshPort));
  await field(page, 'SSH user').fill('root');
  await field(page, 'SSH key file').fill(options.keyFile);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page
    .getByRole('table', { name: 'Connection profiles' })
    .getByRole('row', { name: new RegExp(options.name) })
    .waitFor();

  await page.getByRole('button', { name: 'Test connection' }).click();
  const decision = page.getByRole('region', { name: 'Host key decision' });
  await decision.waitFor({ timeout: 30_000 });
  if (!(await decision.textContent())?.includes(options.fingerprint)) throw new Error(`the host key decision does not show ${options.fingerprint}`);
  await decision.getByRole('button', { name: 'Trust this key' }).click();
  await page.getByRole('region', { name: 'Connection test result' }).getByText('Connection ok').waitFor({ timeout: 30_000 });
}

/** The query console (Alt+2) and its editor. */
export async function openQueryConsole(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Query', exact: true }).click();
  const editor = page.getByRole('textbox', { name: 'SQL editor', exact: true });
  await editor.waitFor();
  // Editable once the saved tabs are read.
  await page.locator('.cm-content[contenteditable="true"]').waitFor();
  return editor;
}

/** Replaces the editor's text, as typed. */
export async function typeInEditor(editor: Locator, sql: string): Promise<void> {
  await editor.click();
  await editor.press('Control+A');
  await editor.press('Delete');
  await editor.page().keyboard.insertText(sql);
}

/**
 * Replaces the editor's text and runs it from the keyboard: Ctrl+Enter runs the statement
 * under the cursor (the last one, after typing), Shift+Ctrl+Enter the whole script.
 */
export async function runInEditor(editor: Locator, sql: string, keys: 'Control+Enter' | 'Shift+Control+Enter' = 'Shift+Control+Enter'): Promise<void> {
  await typeInEditor(editor, sql);
  await editor.press(keys);
}

/** The editor's text as CodeMirror holds it (one .cm-line per line). */
export async function editorText(editor: Locator): Promise<string> {
  return (await editor.locator('.cm-line').allTextContents()).join('\n');
}

/** From the first-run screen: start the demo sandbox and wait until its profile is active. */
export async function startSandbox(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start the demo sandbox' }).click();
  await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor({ timeout: 45_000 });
  await page.getByRole('status', { name: 'Environment: SANDBOX' }).waitFor();
}

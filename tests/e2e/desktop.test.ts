// Issue 20: the desktop app itself, launched with Playwright's Electron support where the
// Electron binary exists (`npm start` or `npm run dist` fetches it). Where it does not
// (this network cannot download it), the file prints one line and every test counts as
// skipped — never as passed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInfo, Profile } from '../../src-main/contract/models';
import type { Envelope } from '../../src-main/contract/errors';
import { RENDERER_GONE_ACTION } from '../../src-main/desktop/renderer-crash';
import { WINDOW_STATE_FILE } from '../../src-main/desktop/window-state';
import { REPO_ROOT } from './harness';

/** The binary electron's installer put in node_modules/electron/dist, or null. */
function electronBinary(): string | null {
  try {
    const rel = fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'electron', 'path.txt'), 'utf8');
    const bin = path.join(REPO_ROOT, 'node_modules', 'electron', 'dist', rel);
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const BIN = electronBinary();
const NO_DISPLAY = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const SKIP = !BIN || NO_DISPLAY;
if (!BIN) console.log('skipped: no Electron binary');
else if (NO_DISPLAY) console.log('skipped: no display for Electron (run under xvfb-run)');

interface OpsBridgeWindow {
  opsBridge: { getAppInfo(input: object): Promise<Envelope<AppInfo>>; createProfile(input: object): Promise<Envelope<Profile>> };
}

// Chromium refuses to run as root without --no-sandbox (CI runs as root); --password-store=basic
// makes Linux's safeStorage use "basic_text", as on a machine without a keyring.
const LINUX_ARGS = process.platform === 'linux' ? ['--password-store=basic', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] : [];

describe('desktop app', () => {
  let home = '';
  let app: ElectronApplication | null = null;
  let page: Page;

  async function launch(): Promise<void> {
    app = await electron.launch({
      executablePath: BIN ?? undefined,
      args: [REPO_ROOT, ...LINUX_ARGS],
      cwd: REPO_ROOT,
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG'))), OPS_CONSOLE_HOME: home } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }

  async function quit(): Promise<void> {
    if (!app) return;
    const running = app;
    app = null;
    const exited = new Promise<void>((resolve) => running.process().once('exit', () => resolve()));
    await Promise.race([running.close().catch(() => undefined), new Promise((r) => setTimeout(r, 20_000))]);
    if (running.process().exitCode === null) running.process().kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  }

  beforeAll(async () => {
    if (SKIP) return;
    if (!fs.existsSync(path.join(REPO_ROOT, 'out', 'main', 'index.js'))) throw new Error('The app is not built: run `npm run build` first.');
    // better-sqlite3 for Electron's ABI (build/electron-native), as npm start makes it.
    const native = (await import(path.join(REPO_ROOT, 'scripts', 'electron-native.mjs'))) as {
      ensureElectronNative(): Promise<{ ok: boolean; reason?: string }>;
    };
    const built = await native.ensureElectronNative();
    if (!built.ok) throw new Error(`better-sqlite3 could not be built for Electron: ${built.reason}`);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-console-desktop-'));
    await launch();
  }, 600_000);

  afterAll(async () => {
    await quit();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it.skipIf(SKIP)('locks its window down: context isolation, sandbox, no Node in the page', async () => {
    const prefs = await app!.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null } | undefined;
      const p = contents?.getLastWebPreferences?.() ?? null;
      return p && { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration, webSecurity: p.webSecurity };
    });
    // Not every Electron exposes the effective preferences; the page-side checks below always run.
    if (prefs) expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    const page_ = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      // contextBridge refuses to expose anything without context isolation; its functions are native proxies.
      bridge: String((window as unknown as OpsBridgeWindow).opsBridge.getAppInfo),
      frozen: Object.isFrozen((window as unknown as OpsBridgeWindow).opsBridge),
    }));
    expect(page_).toMatchObject({ require: 'undefined', process: 'undefined', frozen: true });
    expect(page_.bridge).toContain('[native code]');
  });

  it.skipIf(SKIP)('answers through the preload bridge and IPC, from the desktop core', async () => {
    const info = await page.evaluate(() => (window as unknown as OpsBridgeWindow).opsBridge.getAppInfo({}));
    expect(info.ok).toBe(true);
    if (info.ok) {
      expect(info.value.mode).toBe('desktop');
      expect(info.value.home).toBe(home);
    }
    await page.getByRole('heading', { name: 'Welcome to Ops Console' }).waitFor({ timeout: 30_000 });
  });

  it.skipIf(SKIP || process.platform !== 'linux')('refuses to save passwords when safeStorage is only basic_text', async () => {
    const info = await page.evaluate(() => (window as unknown as OpsBridgeWindow).opsBridge.getAppInfo({}));
    expect(info.ok && info.value.secretStore.available).toBe(false);
    expect(info.ok ? info.value.secretStore.reason : '').toContain('basic_text');
    const created = await page.evaluate(() =>
      (window as unknown as OpsBridgeWindow).opsBridge.createProfile({
        profile: { name: 'with-password', host: '127.0.0.1', port: 5432, database: 'postgres', user: 'app', env: 'development' },
        password: 'secret',
      }),
    );
    expect(created.ok).toBe(false);
    if (!created.ok) expect(created.error.code).toBe('SECRET_STORE_UNAVAILABLE');
  });

  it.skipIf(SKIP)('can show system notifications (the checklist reminders’ path)', async () => {
    const shown = await app!.evaluate(({ Notification }) => {
      if (!Notification.isSupported()) return 'unsupported';
      const n = new Notification({ title: 'Ops Console e2e', body: 'notification path', silent: true });
      n.show();
      n.close();
      return 'shown';
    });
    expect(['shown', 'unsupported']).toContain(shown);
  });

  it.skipIf(SKIP)(
    'a second launch quits and leaves the first one running',
    async () => {
      const second = spawn(BIN!, [REPO_ROOT, ...LINUX_ARGS], { env: { ...process.env, OPS_CONSOLE_HOME: home }, stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => second.once('exit', (c) => resolve(c)));
      expect(code).toBe(0);
      expect(await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    },
    60_000,
  );

  it.skipIf(SKIP)(
    'audits a renderer crash',
    async () => {
      await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.webContents.forcefullyCrashRenderer());
      const cli = path.join(REPO_ROOT, 'bin', 'ops-console.cjs');
      let found = false;
      for (let i = 0; i < 40 && !found; i += 1) {
        await new Promise((r) => setTimeout(r, 250));
        const out = await new Promise<string>((resolve) => {
          const p = spawn(process.execPath, [cli, '--home', home, 'audit', 'list', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
          let text = '';
          p.stdout.on('data', (d) => (text += d));
          p.once('exit', () => resolve(text));
        });
        found = out.includes(RENDERER_GONE_ACTION);
      }
      expect(found).toBe(true);
    },
    60_000,
  );

  it.skipIf(SKIP)(
    'remembers the window’s size and position',
    async () => {
      await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.setBounds({ x: 40, y: 50, width: 1100, height: 700 }));
      await quit();
      const state = JSON.parse(fs.readFileSync(path.join(home, WINDOW_STATE_FILE), 'utf8')) as { bounds: { width: number; height: number } };
      expect(state.bounds).toMatchObject({ width: 1100, height: 700 });
      await launch();
      const bounds = await app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getBounds());
      expect(bounds).toMatchObject({ width: 1100, height: 700 });
    },
    120_000,
  );
});

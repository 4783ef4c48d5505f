// Issue #14 §6 in a real browser: browser mode's credential stays with its page.
// Debian's Chromium (playwright-core) against the built `ops-console serve`, one test per
// attack: (a) another local port's page, (b) a second instance in the same browser,
// (c) the opener, (d) an oversized body from the page. Plain-HTTP details (cookie
// derivation, launch-code expiry) are in browser-credential.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { expect, onTestFinished, test } from 'vitest';
import { createCore } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { startWebHost, type WebHost } from '../../src-main/web/server';
import { api, cookieRecorder, type Target } from './helpers';
import { launchChromium, REPO_ROOT, startServe, waitFor } from './serve-process';

const WELCOME = { name: 'Welcome to Ops Console' };

/** An API call from the page itself, with whatever the browser attaches on its own. */
function pageCall(page: Page, body: string): Promise<{ status: number; json: unknown }> {
  return page.evaluate(async (text) => {
    const response = await fetch('/api/listProfiles', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    return { status: response.status, json: (await response.json()) as unknown };
  }, body);
}

async function openApp(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('heading', WELCOME).waitFor();
  expect(page.url()).not.toContain('token=');
  return page;
}

/** The cookie pairs the browser holds for one host, as it would send them there. */
async function cookieHeader(context: BrowserContext, target: Target): Promise<string> {
  const cookies = await context.cookies(`http://${target.address}:${target.port}/`);
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

test('(a) a page on another local port gets no usable credential', async () => {
  const served = await startServe();
  const other = await cookieRecorder('127.0.0.1');
  onTestFinished(() => other.close());
  const browser = await launchChromium();
  const context = await browser.newContext();
  const app = await openApp(context, served.url);
  expect((await pageCall(app, '{}')).status).toBe(200);
  // Still a secure context (clipboard, crypto.randomUUID): Chromium counts all of 127/8 as loopback.
  expect(await app.evaluate(() => window.isSecureContext)).toBe(true);
  // The browser does hold a session cookie: what is at stake if it leaked.
  const own = await context.cookies();
  expect(own.map((c) => [c.name, c.domain, c.httpOnly, c.sameSite])).toEqual([[`ops_console_${served.port}`, served.address, true, 'Strict']]);

  // Visited in the same browser after logging in: the other port on 127.0.0.1 and localhost.
  const visit = await context.newPage();
  for (const url of [`http://127.0.0.1:${other.port}/`, `http://localhost:${other.port}/`]) {
    await visit.goto(url);
    await visit.getByText('Another local page').waitFor();
  }
  expect(other.seen.length).toBeGreaterThanOrEqual(2);
  // What that server was sent: no cookie at all (the session's host is served.address).
  expect(other.seen.filter((header) => header !== null)).toEqual([]);
  // Replaying whatever it got to the API is refused; the browser's own cookie works there.
  for (const header of other.seen) {
    const replay = await api(served, 'listProfiles', {}, header === null ? {} : { cookie: header });
    expect([401, 403]).toContain(replay.status);
  }
  expect((await api(served, 'listProfiles', {}, { cookie: await cookieHeader(context, served) })).status).toBe(200);
});

test('(b) a second serve in the same browser neither breaks nor takes over the first', async () => {
  const first = await startServe();
  const second = await startServe();
  expect(first.address).not.toBe(second.address);
  const browser = await launchChromium();
  const context = await browser.newContext();
  const firstPage = await openApp(context, first.url);
  const secondPage = await openApp(context, second.url);

  // Logging into the second left the first working, page and API, and vice versa.
  await firstPage.reload();
  await firstPage.getByRole('heading', WELCOME).waitFor();
  expect(await pageCall(firstPage, '{}')).toEqual({ status: 200, json: { ok: true, value: [] } });
  expect(await pageCall(secondPage, '{}')).toEqual({ status: 200, json: { ok: true, value: [] } });

  // Each cookie works at its own instance only.
  const firstCookie = await cookieHeader(context, first);
  const secondCookie = await cookieHeader(context, second);
  expect(firstCookie).not.toBe('');
  expect(secondCookie).not.toBe('');
  expect((await api(first, 'listProfiles', {}, { cookie: firstCookie })).status).toBe(200);
  expect((await api(second, 'listProfiles', {}, { cookie: secondCookie })).status).toBe(200);
  expect((await api(second, 'listProfiles', {}, { cookie: firstCookie })).status).toBe(401);
  expect((await api(first, 'listProfiles', {}, { cookie: secondCookie })).status).toBe(401);
});

test('(b) on a shared 127.0.0.1 (the fallback) two instances keep their own cookies too', async () => {
  const started: WebHost[] = [];
  for (let i = 0; i < 2; i++) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cred-shared-'));
    const core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
    const host = await startWebHost({ core, staticDir: path.join(REPO_ROOT, 'out', 'renderer'), address: '127.0.0.1' });
    started.push(host);
    onTestFinished(async () => {
      await host.close();
      await core.close();
      fs.rmSync(home, { recursive: true, force: true });
    });
  }
  const [first, second] = started as [WebHost, WebHost];
  expect(first.sharedAddress && second.sharedAddress).toBe(true);
  const browser = await launchChromium();
  const context = await browser.newContext();
  const firstPage = await openApp(context, first.loginUrl);
  const secondPage = await openApp(context, second.loginUrl);
  // One cookie jar for both (same host): two cookies side by side, none overwritten.
  expect((await context.cookies()).map((c) => c.name).sort()).toEqual([`ops_console_${first.port}`, `ops_console_${second.port}`].sort());
  await firstPage.reload();
  await firstPage.getByRole('heading', WELCOME).waitFor();
  expect((await pageCall(firstPage, '{}')).status).toBe(200);
  expect((await pageCall(secondPage, '{}')).status).toBe(200);
  const jar = await context.cookies();
  const firstOnly = jar.filter((c) => c.name === `ops_console_${first.port}`).map((c) => `${c.name}=${c.value}`)[0]!;
  expect((await api(second, 'listProfiles', {}, { cookie: firstOnly })).status).toBe(401);
  expect((await api(first, 'listProfiles', {}, { cookie: firstOnly })).status).toBe(200);
});

test('(c) the opener gets a 0600 file path, no token, and the file logs in once', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cred-opener-'));
  onTestFinished(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const record = path.join(scratch, 'argv.txt');
  const opener = path.join(scratch, 'record-opener.sh');
  // Records its argv (as /proc/PID/cmdline shows it to every local user) and the file's mode.
  fs.writeFileSync(opener, `#!/bin/sh\n{ tr '\\0' '\\n' < /proc/$$/cmdline; stat -c 'mode=%a' "$1"; } > "${record}.tmp"; mv "${record}.tmp" "${record}"\n`, {
    mode: 0o700,
  });
  const served = await startServe({ open: true, env: { OPS_CONSOLE_OPENER: opener } });
  const lines = (await waitFor('the opener to run', () => fs.existsSync(record) && fs.readFileSync(record, 'utf8'))).trim().split('\n');
  const file = lines.find((l) => l.endsWith('.html'));
  expect(file).toBeDefined();
  expect(path.dirname(file!)).toBe(path.join(served.home, 'run'));
  expect(lines).toContain('mode=600');
  expect(lines.join('\n')).not.toContain(served.token);
  expect(lines.join('\n')).not.toMatch(/token=|code=|http:/);
  expect(fs.readFileSync(file!, 'utf8')).not.toContain(served.token);

  // What the user's browser does with it: open it by path and land in the app.
  const browser = await launchChromium();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`file://${file!}`);
  await page.getByRole('heading', WELCOME).waitFor();
  expect(page.url()).toBe(`http://${served.address}:${served.port}/`);
  expect((await pageCall(page, '{}')).status).toBe(200);
  // Used once: deleted. The printed URL still works for another browser.
  await waitFor('the launch file to be deleted', () => !fs.existsSync(file!));
  const other = await (await browser.newContext()).newPage();
  await other.goto(served.url);
  await other.getByRole('heading', WELCOME).waitFor();
});

test('(d) a body over the limit from the page gets 413 and JSON, and the page keeps working', async () => {
  const served = await startServe();
  const browser = await launchChromium();
  const context = await browser.newContext();
  const page = await openApp(context, served.url);
  const big = await pageCall(page, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024 + 100) }));
  expect(big.status).toBe(413);
  expect(big.json).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  expect(await pageCall(page, '{}')).toEqual({ status: 200, json: { ok: true, value: [] } });
});

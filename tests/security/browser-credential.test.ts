// Issue #14 §6, over plain HTTP against real hosts on loopback: where browser mode listens,
// that one instance's cookie does not open another, the opener's launch file (mode, no
// token, one use, expiry, and the opener's argv), and a 413 for oversized bodies.
// Chromium's side of the same attacks is browser-credential.e2e.test.ts.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { cookieName } from '../../src-main/web/guard';
import { openInBrowser } from '../../src-main/web/opener';
import { MAX_BODY_BYTES, startWebHost, type WebHost } from '../../src-main/web/server';
import { api, cookiePair, request } from './helpers';

let home: string;
let core: Core;
let staticDir: string;
const hosts: WebHost[] = [];

beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cred-'));
  staticDir = path.join(home, 'static');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Ops Console</title>');
  core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
});

afterAll(async () => {
  for (const host of hosts) await host.close();
  await core.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function host(options: { address?: string; launchTtlMs?: number } = {}): Promise<WebHost> {
  const started = await startWebHost({ core, staticDir, launchDir: path.join(home, 'run'), ...options });
  hosts.push(started);
  return started;
}

function bearer(h: WebHost): Record<string, string> {
  return { authorization: `Bearer ${h.token}` };
}

/** Logs in through the printed URL and returns the cookie pair the browser would keep. */
async function login(h: WebHost): Promise<string> {
  const reply = await request(h, { path: `/?token=${h.token}` });
  expect(reply.status).toBe(303);
  return cookiePair(reply);
}

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('where browser mode listens', () => {
  it('binds a private 127.x.y.z (cookies then reach no other local listener), loopback only', async () => {
    const h = await host({ address: 'private' });
    expect(h.address).toMatch(/^127\.\d+\.\d+\.\d+$/);
    expect(h.address).not.toBe('127.0.0.1');
    expect(h.sharedAddress).toBe(false);
    expect(h.loginUrl).toBe(`http://${h.address}:${h.port}/?token=${h.token}`);
    // Not also on 127.0.0.1, where every other local server's pages would share its cookies.
    expect(await connects('127.0.0.1', h.port)).toBe(false);
    // localhost resolves to 127.0.0.1, not to this host: a Host naming it is foreign.
    expect((await api(h, 'listProfiles', {}, { ...bearer(h), host: `localhost:${h.port}` })).status).toBe(403);
    expect((await api(h, 'listProfiles', {}, bearer(h))).status).toBe(200);
    await expect(startWebHost({ core, staticDir, address: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

describe('(b) two instances on one address keep their cookies apart', () => {
  it('names the cookie per port and accepts each only at its own instance', async () => {
    const first = await host();
    const second = await host();
    expect(first.sharedAddress).toBe(true);
    const firstCookie = await login(first);
    const secondCookie = await login(second);
    expect(firstCookie.split('=')[0]).toBe(cookieName(first.port));
    expect(secondCookie.split('=')[0]).toBe(cookieName(second.port));
    expect(firstCookie.split('=')[0]).not.toBe(secondCookie.split('=')[0]);
    // The cookie is derived, never the token itself (so it cannot become a login URL or Bearer).
    expect(firstCookie).not.toContain(first.token);

    // A browser on one address sends both cookies to both ports: each host picks its own.
    const both = `${firstCookie}; ${secondCookie}`;
    expect((await api(first, 'listProfiles', {}, { cookie: both })).status).toBe(200);
    expect((await api(second, 'listProfiles', {}, { cookie: both })).status).toBe(200);
    // Each cookie alone works at its instance only, even renamed to the other's name.
    expect((await api(first, 'listProfiles', {}, { cookie: firstCookie })).status).toBe(200);
    expect((await api(second, 'listProfiles', {}, { cookie: firstCookie })).status).toBe(401);
    expect((await api(first, 'listProfiles', {}, { cookie: secondCookie })).status).toBe(401);
    const renamed = `${cookieName(second.port)}=${firstCookie.split('=').slice(1).join('=')}`;
    expect((await api(second, 'listProfiles', {}, { cookie: renamed })).status).toBe(401);
    // Nor is the token accepted as a cookie value.
    expect((await api(first, 'listProfiles', {}, { cookie: `${cookieName(first.port)}=${first.token}` })).status).toBe(401);
  });
});

describe('(c) the launch file the opener gets', () => {
  it('is 0600 in a 0700 folder, holds no token, logs in once and is then deleted', async () => {
    const h = await host({ address: 'private' });
    const file = h.createLaunchFile();
    expect(path.dirname(file)).toBe(path.join(home, 'run'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).not.toContain(h.token);
    const launch = /url=(http:\/\/[^"]+)"/.exec(html)?.[1];
    expect(launch).toBeDefined();
    const target = new URL(launch!);
    expect(target.host).toBe(`${h.address}:${h.port}`);

    const used = await request(h, { path: `${target.pathname}${target.search}` });
    expect(used.status).toBe(200);
    // Continues from our own page (a redirect after a file:// start would drop the Strict cookie).
    expect(used.body).toContain('http-equiv="refresh" content="0; url=/"');
    const cookie = cookiePair(used);
    expect((await request(h, { path: '/', headers: { cookie } })).status).toBe(200);
    expect(fs.existsSync(file)).toBe(false);
    // One use: the same code again, or a made-up one, is refused.
    expect((await request(h, { path: `${target.pathname}${target.search}` })).status).toBe(401);
    expect((await request(h, { path: '/launch?code=guess' })).status).toBe(401);
  });

  it('expires unused: the file is deleted and its code refused', async () => {
    const h = await host({ address: 'private', launchTtlMs: 300 });
    const file = h.createLaunchFile();
    const launch = new URL(/url=(http:\/\/[^"]+)"/.exec(fs.readFileSync(file, 'utf8'))![1]!);
    await new Promise((r) => setTimeout(r, 600));
    expect(fs.existsSync(file)).toBe(false);
    expect((await request(h, { path: `${launch.pathname}${launch.search}` })).status).toBe(401);
  });

  it('is swept when a killed host left it behind, unless it may still be live', async () => {
    const dir = path.join(home, 'run');
    fs.mkdirSync(dir, { recursive: true });
    const stale = path.join(dir, 'open-00112233445566aa.html');
    const recent = path.join(dir, 'open-00112233445566bb.html');
    fs.writeFileSync(stale, 'left by a killed host', { mode: 0o600 });
    fs.writeFileSync(recent, 'another host, still live', { mode: 0o600 });
    const old = new Date(Date.now() - 60 * 60_000);
    fs.utimesSync(stale, old, old);
    await host({ address: 'private' });
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(recent)).toBe(true);
    fs.rmSync(recent);
  });

  it('reaches the opener as a path: its argv holds no token', async () => {
    const h = await host({ address: 'private' });
    const record = path.join(home, 'opener-argv.txt');
    const opener = path.join(home, 'record-opener.sh');
    // Records its argv and the mode of the file it got, the moment it runs.
    fs.writeFileSync(opener, `#!/bin/sh\n{ printf '%s\\n' "$0" "$@"; stat -c 'mode=%a' "$1"; } > "${record}.tmp"; mv "${record}.tmp" "${record}"\n`, {
      mode: 0o700,
    });
    const file = h.createLaunchFile();
    openInBrowser(file, { ...process.env, OPS_CONSOLE_OPENER: opener });
    for (let i = 0; i < 100 && !fs.existsSync(record); i++) await new Promise((r) => setTimeout(r, 50));
    const lines = fs.readFileSync(record, 'utf8').trim().split('\n');
    expect(lines).toEqual([opener, file, 'mode=600']);
    expect(lines.join('\n')).not.toContain(h.token);
    expect(lines.join('\n')).not.toMatch(/token=|code=/);
  });
});

describe('(d) oversized request bodies', () => {
  const big = (bytes: number) => JSON.stringify({ text: 'x'.repeat(bytes) });

  it('answers 413 with a JSON error, with or without Content-Length, and keeps serving', async () => {
    const h = await host();
    const body = big(2 * 1024 * 1024 + 512);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES);
    const declared = await request(h, { method: 'POST', path: '/api/listProfiles', headers: { ...bearer(h), 'content-type': 'application/json' }, body });
    expect(declared.status).toBe(413);
    expect(declared.headers['content-type']).toContain('application/json');
    expect(JSON.parse(declared.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('too large') } });

    // Chunked, no Content-Length: the limit is found while reading.
    const chunks = Array.from({ length: 40 }, () => Buffer.from('x'.repeat(64 * 1024)));
    const streamed = await request(h, {
      method: 'POST',
      path: '/api/listProfiles',
      headers: { ...bearer(h), 'content-type': 'application/json' },
      body: chunks,
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.code).toBe('INVALID_INPUT');

    // Still serving, and a body just under the limit is read as before.
    expect(JSON.parse((await api(h, 'listProfiles', {}, bearer(h))).body)).toEqual({ ok: true, value: [] });
    const under = await api(h, 'listProfiles', { pad: 'x'.repeat(MAX_BODY_BYTES - 100) }, bearer(h));
    expect(under.status).toBe(200);
  });
});

// Browser mode's loopback host: token, Host and Origin checks, and that a refused request
// executes nothing. Real HTTP on 127.0.0.1 against a real core.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { startWebHost, type WebHost } from '../../src-main/web/server';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(host: WebHost, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: host.port, method: opts.method ?? 'GET', path: opts.path, headers: { host: `127.0.0.1:${host.port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function api(host: WebHost, name: string, input: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return request(host, {
    method: 'POST',
    path: `/api/${name}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}`, ...headers },
    body: JSON.stringify(input),
  });
}

const profile = { name: 'web-test', host: '127.0.0.1', port: 5432, database: 'app', user: 'ops' };

describe('web host', () => {
  let home: string;
  let core: Core;
  let host: WebHost;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-web-'));
    const staticDir = path.join(home, 'static');
    fs.mkdirSync(staticDir);
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Ops Console</title>');
    fs.writeFileSync(path.join(home, 'secret.txt'), 'outside the static folder');
    core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
    host = await startWebHost({ core, staticDir });
  });

  afterAll(async () => {
    await host.close();
    await core.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('listens on loopback only and prints a token URL', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
    expect(host.loginUrl).toContain(`?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses every request without the token, static files included', async () => {
    expect((await request(host, { path: '/' })).status).toBe(401);
    expect((await request(host, { path: '/?token=wrong' })).status).toBe(401);
    const noToken = await request(host, { method: 'POST', path: '/api/listProfiles', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body).error.code).toBe('UNAUTHORIZED');
    expect((await request(host, { path: '/events' })).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly SameSite cookie that then opens the page', async () => {
    const login = await request(host, { path: `/?token=${host.token}` });
    expect(login.status).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await request(host, { path: '/', headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Ops Console</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('rejects a foreign Host (DNS rebinding) and a foreign Origin, and runs nothing', async () => {
    const rebinding = await api(host, 'createProfile', { profile }, { host: `evil.example:${host.port}` });
    expect(rebinding.status).toBe(403);
    const crossSite = await api(host, 'createProfile', { profile }, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    const nullOrigin = await api(host, 'createProfile', { profile }, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    const list = JSON.parse((await api(host, 'listProfiles', {})).body);
    expect(list).toEqual({ ok: true, value: [] });
    const audit = JSON.parse((await api(host, 'searchAudit', {})).body);
    expect(audit.value.entries).toEqual([]);
  });

  it('accepts its own Origin and runs the call through the core, audited', async () => {
    const created = JSON.parse((await api(host, 'createProfile', { profile }, { origin: `http://127.0.0.1:${host.port}` })).body);
    expect(created.ok).toBe(true);
    expect(created.value.name).toBe('web-test');
    const audit = JSON.parse((await api(host, 'searchAudit', {})).body);
    expect(audit.value.entries.map((e: { action: string }) => e.action)).toContain('profile.create');
  });

  it('answers bad input with a field-level message, and unknown operations with NOT_FOUND', async () => {
    const bad = JSON.parse((await api(host, 'createProfile', { profile: { ...profile, name: 'x2', port: 70000 } })).body);
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('INVALID_INPUT');
    expect(bad.error.message).toContain('profile.port');
    const unknown = JSON.parse((await api(host, 'dropEverything', {})).body);
    expect(unknown.error.code).toBe('NOT_FOUND');
    const notJson = await request(host, {
      method: 'POST',
      path: '/api/listProfiles',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(notJson.status).toBe(415);
  });

  it('sends a static file whole with its length, and HEAD the length only', async () => {
    // Larger than a read stream's 64 KB chunk, with a multi-byte character across the boundaries.
    const text = 'export const a = "é";\n'.repeat(12_000);
    fs.mkdirSync(path.join(home, 'static', 'assets'), { recursive: true });
    fs.writeFileSync(path.join(home, 'static', 'assets', 'big.js'), text);
    const auth = { authorization: `Bearer ${host.token}` };
    const reply = await request(host, { path: '/assets/big.js', headers: auth });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.body).toBe(text);
    const head = await request(host, { method: 'HEAD', path: '/assets/big.js', headers: auth });
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(head.body).toBe('');
  });

  it('never serves files outside the renderer folder', async () => {
    const auth = { authorization: `Bearer ${host.token}` };
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const reply = await request(host, { path: p, headers: auth });
      expect(reply.body).not.toContain('outside the static folder');
    }
  });

  it('pushes core events over the event stream', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, path: '/events', headers: { authorization: `Bearer ${host.token}` } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          // The first chunk means we are subscribed: now cause an audited action.
          if (text === '') void api(host, 'createProfile', { profile: { ...profile, name: 'web-events' } });
          text += c.toString('utf8');
          if (text.includes('audit.appended')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', (err) => (String(err).includes('socket hang up') ? undefined : reject(err)));
      req.end();
    });
    expect(await received).toContain('"type":"audit.appended"');
  });
});

// `serve` hands the host an opener (issue #21, cold start): the page goes out before the core's
// modules load, and the API waits for the core.
describe('web host with a core opened on demand', () => {
  let home: string;
  let staticDir: string;
  const hosts: WebHost[] = [];
  const cores: Core[] = [];

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-web-lazy-'));
    staticDir = path.join(home, 'static');
    fs.mkdirSync(staticDir);
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Ops Console</title>');
  });

  afterAll(async () => {
    for (const h of hosts) await h.close();
    for (const c of cores) await c.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('serves the page while the core is not open, answers API calls once it is, and opens it once', async () => {
    let opened = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const host = await startWebHost({
      core: async () => {
        opened++;
        await gate;
        const core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
        cores.push(core);
        return core;
      },
      staticDir,
    });
    hosts.push(host);
    const auth = { authorization: `Bearer ${host.token}` };
    const page = await request(host, { path: '/', headers: auth });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Ops Console</title>');
    // The token is still required before the core exists.
    expect((await request(host, { path: '/' })).status).toBe(401);
    let answered = false;
    const call = api(host, 'listProfiles', {}).then((reply) => ((answered = true), reply));
    const second = api(host, 'listProfiles', {});
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    release();
    for (const reply of await Promise.all([call, second])) expect(JSON.parse(reply.body)).toEqual({ ok: true, value: [] });
    expect(opened).toBe(1);
  });

  it('opens the core after the page went out, without waiting for an API call', async () => {
    let opened = 0;
    const host = await startWebHost({
      core: () => {
        opened++;
        const core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
        cores.push(core);
        return Promise.resolve(core);
      },
      staticDir,
    });
    hosts.push(host);
    expect((await request(host, { path: '/', headers: { authorization: `Bearer ${host.token}` } })).status).toBe(200);
    await host.coreReady;
    expect(opened).toBe(1);
  });

  it('waits for the start-up files index.html names before opening the core, and opens it once they went out', async () => {
    const pageDir = path.join(home, 'page');
    fs.mkdirSync(path.join(pageDir, 'assets'), { recursive: true });
    fs.writeFileSync(
      path.join(pageDir, 'index.html'),
      '<!doctype html><link rel="icon" href="data:image/svg+xml,x"><script type="module" crossorigin src="./assets/entry.js"></script>' +
        '<link rel="stylesheet" crossorigin href="./assets/entry.css"><title>Ops Console</title>',
    );
    fs.writeFileSync(path.join(pageDir, 'assets', 'entry.js'), 'export {};');
    fs.writeFileSync(path.join(pageDir, 'assets', 'entry.css'), 'body{}');
    let opened = 0;
    const host = await startWebHost({
      core: () => {
        opened++;
        const core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
        cores.push(core);
        return Promise.resolve(core);
      },
      staticDir: pageDir,
    });
    hosts.push(host);
    const auth = { authorization: `Bearer ${host.token}` };
    expect((await request(host, { path: '/', headers: auth })).status).toBe(200);
    // A browser under load asked for the scripts 60-110 ms after the HTML: the core must not start in between.
    await new Promise((r) => setTimeout(r, 120));
    expect(opened).toBe(0);
    expect((await request(host, { path: '/assets/entry.js', headers: auth })).status).toBe(200);
    expect(opened).toBe(0);
    expect((await request(host, { path: '/assets/entry.css', headers: auth })).status).toBe(200);
    await host.coreReady;
    expect(opened).toBe(1);
  });

  it('answers INTERNAL when the core cannot open, and says why to whoever started the host', async () => {
    const host = await startWebHost({ core: () => Promise.reject(new Error('store is newer than this app')), staticDir });
    hosts.push(host);
    const reply = await api(host, 'listProfiles', {});
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body).error).toMatchObject({ code: 'INTERNAL', message: 'store is newer than this app' });
    await expect(host.coreReady).rejects.toThrow('store is newer than this app');
  });
});

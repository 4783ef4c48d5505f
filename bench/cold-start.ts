// Browser mode cold start to first screen: spawn `ops-console serve` on a fresh home, wait
// for its URL, open it in Chromium (already running, as a user's browser would be) and
// stop the clock when the first screen's heading is visible. Baseline in the same run: the
// same Chromium opening a bare static page from a plain Node HTTP server.
// Run: npx tsx bench/cold-start.ts [--runs 5]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../tests/helpers/chromium';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'ops-console.cjs');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function oneColdStart(browser: Browser): Promise<{ totalMs: number; serverReadyMs: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-cold-'));
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, '--home', home, 'serve', '--port', '0', '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /http:\/\/127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d+\/\?token=[\w-]+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const serverReadyMs = performance.now() - started;
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('heading').first().waitFor({ state: 'visible' });
    const totalMs = performance.now() - started;
    await page.close();
    return { totalMs, serverReadyMs };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function baseline(browser: Browser): Promise<number> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><h1>hello</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const started = performance.now();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByRole('heading').first().waitFor({ state: 'visible' });
  const ms = performance.now() - started;
  await page.close();
  server.close();
  return ms;
}

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
  const browser = await launchChromium();
  try {
    const ours: Array<{ totalMs: number; serverReadyMs: number }> = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await oneColdStart(browser));
      bare.push(await baseline(browser));
    }
    const total = median(ours.map((o) => o.totalMs));
    const result = {
      runs,
      coldStartMedianMs: Math.round(total),
      coldStartMaxMs: Math.round(Math.max(...ours.map((o) => o.totalMs))),
      serverReadyMedianMs: Math.round(median(ours.map((o) => o.serverReadyMs))),
      bareStaticPageMedianMs: Math.round(median(bare)),
      target: '< 1500 ms',
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
  }
}

void main();

// Browser mode cold start to first screen: spawn `ops-console serve` on a fresh home, wait
// for its URL, open it in Chromium (already running, as a user's browser would be) and
// stop the clock when the first heading is visible (the frame's "Ops Console", the figure
// kept since issue #9) and again when the first screen's own heading is (the fresh home's
// "Welcome to Ops Console", which needs the app's info from the core). Baseline in the same
// run, between our rounds: the same Chromium opening a one-line page from a bare Node HTTP
// server. A new page of `browser.newPage()` is a new context: nothing is cached between rounds.
// Where the time goes comes from the page's own clock (navigation and resource timing, a
// mutation observer stamping the two headings), on the same epoch clock as ours.
// Run: npx tsx bench/cold-start.ts [--runs 7]   (build first: npm run bench -- cold-start)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../tests/helpers/chromium';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'ops-console.cjs');
const ASSETS = path.join(ROOT, 'out', 'renderer', 'assets');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Stamps (epoch ms) when the first h1 and the first `main h2` enter the document. */
const STAMP_HEADINGS = () => {
  const marks: Record<string, number> = {};
  (window as unknown as { __coldMarks: Record<string, number> }).__coldMarks = marks;
  new MutationObserver(() => {
    if (!marks.frame && document.querySelector('h1')) marks.frame = performance.timeOrigin + performance.now();
    if (!marks.screen && document.querySelector('main h2')) marks.screen = performance.timeOrigin + performance.now();
  }).observe(document, { childList: true, subtree: true });
};

interface PagePhases {
  /** When the navigation started (epoch ms; the redirect from ?token= included after it). */
  navigationStart: number;
  /** index.html received. */
  htmlEnd: number;
  /** The last script or stylesheet received. */
  assetsEnd: number;
  /** Bytes of script transferred (the entry and what it preloads). */
  scriptBytes: number;
  frame?: number;
  screen?: number;
}

async function pagePhases(page: Page): Promise<PagePhases> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const origin = performance.timeOrigin;
    const marks = (window as unknown as { __coldMarks?: Record<string, number> }).__coldMarks ?? {};
    // Only what was asked for before the frame's heading: the event stream's worker script
    // (initiator "other") is fetched after the first render and is not part of the start-up.
    // (No named function in here: tsx would wrap it in a __name helper the page does not have.)
    const frameAt = marks.frame ?? Infinity;
    const assets = resources.filter(
      (r) => (r.initiatorType === 'script' || r.initiatorType === 'link' || r.initiatorType === 'other') && origin + r.startTime < frameAt,
    );
    return {
      navigationStart: origin,
      htmlEnd: origin + nav.responseEnd,
      assetsEnd: origin + Math.max(nav.responseEnd, ...assets.map((r) => r.responseEnd)),
      scriptBytes: resources.filter((r) => r.name.endsWith('.js') && origin + r.startTime < frameAt).reduce((sum, r) => sum + r.encodedBodySize, 0),
      ...marks,
    };
  });
}

interface Round {
  totalMs: number;
  firstScreenMs: number;
  serverReadyMs: number;
  /** From the URL printed to the navigation starting (opening a page in the running browser). */
  openPageMs: number;
  /** Navigation start → index.html received (the 303 from ?token= and the HTML). */
  htmlMs: number;
  /** index.html → the last script and stylesheet received. */
  assetsMs: number;
  /** Assets received → the frame's heading in the document (parse, evaluate, first render). */
  parseAndRenderMs: number;
  /** The frame's heading → the first screen's heading (the app's info from the core, render). */
  firstScreenAfterFrameMs: number;
  scriptBytes: number;
}

async function oneColdStart(browser: Browser): Promise<Round> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-cold-'));
  const started = Date.now();
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
    const urlAt = Date.now();
    const page = await browser.newPage();
    await page.addInitScript(STAMP_HEADINGS);
    await page.goto(url);
    await page.getByRole('heading').first().waitFor({ state: 'visible' });
    const totalMs = Date.now() - started;
    await page.locator('main h2').first().waitFor({ state: 'visible' });
    const firstScreenMs = Date.now() - started;
    const p = await pagePhases(page);
    await page.close();
    return {
      totalMs,
      firstScreenMs,
      serverReadyMs: urlAt - started,
      openPageMs: p.navigationStart - urlAt,
      htmlMs: p.htmlEnd - p.navigationStart,
      assetsMs: p.assetsEnd - p.htmlEnd,
      parseAndRenderMs: (p.frame ?? NaN) - p.assetsEnd,
      firstScreenAfterFrameMs: (p.screen ?? NaN) - (p.frame ?? NaN),
      scriptBytes: p.scriptBytes,
    };
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
  const started = Date.now();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByRole('heading').first().waitFor({ state: 'visible' });
  const ms = Date.now() - started;
  await page.close();
  server.close();
  return ms;
}

/** The entry chunk and what index.html loads with it, as built (bytes on disk). */
function entryBytes(): { entry: number; firstLoad: number; allScripts: number } {
  const html = fs.readFileSync(path.join(ROOT, 'out', 'renderer', 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const size = (f: string) => fs.statSync(path.join(ASSETS, f)).size;
  const entry = /<script[^>]+src="\.\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  return {
    entry: entry ? size(entry) : 0,
    firstLoad: named.reduce((sum, f) => sum + size(f), 0),
    allScripts: fs
      .readdirSync(ASSETS)
      .filter((f) => f.endsWith('.js'))
      .reduce((sum, f) => sum + size(f), 0),
  };
}

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
  const loadBefore = os.loadavg().map((l) => l.toFixed(2));
  const browser = await launchChromium();
  try {
    // One warm-up of each, not counted: the first page of a fresh browser pays its own start-up.
    await oneColdStart(browser);
    await baseline(browser);
    const ours: Round[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await oneColdStart(browser));
      bare.push(await baseline(browser));
    }
    const med = (pick: (r: Round) => number) => Math.round(median(ours.map(pick)));
    const total = median(ours.map((o) => o.totalMs));
    const bareMedian = median(bare);
    const result = {
      date: new Date().toISOString(),
      load: { before: loadBefore, after: os.loadavg().map((l) => l.toFixed(2)) },
      runs,
      coldStartMedianMs: Math.round(total),
      coldStartMaxMs: Math.round(Math.max(...ours.map((o) => o.totalMs))),
      firstScreenMedianMs: med((r) => r.firstScreenMs),
      bareStaticPageMedianMs: Math.round(bareMedian),
      ratio: Number((total / bareMedian).toFixed(2)),
      firstScreenRatio: Number((median(ours.map((r) => r.firstScreenMs)) / bareMedian).toFixed(2)),
      pairedRatioMedian: Number(median(ours.map((o, i) => o.totalMs / bare[i]!)).toFixed(2)),
      phasesMedianMs: {
        serverReady: med((r) => r.serverReadyMs),
        openPage: med((r) => r.openPageMs),
        html: med((r) => r.htmlMs),
        assets: med((r) => r.assetsMs),
        parseAndRender: med((r) => r.parseAndRenderMs),
        firstScreenAfterFrame: med((r) => r.firstScreenAfterFrameMs),
      },
      scriptBytesTransferred: ours[0]!.scriptBytes,
      bundleBytes: entryBytes(),
      target: '≤ 2× the bare page',
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
  }
}

void main();

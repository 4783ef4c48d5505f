// Issue #21, cold start: the start-up stylesheet holds Mantine's styles for the frame only
// (src-renderer/src/app/startup-styles.ts) and each screen brings the whole of Mantine's with
// its chunk (app/core-styles.ts). These checks read the built renderer (out/renderer) and open
// one screen in Chromium: a frame component whose styles were left out of the start-up list,
// or a screen drawn before the whole stylesheet is in, fails here.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT, startApp } from './harness';
import { readChunkGraph } from './renderer-chunks';

const RENDERER = path.join(REPO_ROOT, 'out', 'renderer');
/** Mantine's class and keyframe names (m_ and a hash), as its components' JS and CSS name them. */
const MANTINE_NAME = /\bm_[0-9a-f]{5,8}\b/g;
const names = (text: string) => new Set(text.match(MANTINE_NAME) ?? []);

test('every Mantine class the startup scripts name is in the start-up stylesheet; a lazy one holds all of Mantine', () => {
  const graph = readChunkGraph(RENDERER);
  const html = fs.readFileSync(path.join(RENDERER, 'index.html'), 'utf8');
  const startupCss = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\.\/assets\/([^"]+\.css)"/g)].map((m) => m[1]!);
  expect(startupCss.length, 'stylesheets named by index.html').toBeGreaterThan(0);
  const styled = new Set(startupCss.flatMap((f) => [...names(fs.readFileSync(path.join(graph.assetsDir, f), 'utf8'))]));
  const used = new Set([...graph.startup].flatMap((c) => [...names(graph.read(c))]));
  // The frame draws dozens of Mantine components: an empty set would mean the pattern broke.
  expect(used.size).toBeGreaterThan(50);
  expect(
    [...used].filter((n) => !styled.has(n)),
    'names used at start-up without their styles',
  ).toEqual([]);

  // The whole of Mantine core, in a stylesheet index.html does not load (fetched with a screen).
  const all = names(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/@mantine/core/styles.css'), 'utf8'));
  const lazyCss = fs.readdirSync(graph.assetsDir).filter((f) => f.endsWith('.css') && !startupCss.includes(f));
  const whole = lazyCss.filter((f) => {
    const inFile = names(fs.readFileSync(path.join(graph.assetsDir, f), 'utf8'));
    return [...all].every((n) => inFile.has(n));
  });
  expect(whole, `lazy stylesheets: ${lazyCss.join(', ')}`).toHaveLength(1);
  // …and the start-up one is really a subset (else this split saves nothing).
  expect(styled.size).toBeLessThan(all.size / 2);
});

test('a screen is drawn only once the whole of Mantine’s stylesheet is in, after the start-up one', async () => {
  const app = await startApp();
  const { page } = app;
  await page.getByRole('heading', { name: 'Welcome to Ops Console' }).waitFor();
  const sheets = () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((l) => ({
        href: new URL(l.href).pathname,
        rules: l.sheet ? l.sheet.cssRules.length : -1,
      })),
    );
  // The first-run screen is the frame's: nothing but the start-up stylesheet yet.
  expect((await sheets()).map((s) => s.href)).toEqual([expect.stringMatching(/\/assets\/index-[\w-]+\.css$/)]);
  // Stamp the stylesheets when the Profiles screen's heading enters the page.
  await page.evaluate(() => {
    const w = window as unknown as { __sheetsAtScreen?: number[] };
    new MutationObserver((_m, observer) => {
      if (![...document.querySelectorAll('main h2')].some((h) => h.textContent === 'Profiles')) return;
      w.__sheetsAtScreen = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((l) => (l.sheet ? l.sheet.cssRules.length : -1));
      observer.disconnect();
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: /^Profiles/ })
    .click();
  await page.getByRole('heading', { name: 'Profiles', level: 2 }).waitFor();
  const atScreen = await page.evaluate(() => (window as unknown as { __sheetsAtScreen?: number[] }).__sheetsAtScreen);
  const after = await sheets();
  expect(after.map((s) => s.href)).toEqual([expect.stringMatching(/\/index-[\w-]+\.css$/), expect.stringMatching(/\/core-styles-[\w-]+\.css$/)]);
  // Both parsed when the heading came in: the whole stylesheet (hundreds of rules) after the start-up one.
  expect(atScreen).toHaveLength(2);
  expect(atScreen![1]).toBeGreaterThan(atScreen![0]!);
  expect(app.pageErrors).toEqual([]);
});

// Every screen in the navigation at the two window sizes of issue #19 (1440x900, 1024x700), on
// the demo sandbox, in ONE app start: the page never scrolls sideways and no visible button in
// the main area is clipped (scrolled into view vertically first, as a user would; a button that
// needs a sideways scroll or is cut by an ancestor's overflow counts as clipped). Problems are
// collected across all screens and asserted once at the end, so one run reports every screen;
// a screenshot of each screen at each size goes to test-results/screens/<screen>-<width>.png.
// The first pass opens each screen through its sidebar link, the second by its shortcut. Each
// screen is a chunk of its own (issue #21): the run also proves every screen's chunk was
// fetched and none failed, and a fast check of the build proves the first screen's scripts
// hold neither CodeMirror nor the charts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import pg from 'pg';
import { expect, onTestFinished, test } from 'vitest';
import { SCREENS, shortcutFor, type ScreenId } from '../../src-renderer/src/shared/state/screens';
import { REPO_ROOT, RESULTS_DIR, startApp } from './harness';
import { readChunkGraph } from './renderer-chunks';
import { VIEWPORTS, expectNoPageHorizontalScroll, expectNoPageVerticalScroll, expectNotClipped, setViewport, type ViewportName } from './layout';

/** The sandbox's libpq URL, from the CLI on the same home. */
function sandboxUrl(home: string): string {
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin/ops-console.cjs'), '--home', home, 'sandbox', 'status', '--json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { url: string }).url;
}

const FILLS_WINDOW = new Set<string>(['query', 'schema', 'serverlog']);

/** Buttons checked per screen and size: enough for every toolbar and the first rows of a table. */
const MAX_BUTTONS = 120;

/** The component each screen's chunk is named after (rolldown names a chunk by its module). */
const SCREEN_MODULES: Record<ScreenId, string> = {
  checklists: 'ChecklistsScreen',
  query: 'QueryScreen',
  activity: 'ActivityScreen',
  performance: 'PerformanceScreen',
  backups: 'BackupsScreen',
  restore: 'RestoreScreen',
  audit: 'AuditScreen',
  profiles: 'ProfilesScreen',
  schema: 'SchemaScreen',
  serverlog: 'ServerLogScreen',
  fleet: 'FleetScreen',
};

type Via = 'sidebar' | 'shortcut';

/** Opens a screen by its sidebar link or its shortcut and waits until it is the current one and done loading. */
async function openScreen(page: Page, screen: (typeof SCREENS)[number], via: Via): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  if (via === 'sidebar') {
    // The link's name is the label (plus the due count on Checklists); folded, its aria-label.
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: new RegExp(`^${screen.label}`) })
      .click();
  } else await page.keyboard.press(shortcutFor(screen.id));
  await page.waitForFunction(
    (label) => {
      const el = document.querySelector('nav [aria-current="page"]');
      return Boolean(el && (el.getAttribute('aria-label') === label || (el.textContent ?? '').includes(label)));
    },
    screen.label,
    { timeout: 10_000 },
  );
  await page.locator('main h2').first().waitFor({ timeout: 15_000 });
  // Polling screens show a loader until their first answer; give them that long, no longer.
  await page.waitForFunction(() => document.querySelectorAll('main .mantine-Loader-root').length === 0, undefined, { timeout: 15_000 }).catch(() => undefined);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Brings the element into view by vertical scrolling only (sideways scroll positions are put back). */
async function scrollIntoViewVertically(button: Locator): Promise<void> {
  await button.evaluate((el: Element) => {
    const lefts: Array<[Element, number]> = [];
    for (let a = el.parentElement; a; a = a.parentElement) lefts.push([a, a.scrollLeft]);
    const pageLeft = window.scrollX;
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    for (const [a, left] of lefts) a.scrollLeft = left;
    window.scrollTo(pageLeft, window.scrollY);
  });
}

async function buttonName(button: Locator): Promise<string> {
  return button.evaluate(
    (el: Element) => (el.getAttribute('aria-label') ?? (el.textContent ?? '').replace(/\s+/g, ' ').trim()).slice(0, 60) || el.outerHTML.slice(0, 80),
  );
}

const likeOf = new Map<string, string>();

/** Problems by where and what (a table's rows clip alike: one line with the count and the first names). */
type Problems = Map<string, string[]>;

async function check(problems: Problems, where: string, fn: () => Promise<void>, button?: string): Promise<void> {
  try {
    await fn();
  } catch (err) {
    // An assertion carries what it found (the clipping helper: its list of problems).
    const actual = (err as { actual?: unknown }).actual;
    const detail = Array.isArray(actual) ? actual.join('; ') : (err instanceof Error ? err.message : String(err)).split('\n')[0];
    // Rows of a table clip alike at different heights: one entry, the first one's coordinates.
    const like = `${where}: ${(detail ?? '').replace(/\(-?\d+,-?\d+\)–\(-?\d+,-?\d+\)/g, '(…)')}`;
    const known = [...problems.keys()].find((k) => likeOf.get(k) === like);
    const key = known ?? `${where}: ${detail}`;
    likeOf.set(key, like);
    problems.set(key, [...(problems.get(key) ?? []), ...(button !== undefined ? [button] : [])]);
  }
}

function report(problems: Problems): string[] {
  return [...problems].map(([key, buttons]) =>
    buttons.length === 0
      ? key
      : `${key} — ${buttons.length} button(s): ${buttons
          .slice(0, 3)
          .map((b) => `"${b}"`)
          .join(', ')}${buttons.length > 3 ? ', …' : ''}`,
  );
}

/** The visible buttons of the main area, each scrolled into view (vertically) and checked; returns how many. */
async function checkButtons(page: Page, where: string, problems: Problems): Promise<number> {
  const buttons = page.locator('main').getByRole('button');
  const count = Math.min(await buttons.count(), MAX_BUTTONS);
  let checked = 0;
  for (let i = 0; i < count; i++) {
    const button = buttons.nth(i);
    if (!(await button.isVisible())) continue;
    const name = await buttonName(button);
    checked++;
    await check(
      problems,
      where,
      async () => {
        await scrollIntoViewVertically(button);
        await expectNotClipped(button, `button "${name}"`);
      },
      name,
    );
  }
  return checked;
}

async function resetScroll(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    for (const el of document.querySelectorAll('main *')) if (el.scrollTop > 0) el.scrollTop = 0;
  });
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/\(.*?\)|\d.*$/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** One screen at one size, then each of its tabs: the page does not scroll sideways, no button is clipped. */
async function checkScreen(page: Page, screen: (typeof SCREENS)[number], size: ViewportName, via: Via, problems: Problems, counts: string[]): Promise<void> {
  const width = VIEWPORTS[size].width;
  const where = `${screen.label} at ${width}x${VIEWPORTS[size].height}`;
  await check(problems, where, () => openScreen(page, screen, via));
  await check(problems, where, () => expectNoPageHorizontalScroll(page));
  // The screens that fill the window (editor and grid, tree and detail, log): their panes scroll, the page never does.
  if (FILLS_WINDOW.has(screen.id)) await check(problems, where, () => expectNoPageVerticalScroll(page));
  counts.push(`${where}: ${await checkButtons(page, where, problems)} buttons`);
  await resetScroll(page);
  await page.screenshot({ path: path.join(RESULTS_DIR, 'screens', `${screen.id}-${width}.png`) });
  // The screen's own tabs (Performance's Tables, Activity's Blocking…): each is a view of its own.
  const tabs = page.locator('main').getByRole('tab');
  const names: string[] = [];
  for (let i = 0; i < (await tabs.count()); i++) if (await tabs.nth(i).isVisible()) names.push((await tabs.nth(i).textContent()) ?? '');
  for (const [i, name] of names.slice(1).entries()) {
    const tabWhere = `${where}, tab "${name}"`;
    await check(problems, tabWhere, async () => {
      await page
        .locator('main')
        .getByRole('tab')
        .nth(i + 1)
        .click();
      await page
        .waitForFunction(() => document.querySelectorAll('main .mantine-Loader-root').length === 0, undefined, { timeout: 15_000 })
        .catch(() => undefined);
      await expectNoPageHorizontalScroll(page);
    });
    counts.push(`${tabWhere}: ${await checkButtons(page, tabWhere, problems)} buttons`);
    await resetScroll(page);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'screens', `${screen.id}-${slug(name)}-${width}.png`) });
  }
  if (names.length > 1) await page.locator('main').getByRole('tab').first().click();
  if (screen.id === 'backups') await checkBackupDetails(page, where, width, problems);
}

/** Elements inside `root` that scroll sideways (content wider than their box), named by class. */
async function sidewaysScrollers(root: Locator): Promise<string[]> {
  return root.evaluate((el: Element) =>
    [el, ...el.querySelectorAll('*')]
      .filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
      .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> scrolls sideways: ${e.scrollWidth}px of content in ${e.clientWidth}px`),
  );
}

/** The backup Details dialog (issue #19: it scrolled sideways): no sideways scroll inside, no clipped button. */
async function checkBackupDetails(page: Page, where: string, width: number, problems: Problems): Promise<void> {
  const dialogWhere = `${where}, backup Details dialog`;
  await check(problems, dialogWhere, async () => {
    await page
      .locator('main')
      .getByRole('button', { name: /^Details of / })
      .first()
      .click({ timeout: 10_000 });
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page
      .waitForFunction(() => document.querySelectorAll('[role="dialog"] .mantine-Loader-root').length === 0, undefined, { timeout: 15_000 })
      .catch(() => undefined);
    expect(await sidewaysScrollers(dialog)).toEqual([]);
  });
  const buttons = page.getByRole('dialog').getByRole('button');
  for (let i = 0; i < Math.min(await buttons.count(), MAX_BUTTONS); i++) {
    const button = buttons.nth(i);
    if (!(await button.isVisible())) continue;
    const name = await buttonName(button);
    await check(problems, dialogWhere, () => expectNotClipped(button, `button "${name}"`), name);
  }
  await page.screenshot({ path: path.join(RESULTS_DIR, 'screens', `backups-details-${width}.png`) });
  await page.keyboard.press('Escape');
  await page
    .getByRole('dialog')
    .waitFor({ state: 'hidden' })
    .catch(() => undefined);
}

test('every screen fits both window sizes: no sideways page scroll, no clipped button', async () => {
  const app = await startApp({ viewport: VIEWPORTS.large });
  fs.mkdirSync(path.join(RESULTS_DIR, 'screens'), { recursive: true });
  // Every script the page fetches from here on (the first-run screen is up: the startup chunks
  // are in), and any that failed (a 4xx/5xx already lands in pageErrors).
  const scripts: string[] = [];
  const failed: string[] = [];
  app.page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(path.basename(new URL(request.url()).pathname));
  });
  app.page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  // The demo sandbox from the first-run screen, active once its band shows (where the app lands after is the first-run's business).
  await app.page.getByRole('button', { name: 'Start the demo sandbox' }).click();
  await app.page
    .getByRole('status', { name: 'Environment: SANDBOX' })
    .waitFor({ timeout: 60_000 })
    .catch(async (err: unknown) => {
      await app.screenshot('screens/sandbox-start-failed.png');
      throw new Error(`the sandbox did not become active: ${String(err)}\npage errors: ${app.pageErrors.join('\n')}`);
    });
  // A session holding an advisory lock in an open transaction and one waiting for it: Activity's
  // sessions, Blocking and Long-running views get rows with their Cancel/Terminate buttons.
  const url = sandboxUrl(app.home);
  const holder = new pg.Client({ connectionString: url, application_name: 'layout-holder' });
  const waiter = new pg.Client({ connectionString: url, application_name: 'layout-waiter' });
  await holder.connect();
  await waiter.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT pg_advisory_xact_lock(4242)');
  const waiting = waiter.query('SELECT pg_advisory_xact_lock(4242)').catch(() => undefined);
  // A backup in the catalog: the Backups table gets a row and its Details dialog can be opened.
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin/ops-console.cjs'), '--home', app.home, 'backup', 'sandbox', '--json'], { encoding: 'utf8' });
  onTestFinished(async () => {
    await holder.query('ROLLBACK').catch(() => undefined);
    await waiting;
    await Promise.all([holder.end(), waiter.end()]);
  });
  const problems: Problems = new Map();
  const counts: string[] = [];
  for (const size of ['large', 'small'] as const) {
    await setViewport(app.page, size);
    for (const screen of SCREENS) await checkScreen(app.page, screen, size, size === 'large' ? 'sidebar' : 'shortcut', problems, counts);
  }
  // Each screen came from its own chunk, fetched when it opened (not with the first screen).
  const notFetched = SCREENS.filter((s) => !scripts.some((f) => f.startsWith(`${SCREEN_MODULES[s.id]}-`))).map((s) => s.label);
  expect(notFetched, `screens whose chunk was never fetched; fetched: ${scripts.join(', ')}`).toEqual([]);
  expect(failed).toEqual([]);
  // What was looked at, for the log of the run (a screen with no button checked is suspicious).
  console.log(counts.join('\n'));
  const found = report(problems);
  expect(found, found.join('\n')).toEqual([]);
  expect(app.pageErrors).toEqual([]);
}, 300_000);

test('the first screen loads the frame only: each other screen is a chunk of its own, CodeMirror and the charts come with theirs', () => {
  const graph = readChunkGraph(path.join(REPO_ROOT, 'out', 'renderer'));
  const holding = (chunks: Iterable<string>, marker: string) => [...chunks].filter((c) => graph.read(c).includes(marker));
  // What survives minification: CodeMirror's editor class, recharts' class prefix, zod's type tag.
  const CODEMIRROR = 'cm-editor';
  const CHARTS = 'recharts-';
  const ZOD = '$ZodType';
  expect(holding(graph.startup, CODEMIRROR), 'startup chunks holding CodeMirror').toEqual([]);
  expect(holding(graph.startup, CHARTS), 'startup chunks holding the charts').toEqual([]);
  // The contract's zod schemas validate in the core; the renderer's startup needs types only.
  expect(holding(graph.startup, ZOD), 'startup chunks holding zod').toEqual([]);
  expect(
    [...graph.startup].filter((c) => /Screen-[\w-]+\.js$/.test(c)),
    'screen chunks loaded at startup',
  ).toEqual([]);
  const chunkOf = (id: ScreenId) => [...graph.lazy].find((c) => c.startsWith(`${SCREEN_MODULES[id]}-`));
  expect(
    SCREENS.filter((s) => !chunkOf(s.id)).map((s) => s.label),
    'screens without a lazy chunk',
  ).toEqual([]);
  // The markers are really there, where they belong: the checks above could not pass by missing them.
  expect(holding(graph.closure(chunkOf('query')!), CODEMIRROR)).not.toEqual([]);
  expect(holding(graph.closure(chunkOf('performance')!), CHARTS)).not.toEqual([]);
  expect(holding(graph.closure(chunkOf('profiles')!), ZOD)).not.toEqual([]);
});

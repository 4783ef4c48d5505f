// Issue #9 through the UI, on the demo sandbox: a table the test loads and queries (so
// pg_stat_statements has a statement of ours), with a duplicate index and deleted rows.
// Each tab of the Performance screen is opened and photographed: the Overview's checks, the
// top queries listing ours (opened in the console from there), the duplicate index flagged,
// a VACUUM run from the Tables tab with its result, the app metrics and the history charts.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, test } from 'vitest';
import { REPO_ROOT, editorText, startApp, startSandbox, type E2eApp } from './harness';

/** The sandbox's libpq URL, from the CLI on the same home. */
function sandboxUrl(home: string): string {
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin/ops-console.cjs'), '--home', home, 'sandbox', 'status', '--json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { url: string }).url;
}

/** Load: a table read by the same filtered count many times, two identical indexes, then half its rows deleted. */
async function generateLoad(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE e2e_perf AS SELECT g AS id, g % 1000 AS n, md5(g::text) AS payload FROM generate_series(1, 200000) g');
    await client.query('CREATE INDEX e2e_perf_n ON e2e_perf (n)');
    await client.query('CREATE INDEX e2e_perf_n_copy ON e2e_perf (n)');
    await client.query('ANALYZE e2e_perf');
    // Different constants, one normalised statement: calls add up under one queryid.
    for (let i = 0; i < 12; i++) await client.query(`SELECT count(*) FROM e2e_perf WHERE payload LIKE '%${i}ab%'`);
    await client.query('DELETE FROM e2e_perf WHERE id % 2 = 0');
  } finally {
    await client.end();
  }
}

/**
 * The core stores at most one snapshot a minute per profile, so two real refreshes are a
 * minute apart. Rather than wait, add one older snapshot next to the one the first refresh
 * stored (10 minutes earlier, the database 1 MB smaller): the charts then have two points.
 */
function addEarlierSnapshot(home: string): void {
  const db = new Database(path.join(home, 'ops-console.sqlite'));
  try {
    const row = db.prepare('SELECT profile_id, at, values_json FROM metric_snapshots ORDER BY at DESC LIMIT 1').get() as
      { profile_id: string; at: string; values_json: string } | undefined;
    if (!row) throw new Error('the Overview stored no snapshot');
    const earlier = new Date(new Date(row.at).getTime() - 10 * 60_000).toISOString();
    const values = JSON.parse(row.values_json) as Record<string, number>;
    values.databaseSizeBytes = (values.databaseSizeBytes ?? 0) - 1024 * 1024;
    db.prepare('INSERT INTO metric_snapshots (profile_id, at, values_json) VALUES (?, ?, ?)').run(row.profile_id, earlier, JSON.stringify(values));
  } finally {
    db.close();
  }
}

/**
 * The capacity forecast's history (issue #23): a daily point on each of the 19 days before
 * yesterday (at noon, so none falls in the 24-hour charts), the database growing 0.5 MB a day
 * up to today's size, and this profile's size thresholds set 5 MB and 20 MB above it: the
 * warning is 10 days out. Returns that crossing day (UTC).
 */
function seedForecastHistory(home: string): string {
  const db = new Database(path.join(home, 'ops-console.sqlite'));
  try {
    const row = db.prepare('SELECT profile_id, values_json FROM metric_snapshots ORDER BY at DESC LIMIT 1').get() as {
      profile_id: string;
      values_json: string;
    };
    const size = (JSON.parse(row.values_json) as { databaseSizeBytes: number }).databaseSizeBytes;
    const MiB = 1024 * 1024;
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const insert = db.prepare('INSERT INTO metric_snapshots (profile_id, at, values_json) VALUES (?, ?, ?)');
    for (let d = -20; d <= -2; d++)
      insert.run(row.profile_id, `${day(d)}T12:00:00.000Z`, JSON.stringify({ databaseSizeBytes: size + d * 0.5 * MiB, connections: 3 }));
    const threshold = db.prepare("INSERT OR REPLACE INTO threshold_overrides (profile_id, key, warn, critical, updated_at) VALUES (?, 'dbSize', ?, ?, 'now')");
    threshold.run(row.profile_id, size + 5 * MiB, size + 20 * MiB);
    return day(10);
  } finally {
    db.close();
  }
}

async function openTab(app: E2eApp, name: string): Promise<void> {
  await app.page.getByRole('tab', { name, exact: true }).click();
}

test('the Performance screen on the sandbox: checks, top queries, indexes, VACUUM, app metrics, history', async () => {
  const app = await startApp();
  const { page } = app;
  await startSandbox(page);
  await generateLoad(sandboxUrl(app.home));

  await page.getByRole('button', { name: 'Performance', exact: true }).click();
  await page.getByRole('heading', { name: 'Performance', exact: true }).waitFor();

  // Overview: every check as a card with its status; the figures beside them.
  const checks = page.getByRole('list', { name: 'Health checks' });
  await checks.waitFor({ timeout: 30_000 });
  const cards = checks.getByRole('group');
  expect(await cards.count()).toBeGreaterThanOrEqual(6);
  await checks.getByRole('group', { name: /^Database size: (OK|WARNING|CRITICAL|UNKNOWN)$/ }).waitFor();
  await checks.getByRole('group', { name: /^Connections: (OK|WARNING|CRITICAL|UNKNOWN)$/ }).waitFor();
  expect(await checks.textContent()).toMatch(/warning at .+critical at /);
  expect(await page.getByRole('region', { name: 'Figures' }).textContent()).toMatch(/Connections\d+ of 50/);
  await app.screenshot('performance-overview.png');

  // Queries: ours among the top statements by total time, with the reset date shown.
  await openTab(app, 'Queries');
  const top = page.getByRole('table', { name: 'Top queries' });
  await top.waitFor({ timeout: 30_000 });
  const ours = top.getByRole('row').filter({ hasText: 'FROM e2e_perf WHERE payload LIKE' });
  await ours.first().waitFor();
  expect(await ours.first().textContent()).toMatch(/LIKE \$1/);
  // The segmented control's radios are visually hidden: click the label, as a person would.
  await page.getByRole('radiogroup', { name: 'Order top queries by' }).getByText('Calls', { exact: true }).click();
  expect(await page.getByRole('radio', { name: 'Calls' }).isChecked()).toBe(true);
  await top.getByRole('row').filter({ hasText: 'FROM e2e_perf WHERE payload LIKE' }).first().waitFor({ timeout: 30_000 });
  await app.screenshot('performance-queries.png');

  // Indexes: the copy of e2e_perf_n is a duplicate to drop.
  await openTab(app, 'Indexes');
  const duplicates = page.getByRole('region', { name: 'Duplicate and overlapping indexes' });
  await duplicates.waitFor({ timeout: 30_000 });
  const pair = duplicates.getByRole('group', { name: /^Duplicate index e2e_perf_n(_copy)?$/ });
  await pair.waitFor();
  expect(await pair.textContent()).toMatch(/e2e_perf_n(_copy)? has the same key columns as e2e_perf_n(_copy)?/);
  expect(await page.getByRole('region', { name: 'Unused indexes' }).textContent()).toContain('statistics reset');
  await app.screenshot('performance-indexes.png');

  // Tables & storage: VACUUM (ANALYZE) the table the test deleted from, with its result.
  await openTab(app, 'Tables & storage');
  const tables = page.getByRole('table', { name: 'Tables' });
  await tables.waitFor({ timeout: 30_000 });
  await tables.getByRole('row', { name: 'Table public.e2e_perf', exact: true }).waitFor();
  await app.screenshot('performance-tables.png');
  await page.getByRole('button', { name: 'VACUUM public.e2e_perf', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'VACUUM public.e2e_perf' });
  await dialog.waitFor();
  expect(await dialog.getByRole('checkbox', { name: /^ANALYZE/ }).isChecked()).toBe(true);
  expect(await dialog.getByRole('checkbox', { name: /^FULL/ }).isChecked()).toBe(false);
  // FULL warns about the lock; back off it again.
  await dialog.getByRole('checkbox', { name: /^FULL/ }).check();
  await dialog.getByText('VACUUM FULL locks the table').waitFor();
  await dialog.getByRole('checkbox', { name: /^FULL/ }).uncheck();
  expect(await dialog.getByText('VACUUM (ANALYZE) "public"."e2e_perf";').count()).toBe(1);
  await dialog.getByRole('button', { name: 'Run VACUUM', exact: true }).click();
  const done = dialog.getByRole('status').filter({ hasText: 'VACUUM finished' });
  // A refusal shows as an alert instead: fail with its words rather than a timeout.
  await done.or(dialog.getByRole('alert')).first().waitFor({ timeout: 60_000 });
  if ((await done.count()) === 0) throw new Error(`VACUUM did not finish: ${await dialog.textContent()}`);
  expect(await done.textContent()).toMatch(/VACUUM ANALYZE of public\.e2e_perf took .+: dead tuples [\d,]+ → [\d,]+\./);
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });

  // App metrics: the seeded shop's figures.
  await openTab(app, 'App metrics');
  const metrics = page.getByRole('list', { name: 'Application metrics' });
  await metrics.waitFor({ timeout: 30_000 });
  expect(await metrics.getByRole('listitem', { name: 'Active users (24 h)' }).textContent()).toMatch(/Active users \(24 h\)\d/);
  await app.screenshot('performance-app-metrics.png');

  // History: the first refresh's snapshot plus an earlier one → a line in each chart.
  addEarlierSnapshot(app.home);
  await openTab(app, 'History');
  const size = page.getByRole('region', { name: 'Database size history' });
  await size.getByText('2 snapshots').waitFor({ timeout: 30_000 });
  // The line from the earlier snapshot to the newer one (a level line has no height, so
  // "attached", not "visible"), and the trend in words.
  const curve = size.locator('.recharts-line path.recharts-curve').first();
  await curve.waitFor({ state: 'attached' });
  expect(await curve.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
  expect(await size.textContent()).toMatch(/up \d+\.\d % over the range/);
  await page.getByRole('region', { name: 'Connections history' }).getByText('2 snapshots').waitFor();
  await app.screenshot('performance-history.png');

  // The capacity forecast: the dashed projection to the warning, its day marked and named.
  const crossing = seedForecastHistory(app.home);
  await openTab(app, 'Overview');
  await openTab(app, 'History');
  const forecast = page.getByRole('region', { name: 'Database size forecast' });
  await forecast.getByText(new RegExp(`Reaches the warning \\(.+\\) on ${crossing}`)).waitFor({ timeout: 30_000 });
  expect(await forecast.textContent()).toMatch(/WARNING/);
  await forecast.locator('.recharts-line path.recharts-curve[stroke-dasharray="6 4"]').waitFor({ state: 'attached' });
  // The warning's level and its day (the critical one lies above the drawn range).
  expect(await forecast.locator('.recharts-reference-line').count()).toBe(2);
  expect(await forecast.locator('svg').first().textContent()).toContain(`warning ${crossing}`);
  expect(await page.getByRole('group', { name: 'Transaction ID age forecast' }).textContent()).toMatch(/more days? of snapshots needed/);
  await forecast.scrollIntoViewIfNeeded();
  await app.screenshot('performance-forecast.png');
  // The same charts in the dark theme (theme colours: lines and axes stay readable).
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await page.locator('html[data-mantine-color-scheme="dark"]').waitFor({ state: 'attached' });
  await app.screenshot('performance-history-dark.png');
  await page.getByRole('button', { name: 'Switch to light theme' }).click();

  // Back to Queries: "Open in console" puts our statement in a new editor tab.
  await openTab(app, 'Queries');
  await top
    .getByRole('row')
    .filter({ hasText: 'FROM e2e_perf WHERE payload LIKE' })
    .first()
    .getByRole('button', { name: /^Open query .+ in the console$/ })
    .click();
  const editor = page.getByRole('textbox', { name: 'SQL editor', exact: true });
  await editor.waitFor();
  await page.locator('.cm-content[contenteditable="true"]').waitFor();
  await expect.poll(() => editorText(editor), { timeout: 10_000 }).toContain('FROM e2e_perf WHERE payload LIKE $1');
  expect(app.pageErrors).toEqual([]);
}, 240_000);

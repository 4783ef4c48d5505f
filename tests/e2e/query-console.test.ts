// Issue #4's acceptance through the UI, beyond the first increment: a million rows stream
// into the grid and Fetch more continues the open cursor; production blocks an UPDATE
// without WHERE and the audit trail records the attempt; a read-only profile's INSERT fails
// at the server; EXPLAIN ANALYZE shows a plan tree; history re-runs; snippets and export.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, inject, onTestFinished, test } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { quoteIdent, withClient } from '../helpers/pg';
import { addProfileThroughForm, openQueryConsole, runInEditor, startApp, typeInEditor } from './harness';

function resultGrid(page: Page, statement = 1) {
  return page.getByRole('grid', { name: `Result of statement ${statement}` });
}

/** Body rows shown in the grid (aria-rowcount counts the header too). */
async function gridRows(page: Page, statement = 1): Promise<number> {
  return Number(await resultGrid(page, statement).getAttribute('aria-rowcount')) - 1;
}

async function auditEntries(home: string, action: string): Promise<Array<{ profile: string; outcome: string; summary: string }>> {
  const run = await runCli(home, ['audit', 'list', '--action', action, '--json']);
  return (json(run).entries as Array<{ profile: string; outcome: string; summary: string }>) ?? [];
}

async function scratchTable(prefix: string): Promise<string> {
  const pg = inject('pg');
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  await withClient(pg, (c) =>
    c.query(`CREATE TABLE ${quoteIdent(name)} (id int PRIMARY KEY, v int NOT NULL); INSERT INTO ${quoteIdent(name)} VALUES (1, 1), (2, 1);`),
  );
  onTestFinished(() => withClient(pg, (c) => c.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`)).then(() => undefined));
  return name;
}

test('a million rows stream into the grid; the limit stops at 200,000 and Fetch more continues the open cursor', async () => {
  const pg = inject('pg');
  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, pg, { name: 'e2e-million' });
  const editor = await openQueryConsole(page);

  await runInEditor(editor, 'SELECT g, md5(g::text) AS hash, g::numeric / 7 AS seventh FROM generate_series(1, 1000000) g', 'Control+Enter');
  // Rows are painted while the rest is still on its way (the tab says "running").
  await resultGrid(page).locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 30_000 });
  const notice = page.getByRole('status', { name: 'Row limit reached' });
  await notice.waitFor({ timeout: 60_000 });
  expect(await notice.textContent()).toContain('Stopped at 200,000 rows');
  await expect.poll(() => gridRows(page), { timeout: 30_000 }).toBe(200_000);
  await app.screenshot('query-limit.png');

  await notice.getByRole('button', { name: 'Fetch 200,000 more' }).click();
  await expect.poll(() => gridRows(page), { timeout: 60_000 }).toBe(400_000);

  // The end of the grid is reachable and shows the exact last row: 400,000 (not a re-run).
  const grid = resultGrid(page);
  await grid.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first().click();
  await page.keyboard.press('Control+End');
  const last = grid.locator(`[role="row"][aria-rowindex="${400_000 + 1}"]`);
  await last.waitFor({ timeout: 10_000 });
  const cells = await last.locator('[role="gridcell"]').allTextContents();
  expect(cells[0]).toBe('400000');
  expect(cells[2]).toBe('57142.857142857143');

  await notice.getByRole('button', { name: 'Close result' }).click();
  await notice.getByRole('button', { name: /Fetch/ }).waitFor({ state: 'detached' });
  expect(app.pageErrors).toEqual([]);
}, 180_000);

test('production: an UPDATE without WHERE is blocked, nothing changes, and the audit trail records the attempt', async () => {
  const pg = inject('pg');
  const table = await scratchTable('e2e_blocked');
  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, pg, { name: 'e2e-prod-block', env: 'production', readOnly: false });
  const editor = await openQueryConsole(page);

  await runInEditor(editor, `UPDATE ${table} SET v = 5`);
  const dialog = page.getByRole('dialog', { name: /Blocked/ });
  await dialog.waitFor({ timeout: 30_000 });
  expect(await dialog.textContent()).toContain(`UPDATE ${table} SET v = 5`);
  await app.screenshot('query-blocked.png');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });

  const values = await withClient(pg, async (c) => (await c.query<{ v: number }>(`SELECT v FROM ${quoteIdent(table)} ORDER BY id`)).rows.map((r) => r.v));
  expect(values).toEqual([1, 1]);
  const entries = await auditEntries(app.home, 'query.run');
  const attempt = entries.find((e) => e.profile === 'e2e-prod-block');
  expect(attempt).toMatchObject({ outcome: 'refused' });
  expect(attempt!.summary).toMatch(/^blocked: UPDATE without WHERE/);
  expect(app.pageErrors).toEqual([]);
}, 120_000);

test('read-only: an INSERT is refused before it runs, naming the rule', async () => {
  const pg = inject('pg');
  const table = await scratchTable('e2e_readonly');
  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, pg, { name: 'e2e-ro', env: 'staging', readOnly: true });
  const editor = await openQueryConsole(page);

  await runInEditor(editor, `INSERT INTO ${table} VALUES (3, 3)`);
  const alert = page.getByRole('alert').filter({ hasText: 'which only observes' });
  await alert.waitFor({ timeout: 30_000 });
  expect(await alert.textContent()).toContain('INSERT is not a read');
  const count = await withClient(pg, async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(table)}`)).rows[0]!.n);
  expect(count).toBe(2);
  expect(app.pageErrors).toEqual([]);
}, 120_000);

test('EXPLAIN ANALYZE shows the plan as a tree with the costliest nodes; history re-runs; a snippet opens; export writes a file', async () => {
  const app = await startApp();
  const { page } = app;
  await page.getByRole('button', { name: 'Start the demo sandbox' }).click();
  await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor({ timeout: 45_000 });
  const editor = await openQueryConsole(page);

  const join =
    'SELECT o.order_number, sum(oi.quantity) AS items\nFROM orders o JOIN order_items oi ON oi.order_id = o.id\nGROUP BY o.order_number\nORDER BY items DESC';
  await typeInEditor(editor, join);
  await page.keyboard.press('Shift+F7');
  const plan = page.getByRole('region', { name: 'Query plan' });
  await plan.waitFor({ timeout: 30_000 });
  const tree = plan.getByRole('tree', { name: 'Plan tree' });
  expect(await tree.getByRole('treeitem').count()).toBeGreaterThan(2);
  expect(await tree.getByRole('treeitem', { name: /costliest #1/ }).count()).toBe(1);
  expect(await plan.textContent()).toContain('rolled back');
  await app.screenshot('query-plan.png');

  // History: the EXPLAIN is not a console run; a run is, and Run again repeats it.
  await runInEditor(editor, 'SELECT count(*) AS orders FROM orders');
  await resultGrid(page).waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'History' }).click();
  const entry = page.getByRole('listitem').filter({ hasText: 'SELECT count(*) AS orders FROM orders' });
  await entry.first().waitFor({ timeout: 10_000 });
  await entry.first().getByRole('button', { name: 'Run again' }).click();
  await resultGrid(page).waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'History' }).click();
  await expect.poll(() => page.getByRole('listitem').filter({ hasText: 'SELECT count(*) AS orders FROM orders' }).count(), { timeout: 10_000 }).toBe(2);

  // Snippets: the runbook's checks, grouped by section, open in the editor.
  await page.getByRole('tab', { name: 'Snippets' }).click();
  await page.getByRole('button', { name: 'Morning checklist' }).click();
  const insert = page.getByRole('button', { name: /^Insert/ }).first();
  await insert.click();
  expect(await page.getByRole('tablist', { name: 'Editor tabs' }).getByRole('tab').count()).toBeGreaterThan(1);

  // Export: one SELECT streamed to a file in the app's exports folder.
  await typeInEditor(editor, 'SELECT id, title FROM inventory ORDER BY id');
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'CSV file' }).click();
  const done = page.getByText(/Exported to CSV/);
  await done.waitFor({ timeout: 30_000 });
  const files = fs.readdirSync(path.join(app.home, 'exports'));
  expect(files.filter((f) => f.endsWith('.csv'))).toHaveLength(1);
  expect(files.some((f) => f.endsWith('.partial'))).toBe(false);
  const csv = fs.readFileSync(
    path.join(
      app.home,
      'exports',
      files.find((f) => f.endsWith('.csv'))!,
    ),
    'utf8',
  );
  expect(csv.split('\n')[0]).toBe('id,title'); // COPY's CSV: LF line ends
  expect(app.pageErrors).toEqual([]);
}, 150_000);

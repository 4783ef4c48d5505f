// Issue #4 (first increment) through the UI: the query console runs the runbook's SQL on
// the sandbox, points at syntax errors, goes through an SSH bastion (issue #3's
// acceptance), asks for the typed name before writing to production, and cancels for real.
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, inject, onTestFinished, test } from 'vitest';
import { quoteIdent, withClient, type TestPg } from '../helpers/pg';
import { startBastion } from '../helpers/sshd';
import { addProfileThroughForm, addSshProfileThroughForm, editorText, openQueryConsole, runInEditor, startApp, startSandbox } from './harness';

const LOW_STOCK = "SELECT title, available_quantity, store_name\nFROM inventory\nWHERE status = 'low_stock' AND is_active = true;";

function resultGrid(page: Page, statement = 1) {
  return page.getByRole('grid', { name: `Result of statement ${statement}` });
}

/** The selected tab of the statement results (the editor has tabs of its own). */
function selectedResultTab(page: Page) {
  return page.getByRole('tablist', { name: 'Statement results' }).getByRole('tab', { selected: true });
}

/** The text of each cell of the grid's first body row (row number column left out). */
async function firstRowCells(page: Page, statement = 1): Promise<string[]> {
  const row = resultGrid(page, statement).locator('[role="row"][aria-rowindex="2"]');
  await row.waitFor({ timeout: 30_000 });
  return row.locator('[role="gridcell"]').allTextContents();
}

/** The text the editor marks as the error (selected and underlined). */
async function markedError(page: Page): Promise<string> {
  const mark = page.locator('.cm-sql-error');
  await mark.first().waitFor();
  return (await mark.allTextContents()).join('');
}

async function activeSleeps(pg: TestPg, marker: string): Promise<number> {
  return withClient(pg, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
      [`%${marker}%`],
    );
    return rows[0]?.n ?? -1;
  });
}

test('sandbox: the runbook low-stock query shows rows; a syntax error shows 42601 and selects the culprit', async () => {
  const app = await startApp();
  const { page } = app;
  await startSandbox(page);

  const editor = await openQueryConsole(page);
  // Before any run: what to do, with runbook checks one click away.
  const help = page.getByRole('region', { name: 'Getting started' });
  expect(await help.textContent()).toContain('Ctrl');
  expect(await help.getByRole('button', { name: 'Low stock items' }).count()).toBe(1);

  await runInEditor(editor, LOW_STOCK);
  const grid = resultGrid(page);
  await grid.waitFor({ timeout: 30_000 });
  const headers = await grid.getByRole('columnheader').allTextContents();
  // Each header shows the column's name, then its type.
  expect(headers.slice(1)).toEqual(['titletext', 'available_quantityint4', 'store_nametext']);
  const rows = Number(await grid.getAttribute('aria-rowcount')) - 1;
  expect(rows).toBeGreaterThan(0);
  expect(await selectedResultTab(page).textContent()).toMatch(new RegExp(`SELECT · ${rows} rows?`));
  expect((await firstRowCells(page))[0]).not.toBe('');
  await app.screenshot('query.png');

  // The editor keeps its tabs per profile across a reload (in the local store).
  await page.reload();
  const again = await openQueryConsole(page);
  expect(await editorText(again)).toBe(LOW_STOCK);

  // "WHER" reads as an alias, so PostgreSQL stops at "status": line 3, column 6.
  const broken = "SELECT title\nFROM inventory\nWHER status = 'low_stock';";
  await runInEditor(again, broken);
  const alert = page.getByRole('alert').filter({ hasText: '42601' });
  await alert.waitFor({ timeout: 30_000 });
  expect(await alert.textContent()).toContain('syntax error');
  expect(await alert.textContent()).toContain('line 3, column 6');
  expect(await markedError(page)).toBe('status');
  await app.screenshot('query-error.png');

  // An error PostgreSQL itself reports at run time (not the parser) points into the script too.
  await runInEditor(again, 'SELECT 1;\nSELECT nosuch FROM inventory;');
  const undefinedColumn = page.getByRole('alert').filter({ hasText: '42703' });
  await undefinedColumn.waitFor({ timeout: 30_000 });
  expect(await undefinedColumn.textContent()).toContain('line 2, column 8');
  expect(await markedError(page)).toBe('nosuch');
  expect(app.pageErrors).toEqual([]);
}, 120_000);

test('acceptance (issue #3): an SSH profile made in the UI, its host key trusted, then a query through the tunnel', async () => {
  const pg = inject('pg');
  const { sshd, clientKey, dispose } = await startBastion('ops-console-e2e-query-ssh-');
  onTestFinished(dispose);
  const sshPort = sshd.port;
  const fingerprint = sshd.hostFingerprint;

  const app = await startApp();
  const { page } = app;
  // First contact shows the fingerprint OpenSSH prints, and the user trusts it.
  await addSshProfileThroughForm(page, pg, { name: 'e2e-tunnel', sshPort, keyFile: clientKey.privatePath, fingerprint });

  const editor = await openQueryConsole(page);
  await runInEditor(editor, 'SELECT inet_server_port(), current_user');
  const cells = await firstRowCells(page);
  // The database answered from the harness cluster's port, reached through the bastion.
  expect(cells).toEqual([String(pg.port), pg.user]);
  await app.screenshot('query-ssh.png');
  expect(app.pageErrors).toEqual([]);
}, 150_000);

test('production: an UPDATE shows the exact statement and needs the typed name; Cancel runs nothing', async () => {
  const pg = inject('pg');
  const tableName = `e2e_query_guard_${crypto.randomBytes(4).toString('hex')}`;
  await withClient(pg, (c) =>
    c.query(`CREATE TABLE ${quoteIdent(tableName)} (id int PRIMARY KEY, v int NOT NULL); INSERT INTO ${quoteIdent(tableName)} VALUES (1, 1), (2, 1);`),
  );
  onTestFinished(() => withClient(pg, (c) => c.query(`DROP TABLE IF EXISTS ${quoteIdent(tableName)}`)).then(() => undefined));
  const valueOf = (id: number) =>
    withClient(pg, async (c) => (await c.query<{ v: number }>(`SELECT v FROM ${quoteIdent(tableName)} WHERE id = $1`, [id])).rows[0]?.v);

  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, pg, { name: 'e2e-prod', env: 'production', readOnly: false });
  await page.getByRole('status', { name: 'Environment: PRODUCTION' }).waitFor();

  const editor = await openQueryConsole(page);
  const update = `UPDATE ${tableName} SET v = 2 WHERE id = 1`;
  await runInEditor(editor, `SELECT count(*) FROM ${tableName};\n${update};`);
  const dialog = page.getByRole('dialog', { name: 'Write to e2e-prod?' });
  await dialog.waitFor({ timeout: 30_000 });
  // The exact statement that writes, and only that one.
  const shown = await dialog.locator('pre').allTextContents();
  expect(shown.map((t) => t.trim())).toEqual([update]);
  const confirm = dialog.getByRole('button', { name: 'Run on e2e-prod' });
  expect(await confirm.isDisabled()).toBe(true);
  await dialog.getByRole('textbox', { name: /Type the profile name/ }).fill('e2e-pro');
  expect(await confirm.isDisabled()).toBe(true);
  await app.screenshot('query-production-confirm.png');

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await valueOf(1)).toBe(1);
  expect(await page.getByRole('tablist', { name: 'Statement results' }).count()).toBe(0);

  // Typed name: the write goes through and reports its row count.
  await editor.press('Shift+Control+Enter');
  await dialog.waitFor();
  await dialog.getByRole('textbox', { name: /Type the profile name/ }).fill('e2e-prod');
  await confirm.click();
  await page.getByRole('tab', { name: /^2 · UPDATE 1 · / }).waitFor({ timeout: 30_000 });
  expect(await valueOf(1)).toBe(2);
  expect(await valueOf(2)).toBe(1);
  expect(app.pageErrors).toEqual([]);
}, 120_000);

test('cancel: Esc stops SELECT pg_sleep(30) on the server and the result says cancelled', async () => {
  const pg = inject('pg');
  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, pg, { name: 'e2e-cancel' });

  const editor = await openQueryConsole(page);
  const marker = `e2e_cancel_${crypto.randomBytes(4).toString('hex')}`;
  await runInEditor(editor, `SELECT pg_sleep(30) AS ${marker}`);
  await page.getByRole('button', { name: 'Cancel' }).waitFor();
  // Only once the server is really running it: cancelling a statement not yet sent proves nothing.
  await expect.poll(() => activeSleeps(pg, marker), { timeout: 15_000 }).toBe(1);

  await page.keyboard.press('Escape');
  // Within a second the server no longer runs it (pg_cancel_backend of that exact pid)…
  await expect.poll(() => activeSleeps(pg, marker), { timeout: 1_000, interval: 50 }).toBe(0);
  // …and the result says cancelled, not just "stopped waiting".
  await page
    .getByRole('status')
    .filter({ hasText: /^cancelled/ })
    .waitFor({ timeout: 5_000 });
  expect(await selectedResultTab(page).textContent()).toContain('cancelled');
  await app.screenshot('query-cancelled.png');
  expect(app.pageErrors).toEqual([]);
}, 90_000);

// Issue #19's query console as a desktop tool, in one app start: the console fills the
// window at 1440×900 and 1024×700 (result rows visible, the page never scrolls), the
// splitter drags and is remembered after a reload, a million kept rows stream while the
// editor still answers keys, Ctrl+End reaches row 1,000,000, a running statement shows its
// elapsed time, a bigint maximum stays exact (grid, cell detail, copy, export), EXPLAIN
// shows plain text beside the tree, and two consoles on two profiles run side by side (a
// hidden one holding a transaction says so on its tab).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, inject, onTestFinished, test } from 'vitest';
import { quoteIdent, withClient } from '../helpers/pg';
import { addProfileThroughForm, field, openQueryConsole, startApp, typeInEditor } from './harness';
import { expectNoPageHorizontalScroll, expectNoPageVerticalScroll, expectNotClipped, setViewport } from './layout';

function resultGrid(page: Page, statement = 1): Locator {
  return page.getByRole('grid', { name: `Result of statement ${statement}` });
}

async function gridRows(page: Page): Promise<number> {
  return Number(await resultGrid(page).getAttribute('aria-rowcount')) - 1;
}

/** Body rows wholly visible: inside the grid's box and inside the window. */
async function visibleRows(page: Page): Promise<number> {
  return resultGrid(page).evaluate((grid) => {
    const box = grid.getBoundingClientRect();
    const header = grid.querySelector('[role="row"][aria-rowindex="1"]')?.getBoundingClientRect().bottom ?? box.top;
    return Array.from(grid.querySelectorAll('[role="row"]')).filter((row) => {
      if (row.getAttribute('aria-rowindex') === '1') return false;
      const r = row.getBoundingClientRect();
      return r.top >= header - 0.5 && r.bottom <= Math.min(box.bottom, window.innerHeight) + 0.5;
    }).length;
  });
}

/** Whether the element is wholly inside the window (what the user sees without scrolling the page). */
async function inWindow(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
  });
}

async function editorHeight(page: Page): Promise<number> {
  return (await page.getByTestId('sql-editor').boundingBox())!.height;
}

test('the console fills the window, keeps its splitter, streams a million rows responsively, and runs two profiles side by side', async () => {
  const pg = inject('pg');
  const second = `e2e_console_${crypto.randomBytes(3).toString('hex')}`;
  await withClient(pg, (c) => c.query(`CREATE DATABASE ${quoteIdent(second)}`));
  onTestFinished(() => withClient(pg, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(second)} WITH (FORCE)`)).then(() => undefined));

  const app = await startApp({ viewport: { width: 1440, height: 900 } });
  const { page } = app;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await addProfileThroughForm(page, pg, { name: 'e2e-console' });
  const editor = await openQueryConsole(page);
  await setViewport(page, 'large');

  // A million rows kept: they stream in while the editor still takes keys.
  await page.getByRole('combobox', { name: 'Rows kept per fetch' }).click();
  await page.getByRole('option', { name: '1,000,000 rows' }).click();
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(Math.round(e.duration)))).observe({ type: 'longtask' });
  });
  await typeInEditor(editor, 'SELECT g, md5(g::text) AS hash FROM generate_series(1, 1000000) g');
  await editor.press('Control+Enter');
  await resultGrid(page).locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 30_000 });
  const running = page.getByRole('timer', { name: 'Elapsed time' });
  expect(await running.isVisible()).toBe(true);
  // The page notes how many rows had arrived when the typed key reached the editor.
  await page.evaluate(() => {
    const w = window as unknown as { rowsWhenTyped: number | null };
    w.rowsWhenTyped = null;
    const content = document.querySelector('.cm-content')!;
    new MutationObserver(() => {
      if (w.rowsWhenTyped === null && content.textContent!.includes('-'))
        w.rowsWhenTyped = Number(document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') ?? 0) - 1;
    }).observe(content, { subtree: true, childList: true, characterData: true });
  });
  await editor.press('Control+End');
  await page.keyboard.type('-');
  await expect.poll(() => page.evaluate(() => (window as unknown as { rowsWhenTyped: number | null }).rowsWhenTyped), { timeout: 10_000 }).not.toBeNull();
  const rowsWhenTyped = await page.evaluate(() => (window as unknown as { rowsWhenTyped: number }).rowsWhenTyped);
  expect(rowsWhenTyped, 'the key was answered before the last row arrived').toBeLessThan(1_000_000);
  await expect.poll(() => gridRows(page), { timeout: 120_000 }).toBe(1_000_000);
  await running.waitFor({ state: 'detached', timeout: 30_000 });
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`long tasks while streaming 1,000,000 rows: ${longTasks.length}, longest ${Math.max(0, ...longTasks)} ms`);

  // Ctrl+End reaches the real last row, on screen.
  const grid = resultGrid(page);
  await grid.locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first().click();
  await page.keyboard.press('Control+End');
  const last = grid.locator(`[role="row"][aria-rowindex="${1_000_000 + 1}"]`);
  await last.waitFor({ timeout: 10_000 });
  expect((await last.locator('[role="gridcell"]').allTextContents())[0]).toBe('1000000');
  expect(await inWindow(last), 'the last row is visible without scrolling the page').toBe(true);

  // Both window sizes: rows visible, the page itself never scrolls.
  await expectNoPageVerticalScroll(page);
  await expectNoPageHorizontalScroll(page);
  expect(await visibleRows(page)).toBeGreaterThanOrEqual(10);
  await app.screenshot('query-console-1440.png');
  await setViewport(page, 'small');
  await expectNoPageVerticalScroll(page);
  await expectNoPageHorizontalScroll(page);
  expect(await visibleRows(page)).toBeGreaterThanOrEqual(5);
  await app.screenshot('query-console-1024.png');

  // The splitter drags (the editor grows) and is where it was left after a reload.
  const splitter = page.getByRole('separator', { name: 'Resize the editor and the results' });
  const before = await editorHeight(page);
  const bar = (await splitter.boundingBox())!;
  await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
  await page.mouse.down();
  await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2 + 60, { steps: 5 });
  await page.mouse.up();
  const dragged = await editorHeight(page);
  expect(dragged).toBeGreaterThan(before + 40);
  const share = await splitter.getAttribute('aria-valuenow');
  await page.reload();
  await page.getByTestId('sql-editor').waitFor();
  await setViewport(page, 'small');
  expect(await page.getByRole('separator', { name: 'Resize the editor and the results' }).getAttribute('aria-valuenow')).toBe(share);
  // Still taller than before the drag (the share is kept; the px follow the room the frame leaves).
  await expect.poll(() => editorHeight(page), { timeout: 5_000 }).toBeGreaterThan(before + 40);
  await expectNoPageVerticalScroll(page);
  await setViewport(page, 'large');

  // A running statement shows its elapsed time, ticking.
  const consoleEditor = page.getByRole('textbox', { name: 'SQL editor', exact: true });
  await page.locator('.cm-content[contenteditable="true"]').waitFor();
  await typeInEditor(consoleEditor, 'SELECT pg_sleep(1.5) AS slept');
  await consoleEditor.press('Control+Enter');
  await running.waitFor({ timeout: 10_000 });
  const first = await running.textContent();
  await expect.poll(() => running.textContent(), { timeout: 5_000 }).not.toBe(first);
  expect(await running.textContent()).toMatch(/^\d+\.\d s$/);
  await running.waitFor({ state: 'detached', timeout: 15_000 });

  // A bigint maximum stays exact: grid, cell detail, copy, export.
  const big = '9223372036854775807';
  const bigSql = `SELECT ${big}::bigint AS big, (-${big} - 1)::bigint AS small`;
  await typeInEditor(consoleEditor, bigSql);
  await consoleEditor.press('Control+Enter');
  const bigCell = resultGrid(page).locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first();
  await expect.poll(() => bigCell.textContent(), { timeout: 15_000 }).toBe(big);
  expect((await resultGrid(page).locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').allTextContents())[1]).toBe('-9223372036854775808');
  await bigCell.click();
  await page.keyboard.press('Control+c');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 5_000 }).toBe(big);
  await bigCell.dblclick();
  const detail = page.getByRole('dialog');
  await detail.waitFor();
  expect(await detail.textContent()).toContain(big);
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Export' }).click();
  await page.getByRole('menuitem', { name: 'CSV file' }).click();
  await page.getByText(/Exported to CSV/).waitFor({ timeout: 30_000 });
  const csvName = fs.readdirSync(path.join(app.home, 'exports')).find((f) => f.endsWith('.csv'))!;
  expect(fs.readFileSync(path.join(app.home, 'exports', csvName), 'utf8').split('\n')[1]).toBe(`${big},-9223372036854775808`);
  await page.keyboard.press('Escape');

  // EXPLAIN: the plan as plain text beside the tree.
  await typeInEditor(consoleEditor, 'SELECT g FROM generate_series(1, 10) g WHERE g > 5');
  await page.keyboard.press('F7');
  const plan = page.getByRole('region', { name: 'Query plan' });
  await plan.waitFor({ timeout: 30_000 });
  const text = await plan.getByLabel('Plan as text').textContent();
  expect(text).toMatch(/^Function Scan on generate_series g {2}\(cost=\d+\.\d\d\.\.\d+\.\d\d rows=\d+ width=4\)/);
  expect(text).toContain('\n  Filter: (g > 5)');
  expect(await plan.getByRole('tree', { name: 'Plan tree' }).isVisible()).toBe(true);
  await expectNoPageVerticalScroll(page);

  // Two profiles side by side: a production console beside the development one, each
  // running on its own profile, each keeping its results.
  await page.getByRole('button', { name: 'Profiles', exact: true }).click();
  await page.getByRole('button', { name: 'Add profile', exact: true }).click();
  await page.getByRole('form', { name: 'New profile' }).waitFor();
  await field(page, 'Profile name').fill('e2e-console-prod');
  await page.getByRole('radio', { name: 'production', exact: true }).check();
  await field(page, 'Host').fill(pg.host);
  await field(page, 'Port').fill(String(pg.port));
  await field(page, 'Database').fill(second);
  await field(page, 'User').fill(pg.user);
  await page.getByLabel('Password', { exact: true }).fill(pg.password);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page
    .getByRole('table', { name: 'Connection profiles' })
    .getByRole('row', { name: /e2e-console-prod/ })
    .waitFor();
  await page.getByRole('button', { name: 'Query', exact: true }).click();
  const consoles = page.getByRole('tablist', { name: 'Consoles' });
  await consoles.waitFor();
  if ((await consoles.getByRole('tab').count()) === 1 && (await consoles.getByRole('tab', { name: /e2e-console-prod/ }).count()) === 0) {
    await page.getByRole('button', { name: 'Open a console on another profile' }).click();
    await page.getByRole('menuitem', { name: /e2e-console-prod/ }).click();
  } else if ((await consoles.getByRole('tab', { name: /^Console e2e-console \(/ }).count()) === 0) {
    await page.getByRole('button', { name: 'Open a console on another profile' }).click();
    await page.getByRole('menuitem', { name: /^e2e-console ·/ }).click();
    await consoles.getByRole('tab', { name: /e2e-console-prod/ }).click();
  }
  const prodTab = consoles.getByRole('tab', { name: 'Console e2e-console-prod (PRODUCTION)' });
  const devTab = consoles.getByRole('tab', { name: /^Console e2e-console \(/ });
  await prodTab.waitFor();
  await devTab.waitFor();
  await expect.poll(() => prodTab.getAttribute('aria-selected')).toBe('true');
  await page.getByRole('status', { name: 'Environment: PRODUCTION' }).waitFor();
  await page.locator('[data-console-profile]:visible .cm-content[contenteditable="true"]').waitFor();
  await typeInEditor(consoleEditor, 'SELECT current_database() AS db');
  await consoleEditor.press('Control+Enter');
  const dbCell = resultGrid(page).locator('[role="row"][aria-rowindex="2"] [role="gridcell"]').first();
  await expect.poll(() => dbCell.textContent(), { timeout: 15_000 }).toBe(second);
  await app.screenshot('query-consoles-1440.png');

  await devTab.click();
  await expect.poll(() => devTab.getAttribute('aria-selected')).toBe('true');
  await page.getByRole('status', { name: /Environment: (?!PRODUCTION)/ }).waitFor();
  await typeInEditor(consoleEditor, 'SELECT current_database() AS db');
  await consoleEditor.press('Control+Enter');
  await expect.poll(() => dbCell.textContent(), { timeout: 15_000 }).toBe(pg.database);
  // The production console kept its own result.
  await prodTab.click();
  await expect.poll(() => dbCell.textContent(), { timeout: 5_000 }).toBe(second);
  await expectNoPageVerticalScroll(page);

  // At 1024×700 with two consoles open, the toolbar's actions are whole and the page still fits.
  await setViewport(page, 'small');
  await expectNoPageVerticalScroll(page);
  await expectNoPageHorizontalScroll(page);
  for (const name of ['Run', 'Run script', 'Explain analyze', 'Export', 'Refresh catalog']) {
    await expectNotClipped(page.getByRole('button', { name, exact: true }), name);
  }
  await app.screenshot('query-consoles-1024.png');

  // A console out of sight that holds a transaction says so on its tab, and closing it asks first.
  await devTab.click();
  await typeInEditor(consoleEditor, 'BEGIN; SELECT 1 AS one;');
  await consoleEditor.press('Shift+Control+Enter');
  await page.getByRole('alert').filter({ hasText: 'Transaction open' }).waitFor({ timeout: 15_000 });
  await prodTab.click();
  await expect.poll(() => devTab.textContent()).toContain('transaction open');
  await page.getByRole('button', { name: 'Close console e2e-console', exact: true }).click();
  const ask = page.getByRole('dialog', { name: 'Close the console on e2e-console?' });
  await ask.waitFor();
  await ask.getByRole('button', { name: 'Keep it open' }).click();
  await ask.waitFor({ state: 'detached' });
  expect(await devTab.isVisible()).toBe(true);
  expect(app.pageErrors).toEqual([]);
}, 300_000);

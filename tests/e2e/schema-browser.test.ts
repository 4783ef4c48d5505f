// Issue #19's schema browser in one app start: a database of 2,000 tables opens and scrolls
// without freezing the page (a key press is answered at once, only the rows in view are in
// the DOM, the last table is reached by Load more and by the filter), a table with hostile
// names shows its columns, indexes, policies (RLS forced) and pg_dump's own DDL, Open in
// console puts a quoted SELECT in a console tab, and the screen fits both window sizes.
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, inject, onTestFinished, test } from 'vitest';
import { quoteIdent, withClient } from '../helpers/pg';
import { addProfileThroughForm, editorText, startApp } from './harness';
import { expectNoPageHorizontalScroll, expectNoPageVerticalScroll, expectNotClipped, setViewport } from './layout';

const SCHEMA = 'we"ird';
const TABLE = 'Ünï table';
const q = quoteIdent;

function fixtureSql(): string {
  const lines = ['CREATE SCHEMA big;'];
  for (let i = 1; i <= 2000; i += 1) lines.push(`CREATE TABLE big.t${String(i).padStart(4, '0')} (id int);`);
  const t = `${q(SCHEMA)}.${q(TABLE)}`;
  lines.push(
    `CREATE SCHEMA ${q(SCHEMA)};`,
    `CREATE TABLE ${t} (id int PRIMARY KEY, email text NOT NULL, owner_name text DEFAULT current_user);`,
    `CREATE INDEX by_email ON ${t} (lower(email));`,
    `ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;`,
    `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;`,
    `CREATE POLICY "own rows" ON ${t} FOR SELECT USING (owner_name = current_user);`,
  );
  return lines.join('\n');
}

function row(page: Page, name: RegExp) {
  return page.getByRole('tree', { name: 'Schema tree' }).getByRole('treeitem', { name });
}

test('the schema browser on a 2,000-table database: lazy virtualized tree, details, DDL, open in console, both window sizes', async () => {
  const pg = inject('pg');
  const database = `e2e_schema_${crypto.randomBytes(3).toString('hex')}`;
  await withClient(pg, (c) => c.query(`CREATE DATABASE ${q(database)}`));
  onTestFinished(() => withClient(pg, (c) => c.query(`DROP DATABASE IF EXISTS ${q(database)} WITH (FORCE)`)).then(() => undefined));
  await withClient(pg, (c) => c.query(fixtureSql()), database);

  const app = await startApp({ viewport: { width: 1440, height: 900 } });
  const { page } = app;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await addProfileThroughForm(page, { ...pg, database }, { name: 'e2e-schema' });
  await setViewport(page, 'large');
  await page.getByRole('button', { name: 'Schema', exact: true }).click();
  const tree = page.getByRole('tree', { name: 'Schema tree' });
  await row(page, /^big/).waitFor();

  // Open big → Tables by keyboard: click the schema, then Down and Right.
  await row(page, /^big/).click();
  await row(page, /^Tables\s*2,000/).waitFor();
  await tree.press('ArrowDown');
  await tree.press('ArrowRight');
  await row(page, /^t0001/).waitFor();
  // Virtualized: 500 rows loaded, far fewer in the DOM.
  expect(await tree.getByRole('treeitem').count()).toBeLessThan(120);
  // A key press is answered at once with 500 rows loaded: the cursor moves within a frame or two.
  const before = await tree.getAttribute('aria-activedescendant');
  const started = Date.now();
  await tree.press('ArrowDown');
  await expect.poll(() => tree.getAttribute('aria-activedescendant')).not.toBe(before);
  expect(Date.now() - started).toBeLessThan(1000);

  // Scroll to the end of the loaded page; Load more brings the next 500.
  await tree.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await row(page, /^Load more \(500 of 2,000 shown\)/).click();
  // The new rows push the Load more row down, out of the rendered window: scroll to it again.
  await expect
    .poll(async () => {
      await tree.evaluate((el) => (el.scrollTop = el.scrollHeight));
      return row(page, /^Load more \(1,000 of 2,000 shown\)/).count();
    })
    .toBe(1);
  await row(page, /^t1000/).waitFor();

  // "/" focuses the filter; the last table is found on the server.
  await tree.focus();
  await page.keyboard.press('/');
  const filter = page.getByRole('textbox', { name: 'Filter by name' });
  await expect.poll(() => filter.evaluate((el) => el === document.activeElement)).toBe(true);
  await page.keyboard.type('t2000');
  await row(page, /^t2000/).waitFor();
  await row(page, /^Tables\s*1$/).waitFor();
  await expectNoPageVerticalScroll(page);
  await filter.press('Escape');
  await row(page, /^Tables\s*2,000/).waitFor();
  // Left from a table goes up to its group, Left again closes it. A table is chosen first:
  // which row is active after the filter's reload is not what this checks.
  await row(page, /^t0/).first().click();
  await tree.focus();
  await tree.press('ArrowLeft');
  await tree.press('ArrowLeft');
  await expect.poll(() => tree.getByRole('treeitem', { name: /^t0/ }).count()).toBe(0);
  await row(page, /^big/).click();

  // The hostile-named table: every part, and pg_dump's DDL.
  await row(page, /^we"ird/).click();
  await row(page, /^Tables\s*1$/).click();
  await row(page, /^Ünï table/).click();
  const details = page.getByRole('region', { name: 'Object details' });
  await details.getByRole('heading', { name: `${q(SCHEMA)}.${q(TABLE)}` }).waitFor();
  await expect.poll(() => details.getByRole('table', { name: 'Columns' }).innerText()).toMatch(/email[\s\S]*owner_name/);
  await details.getByRole('tab', { name: /^Indexes/ }).click();
  await expect.poll(() => details.getByRole('table', { name: 'Indexes' }).innerText()).toContain('lower(email)');
  await details.getByRole('tab', { name: /^Policies/ }).click();
  await expect.poll(() => details.innerText()).toMatch(/Row level security:\s*on[\s\S]*forced/i);
  await expect.poll(() => details.getByRole('table', { name: 'Policies' }).innerText()).toContain('own rows');
  await details.getByRole('tab', { name: 'DDL' }).click();
  await expect.poll(() => details.getByLabel('DDL source').innerText()).toContain('Source: pg_dump');
  const ddl = await details.getByLabel('DDL text').innerText();
  expect(ddl).toContain(`CREATE TABLE ${q(SCHEMA)}.${q(TABLE)}`);
  expect(ddl).toContain('CREATE POLICY "own rows"');
  await details.getByRole('button', { name: 'Copy name' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${q(SCHEMA)}.${q(TABLE)}`);

  await expectNoPageVerticalScroll(page);
  await expectNoPageHorizontalScroll(page);
  await expectNotClipped(details.getByRole('button', { name: 'Open in console' }), 'Open in console');
  await app.screenshot('schema-1440.png');

  await setViewport(page, 'small');
  await expectNoPageVerticalScroll(page);
  await expectNoPageHorizontalScroll(page);
  await expectNotClipped(details.getByRole('button', { name: 'Open in console' }), 'Open in console at 1024');
  await expectNotClipped(details.getByRole('button', { name: 'Copy DDL' }), 'Copy DDL at 1024');
  await app.screenshot('schema-1024.png');

  // Open in console: a new console tab holding the quoted SELECT, not run.
  await details.getByRole('button', { name: 'Open in console' }).click();
  const editor = page.getByRole('textbox', { name: 'SQL editor', exact: true });
  await expect.poll(() => editorText(editor)).toBe(`SELECT * FROM ${q(SCHEMA)}.${q(TABLE)} LIMIT 100`);
});

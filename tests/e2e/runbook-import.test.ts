// Issue #5 through the UI: a Markdown runbook (with its emoji read as Windows-1252, as a
// copy-paste leaves it) is imported on the Checklists screen, without any profile: the page
// shows what it found, repairs the emoji, and runs nothing (no query.* in the audit trail).
// Saved in the app, it is reopened from the list (after a reload), a step's placeholder is
// filled in and the step opens in the query console as a new tab, not run. A runbook in
// other styles (issue #16) shows its transcript read as statements, with the warning.
import fs from 'node:fs';
import path from 'node:path';
import { expect, inject, test } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { addProfileThroughForm, editorText, REPO_ROOT, startApp } from './harness';

const FIXTURE = path.join(REPO_ROOT, 'tests', 'fixtures', 'runbook-sample.md');

test('importing a Markdown runbook shows its procedures and steps and runs nothing', async () => {
  const markdown = fs.readFileSync(FIXTURE, 'utf8');
  const sqlFences = markdown.split('\n').filter((line) => /^\s*```sql\s*$/.test(line)).length;
  expect(sqlFences).toBeGreaterThan(0);
  // The fixture holds the emoji as mojibake: the page must not find it before the repair.
  expect(markdown).not.toContain('🚨');

  const app = await startApp();
  const { page } = app;
  // No profile: the Checklists screen still offers the import.
  await page.getByRole('button', { name: 'Checklists', exact: true }).click();
  const form = page.getByRole('region', { name: 'Import a runbook' });
  await form.waitFor();
  const importButton = form.getByRole('button', { name: 'Import', exact: true });
  expect(await importButton.isDisabled()).toBe(true);
  await form.getByLabel('Runbook file (Markdown)').setInputFiles(FIXTURE);
  await importButton.click();

  const result = page.getByRole('region', { name: 'Imported runbook' });
  await result.waitFor();
  expect(await result.textContent()).toContain('Imported for reading: nothing was run.');
  expect(await result.textContent()).toContain('From runbook-sample.md');
  await result.getByRole('listitem', { name: `SQL steps: ${sqlFences}`, exact: true }).waitFor();
  expect(await result.textContent()).toMatch(/[1-9]\d* characters? repaired/);
  // [PID] in the fixture's SQL: one badge per placeholder.
  await result.getByLabel('Parameters found').getByText('PID', { exact: true }).waitFor();

  // The repaired emoji is in a procedure's title; opening it shows its SQL as written.
  const procedure = result.getByRole('button', { name: /🚨 Replication Lag/ });
  await procedure.waitFor();
  await procedure.click();
  const sql = result.locator('pre').filter({ hasText: 'pg_cancel_backend' });
  await sql.waitFor();
  expect(await sql.evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/mono/i);
  await app.screenshot('runbook-import.png');
  // A heading that is not a procedure is named with the reason (issue #16).
  expect(await result.getByLabel('Sections without steps').textContent()).toContain('Table of Contents (line 4, a table of contents)');

  // A runbook in other styles: its transcript becomes statements, said in the warnings and on the step.
  await form.getByLabel('Runbook file (Markdown)').setInputFiles(path.join(REPO_ROOT, 'tests', 'fixtures', 'runbook-placeholders.md'));
  await importButton.click();
  await result.getByText('From runbook-placeholders.md').waitFor();
  expect(await result.getByLabel('Import warnings').textContent()).toContain('is a psql transcript');
  await result.getByLabel('Parameters found').getByText('slot_name', { exact: true }).waitFor();
  await result.getByRole('button', { name: /Transcript from the incident/ }).click();
  await result.getByText('From a psql transcript: prompts and output removed.').waitFor();

  // Audited as an import, and nothing ran on any server.
  const audit = json(await runCli(app.home, ['audit', 'list', '--json'])) as { entries: Array<{ action: string }> };
  const actions = audit.entries.map((e) => e.action);
  expect(actions).toContain('runbook.import');
  expect(actions.filter((a) => a.startsWith('query.'))).toEqual([]);
  expect(app.pageErrors).toEqual([]);
});

test('a saved runbook is reopened from the list and a filled-in SQL step opens in the query console, not run', async () => {
  const pg = inject('pg');
  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, pg, { name: 'e2e-runbooks' });

  await page.getByRole('button', { name: 'Checklists', exact: true }).click();
  const form = page.getByRole('region', { name: 'Import a runbook' });
  await form.waitFor();
  const saved = page.getByRole('region', { name: 'Saved runbooks' });
  await saved.getByText('No runbook is saved yet').waitFor();
  // Saving is on by default, and the screen says so.
  expect(await form.getByRole('switch', { name: 'Save in the app' }).isChecked()).toBe(true);
  await form.getByLabel('Runbook file (Markdown)').setInputFiles(FIXTURE);
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  const imported = page.getByRole('region', { name: 'Imported runbook' });
  await imported.getByText('Saved in the app').waitFor();
  const list = saved.getByRole('table', { name: 'Saved runbook list' });
  await list.getByRole('row').nth(1).waitFor();
  expect(await list.getByRole('row').count()).toBe(2);
  expect(await list.textContent()).toContain('runbook-sample.md');

  // It comes from the store: still there after a reload, and opens with its steps.
  await page.reload();
  await page
    .getByRole('region', { name: 'Saved runbooks' })
    .getByRole('button', { name: /^Open / })
    .click();
  const view = page.getByRole('region', { name: 'Saved runbook', exact: true });
  await view.waitFor();
  await view.getByRole('button', { name: /🚨 Replication Lag/ }).click();
  const tools = view.getByRole('group', { name: 'Run Cancel the Blocker in the query console' });
  await tools.waitFor();
  // Without a value the step does not open, and the missing placeholder is named.
  // Clicked until it answers: a click that lands while the view is still re-rendering after
  // the section opened is lost on a loaded CI machine (only an alert can come of it here).
  const openStep = tools.getByRole('button', { name: 'Open in query console' });
  await expect
    .poll(
      async () => {
        await openStep.click();
        return tools.getByRole('alert').count();
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  expect(await tools.getByRole('alert').textContent()).toContain('[PID]');
  await tools.getByRole('textbox', { name: 'PID' }).fill('4242');
  await app.screenshot('runbook-saved.png');
  await tools.getByRole('button', { name: 'Open in query console' }).click();

  // The query console, a new tab named after the step, holding the filled SQL.
  const editor = page.getByRole('textbox', { name: 'SQL editor', exact: true });
  await editor.waitFor();
  const tab = page.getByRole('tablist', { name: 'Editor tabs' }).getByRole('tab', { selected: true });
  await expect.poll(() => tab.textContent()).toContain('Cancel the Blocker');
  await expect.poll(() => editorText(editor)).toContain('WHERE pid = 4242;');
  const sql = await editorText(editor);
  expect(sql).toContain('pg_terminate_backend(4242)');
  expect(sql).not.toContain('[PID]');
  await app.screenshot('runbook-query-tab.png');

  // Delete it (after a confirmation).
  await page.getByRole('button', { name: 'Checklists', exact: true }).click();
  await page
    .getByRole('region', { name: 'Saved runbooks' })
    .getByRole('button', { name: /^Delete / })
    .click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('region', { name: 'Saved runbooks' }).getByText('No runbook is saved yet').waitFor();

  // Nothing ran (the console only read its autocomplete catalog).
  const audit = json(await runCli(app.home, ['audit', 'list', '--json'])) as { entries: Array<{ action: string }> };
  const actions = audit.entries.map((e) => e.action);
  expect(actions).toContain('runbook.import');
  expect(actions).toContain('runbook.delete');
  expect(actions.filter((a) => a.startsWith('query.') && a !== 'query.catalog')).toEqual([]);
  expect(app.pageErrors).toEqual([]);
}, 120_000);

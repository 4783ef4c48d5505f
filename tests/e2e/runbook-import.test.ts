// Issue #5 through the UI: a Markdown runbook (with its emoji read as Windows-1252, as a
// copy-paste leaves it) is imported on the Checklists screen, without any profile: the page
// shows what it found, repairs the emoji, and runs nothing (no query.* in the audit trail).
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { REPO_ROOT, startApp } from './harness';

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

  // Audited as an import, and nothing ran on any server.
  const audit = json(await runCli(app.home, ['audit', 'list', '--json'])) as { entries: Array<{ action: string }> };
  const actions = audit.entries.map((e) => e.action);
  expect(actions).toContain('runbook.import');
  expect(actions.filter((a) => a.startsWith('query.'))).toEqual([]);
  expect(app.pageErrors).toEqual([]);
});

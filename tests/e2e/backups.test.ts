// Issue #6 through the UI: on the demo sandbox, the backup wizard runs with its defaults
// (Enter moves through the steps), Review shows the exact command and the versions, the
// progress view follows the dump, the result is a verified file on disk, and the catalog
// lists it, verifies it again and shows it OK.
import fs from 'node:fs';
import { expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT, startApp, startSandbox } from './harness';

test('the backup wizard with defaults on the sandbox: review, progress, result, catalog, verify', async () => {
  const app = await startApp();
  const { page } = app;
  await startSandbox(page);
  // A table big enough (~150 MB) for the dump to last a few seconds, so the progress view
  // is seen mid-dump with a table in flight, not only before and after.
  // The sandbox's libpq URL, from the CLI on the same home.
  const status = JSON.parse(
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin/ops-console.cjs'), '--home', app.home, 'sandbox', 'status', '--json'], { encoding: 'utf8' }),
  ) as { url: string };
  const client = new pg.Client({ connectionString: status.url });
  await client.connect();
  try {
    await client.query('CREATE TABLE e2e_bulk AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, 1500000) g');
    await client.query('ANALYZE e2e_bulk');
  } finally {
    await client.end();
  }

  await page.getByRole('button', { name: 'Backups', exact: true }).click();
  await page.getByRole('heading', { name: 'Backups', exact: true }).waitFor();
  const catalog = page.getByRole('region', { name: 'Backup catalog' });
  // Before any backup the catalog says what to do.
  await catalog.getByText(/No backups of .+ yet: start one above\./).waitFor();

  const wizard = page.getByRole('region', { name: 'New backup' });
  // What: full is the default; Enter on it moves on.
  const full = wizard.getByRole('radio', { name: /^Full/ });
  expect(await full.isChecked()).toBe(true);
  await full.focus();
  await page.keyboard.press('Enter');
  // Format: custom by default.
  const custom = wizard.getByRole('radio', { name: /^Custom/ });
  await custom.waitFor();
  expect(await custom.isChecked()).toBe(true);
  await wizard.getByRole('button', { name: 'Next' }).click();
  // Options: the runbook's defaults, and the Supabase preset names what it leaves out.
  const noOwner = wizard.getByRole('checkbox', { name: /--no-owner/ });
  await noOwner.waitFor();
  expect(await noOwner.isChecked()).toBe(true);
  expect(await wizard.getByRole('checkbox', { name: /--no-privileges/ }).isChecked()).toBe(true);
  expect(await wizard.textContent()).toContain('supabase_functions');
  await wizard.getByRole('button', { name: 'Next' }).click();
  // Destination: the app's backups folder, as a real path from the core's plan.
  await wizard.getByRole('textbox', { name: 'Folder' }).waitFor();
  await wizard.getByText('File name:').waitFor({ timeout: 30_000 });
  expect(await wizard.textContent()).toContain(app.home);
  await wizard.getByRole('button', { name: 'Next' }).click();

  // Review: the exact command, the tool and versions, the tables.
  const command = wizard.getByLabel('Command', { exact: true });
  await command.waitFor({ timeout: 30_000 });
  const commandText = (await command.textContent()) ?? '';
  expect(commandText).toContain('pg_dump');
  expect(commandText).toContain('--no-owner');
  expect(commandText).toContain('--no-privileges');
  expect(commandText).not.toMatch(/password/i);
  const plan = wizard.getByRole('table', { name: 'Backup plan' });
  expect(await plan.textContent()).toMatch(/pg_dump \d+\.\d+ for server \d+\.\d+/);
  expect(await plan.textContent()).toMatch(/\d+ tables, /);
  await app.screenshot('backups-review.png');

  await wizard.getByRole('button', { name: 'Start backup' }).click();
  const progress = page.getByRole('region', { name: 'Backup progress' });
  await progress.waitFor({ timeout: 30_000 });
  expect(await progress.getByRole('progressbar', { name: 'Share of the backup done' }).count()).toBe(1);
  // Mid-dump: a percentage between the ends.
  await progress
    .getByLabel('Percent done')
    .filter({ hasText: /^([1-9]|[1-9]\d)%$/ })
    .waitFor({ timeout: 60_000 });
  await app.screenshot('backups-progress.png');

  // The outcome: a verified file, named like a backup, with its checksum.
  const result = page.getByRole('region', { name: 'Backup result' });
  await result.waitFor({ timeout: 120_000 });
  expect(await result.textContent()).toContain('Backup written and verified');
  expect(await progress.getByLabel('Percent done').textContent()).toBe('100%');
  const backupPath = ((await result.locator('code').first().textContent()) ?? '').trim();
  expect(backupPath.startsWith(app.home)).toBe(true);
  expect(backupPath).toMatch(/_full_\d{8}-\d{6}\.dump$/);
  expect(fs.statSync(backupPath).size).toBeGreaterThan(0);
  expect(fs.existsSync(`${backupPath}.partial`)).toBe(false);
  expect(fs.existsSync(`${backupPath}.manifest.json`)).toBe(true);
  expect(await result.textContent()).toMatch(/sha256 [0-9a-f]{64}/);

  // The catalog lists it as OK; verify it again from there.
  const name = backupPath.split('/').pop() ?? '';
  const row = catalog.getByRole('row', { name: `Backup ${name}` });
  await row.waitFor({ timeout: 10_000 });
  expect(await row.getByLabel('Status: OK').count()).toBe(1);
  expect(await row.textContent()).toContain('custom');
  await app.screenshot('backups-catalog.png');

  await row.getByRole('button', { name: `Verify ${name}` }).click();
  const verification = catalog.getByRole('region', { name: `Verification of ${name}` });
  await verification.getByText(`Verification OK: ${name}`).waitFor({ timeout: 60_000 });
  const checks = await verification.getByRole('listitem').allTextContents();
  expect(checks.length).toBeGreaterThanOrEqual(2);
  // Each check carries its three-state verdict: all PASS here.
  for (const check of checks) expect(check.startsWith('PASS'), check).toBe(true);
  // The row's last verification comes from the catalog, now OK.
  await row.getByText(/^OK \d{4}-\d{2}-\d{2}/).waitFor({ timeout: 10_000 });

  // Details: the manifest's row counts, each flagged exact or estimated.
  await row.getByRole('button', { name: `Details of ${name}` }).click();
  const counts = page.getByRole('table', { name: 'Row counts per table' });
  await counts.waitFor();
  expect(await counts.getByRole('row').count()).toBeGreaterThan(2);
  expect(await counts.textContent()).toMatch(/exact|estimate/);
  await page.keyboard.press('Escape');

  // Client tools: what was found, by major version, with the folders searched.
  await page.getByRole('button', { name: 'Show client tools' }).click();
  const tools = page.getByRole('region', { name: 'Client tools' });
  const major = tools.getByRole('table', { name: /^Client tools of PostgreSQL \d+$/ }).first();
  await major.waitFor();
  expect(await major.textContent()).toContain('pg_dump');
  expect(await tools.getByRole('group', { name: 'Extra folders' }).textContent()).toContain('Add a folder');
  await app.screenshot('backups-client-tools.png');

  expect(app.pageErrors).toEqual([]);
}, 240_000);

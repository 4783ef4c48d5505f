import fs from 'node:fs';
import { expect, inject, test } from 'vitest';
import { pgUrl } from '../helpers/pg';
import { describedBy, field, openNewProfileForm, startApp } from './harness';

test('acceptance: a profile from a URI, a passing connection test, and both in the audit trail', async () => {
  const pg = inject('pg');
  const app = await startApp();
  const { page } = app;

  await openNewProfileForm(page);
  await page.getByLabel('Connection URI').fill(pgUrl(pg));
  await page.getByRole('button', { name: 'Fill from URI' }).click();
  await page.getByText('Filled from the URI').waitFor();
  await expect.poll(() => field(page, 'Host').inputValue()).toBe(pg.host);
  expect(await field(page, 'Port').inputValue()).toBe(String(pg.port));
  expect(await field(page, 'Database').inputValue()).toBe(pg.database);
  expect(await field(page, 'User').inputValue()).toBe(pg.user);
  // The URI's password moved to the password field, to be kept in the secret store.
  expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe(pg.password);

  await field(page, 'Profile name').fill('e2e-local');
  // Tags (issue #22): typed in any case, ended by Enter, or pasted with a comma; shown lowercased in the list.
  const tags = page.locator('input').and(page.getByLabel('Tags', { exact: true }));
  await tags.fill('Prod');
  await tags.press('Enter');
  await tags.fill('eu,');
  await page.getByRole('button', { name: 'Save profile' }).click();

  const list = page.getByRole('table', { name: 'Connection profiles' });
  await list.getByRole('row', { name: /e2e-local/ }).waitFor();
  expect(await list.getByLabel('Tags of e2e-local').innerText()).toMatch(/prod\s*eu/i);
  expect(
    await list
      .getByRole('row', { name: /e2e-local/ })
      .getByText('stored')
      .count(),
  ).toBe(1);
  // The first profile becomes the active one: the band shows its environment.
  await page.getByRole('status', { name: 'Environment: DEVELOPMENT' }).waitFor();

  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByRole('region', { name: 'Connection test result' });
  await result.waitFor({ timeout: 30_000 });
  await result.getByText('Connection ok').waitFor();
  const stages = result.getByRole('table', { name: 'Connection stages' }).locator('tbody tr');
  await expect.poll(() => stages.count()).toBeGreaterThanOrEqual(2);
  expect(await result.getByText('failed', { exact: true }).count()).toBe(0);
  const versionLine = await result.getByText(/^Server:/).textContent();
  expect(versionLine).toMatch(/\d+\.\d+/);
  await app.screenshot('profiles.png');

  await page.getByRole('button', { name: 'Audit' }).click();
  const audit = page.getByRole('table', { name: 'Audit entries' });
  await audit.waitFor();
  await audit.getByRole('row').filter({ hasText: 'profile.create' }).first().waitFor();
  await audit.getByRole('row').filter({ hasText: 'profile.test' }).first().waitFor();
  await expect
    .poll(() => audit.getByRole('row').filter({ hasText: 'profile.test' }).filter({ hasText: 'e2e-local' }).filter({ hasText: 'ok' }).count())
    .toBe(1);
  // The password never reaches the audit trail.
  expect(await audit.textContent()).not.toContain(pg.password);

  await audit.getByRole('row').filter({ hasText: 'profile.create' }).first().click();
  const drawer = page.getByRole('dialog', { name: /Audit entry #\d+/ });
  await drawer.waitFor();
  expect(await drawer.textContent()).toContain('e2e-local');
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });

  await page.getByRole('button', { name: 'Verify integrity' }).click();
  await page.getByText('Audit trail intact').waitFor();
  await app.screenshot('audit.png');

  // Export is a download of what the table shows, and is itself audited: the new entry
  // appears without a reload (live refresh from the event stream).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^ops-console-audit-.*\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  expect(csv).toContain('profile.create');
  expect(csv).toContain('profile.test');
  expect(csv).not.toContain(pg.password);
  await audit.getByRole('row').filter({ hasText: 'audit.export' }).first().waitFor();

  // Full-text filter: only the connection test matches.
  await page.getByRole('textbox', { name: 'Search' }).fill('Tested connection');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect.poll(() => audit.locator('tbody tr').count()).toBe(1);
  expect(await audit.locator('tbody tr').textContent()).toContain('profile.test');
  expect(app.pageErrors).toEqual([]);
});

test('bad input: a malformed URI and port 70000 are explained at the field, and nothing is created', async () => {
  const app = await startApp();
  const { page } = app;
  await openNewProfileForm(page);

  const uri = page.getByLabel('Connection URI');
  await uri.fill('postgresql://user@host:notaport/db');
  await page.getByRole('button', { name: 'Fill from URI' }).click();
  await expect.poll(() => uri.getAttribute('aria-invalid')).toBe('true');
  expect(await describedBy(uri)).toMatch(/port/i);

  await field(page, 'Profile name').fill('bad-port');
  await field(page, 'Host').fill('db.example.com');
  const port = field(page, 'Port');
  await port.fill('70000');
  await field(page, 'Database').fill('app');
  await field(page, 'User').fill('ops');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
  expect(await describedBy(port)).toContain('port must be between 1 and 65535');
  await page.getByText('The profile was not saved').waitFor();
  await app.screenshot('profile-form-errors.png');

  await page.getByRole('button', { name: 'Back to profiles' }).click();
  await page.getByRole('heading', { name: 'No profiles yet' }).waitFor();
  await page.getByRole('button', { name: 'Audit' }).click();
  await page.getByText('No entries yet').waitFor();
});

test('production: the band is red and says PRODUCTION; deleting needs the typed name', async () => {
  const app = await startApp();
  const { page } = app;
  await openNewProfileForm(page);

  await field(page, 'Profile name').fill('prod-main');
  await field(page, 'Host').fill('db.example.com');
  await field(page, 'Database').fill('app');
  await field(page, 'User').fill('ops');
  const readOnly = page.getByRole('switch', { name: 'Read-only' });
  expect(await readOnly.isChecked()).toBe(false);
  await page.getByRole('radio', { name: 'production' }).check();
  // Production is read-only unless someone deliberately says otherwise.
  await expect.poll(() => readOnly.isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Save profile' }).click();

  const band = page.getByRole('status', { name: 'Environment: PRODUCTION' });
  await band.waitFor();
  expect(await band.textContent()).toContain('PRODUCTION');
  expect(await band.textContent()).toContain('READ-ONLY');
  const rgb = (await band.evaluate((el) => getComputedStyle(el).backgroundColor)).match(/\d+/g)?.map(Number) ?? [];
  expect(rgb[0]).toBeGreaterThan(180);
  expect(rgb[1]).toBeLessThan(120);
  expect(rgb[2]).toBeLessThan(120);
  await app.screenshot('production.png');

  await page.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: /Delete profile/ });
  await dialog.waitFor();
  const confirm = dialog.getByRole('button', { name: 'Delete profile' });
  expect(await confirm.isDisabled()).toBe(true);
  const typed = dialog.getByLabel(/Type the profile name/);
  await typed.fill('prod-mai');
  expect(await confirm.isDisabled()).toBe(true);
  await typed.fill('prod-main');
  await expect.poll(() => confirm.isEnabled()).toBe(true);
  await app.screenshot('delete-production.png');
  await confirm.click();

  await page.getByRole('heading', { name: 'No profiles yet' }).waitFor();
  await page.getByRole('status', { name: 'Environment: no profile selected' }).waitFor();
  await page.getByRole('button', { name: 'Audit' }).click();
  await page.getByRole('table', { name: 'Audit entries' }).getByRole('row').filter({ hasText: 'profile.remove' }).first().waitFor();
});

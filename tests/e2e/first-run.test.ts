import { expect, test } from 'vitest';
import { startApp } from './harness';

test('first run offers the demo sandbox and a new profile, and lists the shortcuts', async () => {
  const app = await startApp();
  const { page } = app;

  await page.getByRole('heading', { name: 'Welcome to Ops Console' }).waitFor();
  await page.getByRole('button', { name: 'Start the demo sandbox' }).waitFor();
  await page.getByRole('button', { name: 'Add a connection profile' }).waitFor();
  // No profile yet: the band says so rather than showing a colour that could be misread.
  await page.getByRole('status', { name: 'Environment: no profile selected' }).waitFor();
  // The token left the address bar once read (kept out of history and screenshots).
  expect(page.url()).not.toContain('token=');
  await app.screenshot('first-run.png');

  // "?" lists the shortcuts; Alt+7 jumps to the audit trail.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  expect(await help.getByText('Open Audit').count()).toBe(1);
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });
  await page.keyboard.press('Alt+7');
  await page.getByRole('heading', { name: 'Audit trail' }).waitFor();

  // A strict CSP that broke Mantine's styles or the app's requests would show here.
  expect(app.pageErrors).toEqual([]);
});

test('the demo sandbox starts from the first-run screen and becomes the active profile', async () => {
  const app = await startApp();
  const { page } = app;

  await page.getByRole('button', { name: 'Start the demo sandbox' }).click();
  // It takes seconds: the screen says what is happening meanwhile.
  await page.getByRole('status').filter({ hasText: 'Creating the cluster' }).waitFor();
  await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor({ timeout: 45_000 });
  await page.getByRole('status', { name: 'Environment: SANDBOX' }).waitFor();
  const row = page.getByRole('table', { name: 'Connection profiles' }).getByRole('row', { name: /sandbox/ });
  await row.waitFor();
  expect(await row.getByText('active').count()).toBe(1);

  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByRole('region', { name: 'Connection test result' }).getByText('Connection ok').waitFor({ timeout: 30_000 });
  await app.screenshot('sandbox.png');
  expect(app.pageErrors).toEqual([]);
});

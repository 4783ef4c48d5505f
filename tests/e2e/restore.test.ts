// Issue #7 through the UI on the demo sandbox: with a backup in the catalog, a restore drill
// runs from the Restore screen and its report shows validation OK and the RTO/RPO verdicts
// (screenshot, Markdown export); then the wizard restores the same backup into a new
// database, with the contents, the exact command at review, progress and the validation.
import { expect, test } from 'vitest';
import { startApp } from './harness';

// The backup itself is the Backups screen's test (backups.test.ts): here it is taken through
// the app's own API, from the page (a string: tsx would rewrite a function's source).
const TAKE_BACKUP = `(async () => {
  const call = async (name, input) => {
    const response = await fetch('/api/' + name, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const body = await response.json();
    if (!body.ok) throw new Error(name + ': ' + body.error.code + ' ' + body.error.message);
    return body.value;
  };
  const profiles = await call('listProfiles', {});
  const sandbox = profiles.find((p) => p.env === 'sandbox');
  if (!sandbox) throw new Error('no sandbox profile');
  const started = await call('startBackup', { profileId: sandbox.id });
  for (;;) {
    const entry = await call('getBackup', { id: started.backupId });
    if (entry.status !== 'running') return { status: entry.status, error: entry.error, path: entry.path, profile: sandbox.name };
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
})()`;

test('a restore drill and a restore into a new database on the sandbox, both validated', async () => {
  const app = await startApp();
  const { page } = app;
  await page.getByRole('button', { name: 'Start the demo sandbox' }).click();
  await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor({ timeout: 45_000 });
  await page.getByRole('status', { name: 'Environment: SANDBOX' }).waitFor();

  const backup = (await page.evaluate(TAKE_BACKUP)) as { status: string; error: string | null; path: string; profile: string };
  expect(backup.error).toBeNull();
  expect(backup.status).toBe('ok');

  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await page.getByRole('heading', { name: 'Restore', exact: true }).waitFor();

  // The drill: the active profile's latest backup is the default.
  const drills = page.getByRole('region', { name: 'Restore drills' });
  const picker = drills.getByRole('combobox', { name: 'Backup to drill' });
  await picker.waitFor();
  // The option exists once the backup list has loaded; the picker shows before that.
  await expect.poll(() => picker.inputValue(), { timeout: 15_000 }).toBe(`Latest backup of ${backup.profile}`);
  await drills.getByRole('button', { name: 'Run a restore drill' }).click();
  await drills.getByRole('region', { name: 'Drill progress' }).waitFor({ timeout: 30_000 });
  const report = drills.getByRole('region', { name: 'Drill report' });
  await report.waitFor({ timeout: 240_000 });
  const validation = report.getByRole('region', { name: 'Drill validation' });
  expect(await validation.textContent()).toContain('Validation OK');
  expect(await validation.getByRole('row', { name: /^Check rows / }).count()).toBeGreaterThan(0);
  expect(await validation.getByText('FAIL', { exact: true }).count()).toBe(0);
  // A fresh backup of a small database restores well within 2 h and is younger than 15 min.
  expect(await report.getByLabel('Restore time vs RTO: met', { exact: true }).count()).toBe(1);
  expect(await report.getByLabel('Backup age vs RPO: met', { exact: true }).count()).toBe(1);
  expect(await report.getByLabel('Status: OK').count()).toBe(1);
  await app.screenshot('restore-drill-report.png');

  const download = page.waitForEvent('download');
  await report.getByRole('button', { name: 'Export Markdown' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.md$/);

  // The history lists it, with the trend of restore times.
  const history = drills.getByRole('table', { name: 'Drills' });
  await history
    .getByRole('row', { name: /^Drill \d{4}-/ })
    .first()
    .waitFor({ timeout: 10_000 });
  expect(await history.getByRole('row', { name: /^Drill \d{4}-/ }).count()).toBe(1);
  expect(await drills.getByRole('img', { name: `Restore times of ${backup.profile}: 1 drill,` }).count()).toBe(1);

  // The wizard: the same backup (the default source), its contents read from the manifest.
  const wizard = page.getByRole('region', { name: 'New restore' });
  const contents = wizard.getByRole('region', { name: 'Backup contents' });
  await contents.waitFor({ timeout: 30_000 });
  expect(await contents.textContent()).toMatch(/From PostgreSQL \d+\.\d+, dumped by pg_dump \d+\.\d+/);
  expect(await contents.getByRole('table', { name: 'Tables in the backup' }).getByRole('row').count()).toBeGreaterThan(2);
  await wizard.getByRole('button', { name: 'Next' }).click();

  // Target: a new database on the sandbox's server; its name is checked as it is typed.
  const name = wizard.getByRole('textbox', { name: 'New database name' });
  await name.waitFor();
  expect(await wizard.getByRole('radio', { name: /^A new database/ }).isChecked()).toBe(true);
  await name.fill('template1');
  expect(await wizard.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  await name.fill('restored_check');
  await wizard.getByRole('button', { name: 'Next' }).click();
  await wizard.getByLabel('Parallel jobs').fill('2');
  await wizard.getByRole('button', { name: 'Next' }).click();

  // Review: the exact command, the tool and the target's state.
  const command = wizard.getByLabel('Restore command', { exact: true });
  await command.waitFor({ timeout: 60_000 });
  const commandText = (await command.textContent()) ?? '';
  expect(commandText).toContain('pg_restore');
  expect(commandText).toContain('restored_check');
  expect(commandText).toMatch(/(--jobs[ =]|-j ?)2\b/);
  expect(commandText).not.toMatch(/password/i);
  const plan = wizard.getByRole('table', { name: 'Restore plan' });
  expect(await plan.textContent()).toContain('A new database, created by the restore.');
  await app.screenshot('restore-review.png');

  await wizard.getByRole('button', { name: 'Start restore' }).click();
  await wizard.getByRole('region', { name: 'Restore progress' }).waitFor({ timeout: 30_000 });
  const result = wizard.getByRole('region', { name: 'Restore result' });
  await result.waitFor({ timeout: 240_000 });
  // On failure, the message is what the screen said.
  expect(await result.getByLabel('Status: OK').count(), (await result.textContent()) ?? '').toBe(1);
  const restoreValidation = result.getByRole('region', { name: 'Validation report' });
  expect(await restoreValidation.textContent()).toContain('Validation OK');
  expect(await restoreValidation.getByRole('row', { name: /^Check rows / }).count()).toBeGreaterThan(0);
  expect(await wizard.getByRole('region', { name: 'Restore progress' }).getByLabel('Percent done').textContent()).toBe('100%');
  await app.screenshot('restore-result.png');

  expect(app.pageErrors).toEqual([]);
}, 600_000);

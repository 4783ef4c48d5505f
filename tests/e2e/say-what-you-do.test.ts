// Issue #19 §3 through the UI, at both window sizes: the backup review's file name is the
// one written; a read-only profile's review and result say the pre-operation marker was not
// recorded, and its verification shows a WARNING row, not PASS; "Show in folder" in browser
// mode says why and gives the path; the restore review's scratch database name is the one
// created, and the progress shows the real item count. One app start, on the demo sandbox.
import path from 'node:path';
import { expect, test } from 'vitest';
import { startApp } from './harness';
import { expectNoPageHorizontalScroll, setViewport } from './layout';

// Through the app's own API from the page (a string: tsx would rewrite a function's source).
const API = `const call = async (name, input) => {
  const response = await fetch('/api/' + name, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = await response.json();
  if (!body.ok) throw new Error(name + ': ' + body.error.code + ' ' + body.error.message);
  return body.value;
};
const sandbox = (await call('listProfiles', {})).find((p) => p.env === 'sandbox' && p.name === 'sandbox');
if (!sandbox) throw new Error('no sandbox profile');`;

/** The sandbox profile read-only or read-write again, with the toolkit installed first (the marker's function). */
const setReadOnly = (readOnly: boolean): string => `(async () => {
  ${API}
  if (${readOnly}) await call('installToolkit', { profileId: sandbox.id });
  const { id, name, host, port, database, user, sslmode, sslRootCert, env, statementTimeoutMs, notes } = sandbox;
  await call('updateProfile', { id, profile: { name, host, port, database, user, sslmode, sslRootCert, env, statementTimeoutMs, notes, readOnly: ${readOnly} } });
  return true;
})()`;

test('what the reviews say is what happens; failures and warnings show where the action was taken', async () => {
  const app = await startApp({ viewport: { width: 1440, height: 900 } });
  const { page } = app;
  await page.getByRole('button', { name: 'Start the demo sandbox' }).click();
  await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor({ timeout: 45_000 });
  await page.getByRole('status', { name: 'Environment: SANDBOX' }).waitFor();
  await page.evaluate(setReadOnly(true));

  // ── Backup through the read-only profile: the review names the file and warns about the marker.
  await page.getByRole('button', { name: 'Backups', exact: true }).click();
  await page.getByRole('heading', { name: 'Backups', exact: true }).waitFor();
  const wizard = page.getByRole('region', { name: 'New backup' });
  for (let i = 0; i < 4; i++) {
    const next = wizard.getByRole('button', { name: 'Next' });
    await next.waitFor();
    // The Destination step asks the core for its folder first.
    if (i === 3) await wizard.getByText('File name:').waitFor({ timeout: 30_000 });
    await next.click();
  }
  const plan = wizard.getByRole('table', { name: 'Backup plan' });
  await plan.waitFor({ timeout: 30_000 });
  const reviewedPath = (
    (await plan
      .getByRole('row', { name: /^File / })
      .locator('code')
      .first()
      .textContent()) ?? ''
  ).trim();
  expect(path.basename(reviewedPath)).toMatch(/^sandbox_full_\d{8}-\d{6}\.dump$/);
  expect(await wizard.textContent()).toMatch(/pre-operation marker not recorded: sandbox is a read-only profile/);
  await expectNoPageHorizontalScroll(page);
  await app.screenshot('backups-review-1440.png');
  await wizard.getByRole('button', { name: 'Start backup' }).click();
  const result = page.getByRole('region', { name: 'Backup result' });
  await result.waitFor({ timeout: 120_000 });
  expect(await result.textContent()).toContain(reviewedPath);
  const warning = result.getByRole('alert');
  expect(await warning.textContent()).toMatch(/Written, with a warning.*pre-operation marker not recorded: sandbox is a read-only profile/);
  await app.screenshot('backups-result-marker-warning-1440.png');

  // Its verification: the marker's warning is a WARNING row beside the passes.
  const name = path.basename(reviewedPath);
  const catalog = page.getByRole('region', { name: 'Backup catalog' });
  const row = catalog.getByRole('row', { name: `Backup ${name}` });
  await row.waitFor({ timeout: 10_000 });
  await row.getByRole('button', { name: `Verify ${name}` }).click();
  const verification = catalog.getByRole('region', { name: `Verification of ${name}` });
  await verification.getByText(`Verified, with warnings: ${name}`).waitFor({ timeout: 60_000 });
  const warnedItem = verification.getByRole('listitem').filter({ hasText: 'warnings at backup time' });
  expect(await warnedItem.getByText('WARNING', { exact: true }).count()).toBe(1);
  expect(await warnedItem.getByText('PASS', { exact: true }).count()).toBe(0);
  expect(await verification.getByText('PASS', { exact: true }).count()).toBeGreaterThan(0);

  // Show in folder, in browser mode: the page says what happened and why, with the path.
  await row.getByRole('button', { name: `Show ${name} in its folder` }).click();
  const revealed = catalog.getByRole('status', { name: 'Show in folder' });
  await revealed.waitFor();
  expect(await revealed.textContent()).toMatch(/^Browser mode/);
  expect(await revealed.textContent()).toContain(reviewedPath);
  await expectNoPageHorizontalScroll(page);
  await app.screenshot('backups-show-in-folder-1440.png');

  // ── Restore at 1024×700 into the local scratch PostgreSQL (a read-write profile again).
  await page.evaluate(setReadOnly(false));
  await setViewport(page, 'small');
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await page.getByRole('heading', { name: 'Restore', exact: true }).waitFor();
  const restore = page.getByRole('region', { name: 'New restore' });
  await restore.getByRole('region', { name: 'Backup contents' }).waitFor({ timeout: 30_000 });
  await restore.getByRole('button', { name: 'Next' }).click();
  await restore.getByRole('radio', { name: /^Local scratch/ }).check();
  await restore.getByRole('button', { name: 'Next' }).click();
  await restore.getByRole('button', { name: 'Next' }).click();
  const restorePlan = restore.getByRole('table', { name: 'Restore plan' });
  await restorePlan.waitFor({ timeout: 90_000 });
  const scratchName = (
    (await restorePlan
      .getByRole('row', { name: /^Target / })
      .locator('code')
      .first()
      .textContent()) ?? ''
  ).trim();
  expect(scratchName).toMatch(/^restore_\d{8}_\d{6}$/);
  await expectNoPageHorizontalScroll(page);
  await app.screenshot('restore-review-1024.png');
  await restore.getByRole('button', { name: 'Start restore' }).click();
  const restored = restore.getByRole('region', { name: 'Restore result' });
  await restored.waitFor({ timeout: 240_000 });
  expect(await restored.getByLabel('Status: OK').count(), (await restored.textContent()) ?? '').toBe(1);
  // The database created is the one reviewed: the profile the core adds for it carries its name.
  const created = (await page.evaluate(`(async () => { ${API} return (await call('listProfiles', {})).map((p) => p.database); })()`)) as string[];
  expect(created).toContain(scratchName);
  // The real TOC count, not "1 of 1".
  const done = ((await restore.getByRole('region', { name: 'Restore progress' }).getByLabel('Done', { exact: true }).textContent()) ?? '').trim();
  const counted = /^([\d,]+) of ([\d,]+) items$/.exec(done);
  expect(counted, done).not.toBeNull();
  expect(counted![1]).toBe(counted![2]);
  expect(Number(counted![2]!.replace(/,/g, ''))).toBeGreaterThan(20);
  await expectNoPageHorizontalScroll(page);
  await app.screenshot('restore-result-1024.png');

  expect(app.pageErrors).toEqual([]);
}, 600_000);

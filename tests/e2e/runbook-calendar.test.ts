// Issue #5 through the UI: the maintenance calendar of the demo sandbox shows the morning
// checklist not done (due or not yet, depending on the clock) and the navigation says so when
// it is due; the operator raises the low-stock thresholds (the seeded ~7 items become OK),
// starts the morning checklist from the calendar, signs it off, and the calendar shows it
// DONE; the thresholds then go back to the runbook's defaults.
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { startApp, startSandbox } from './harness';

const MORNING = 'Morning checklist (9 AM)';

function calendarRow(page: Page, title: string): Locator {
  return page.getByRole('table', { name: 'Maintenance items' }).getByRole('row', { name: title, exact: true });
}

async function stateOf(page: Page, title: string): Promise<string> {
  return (
    (await calendarRow(page, title)
      .getByLabel(/^State: /)
      .getAttribute('aria-label')) ?? ''
  ).replace(/^State: /, '');
}

function thresholdRow(page: Page, metric: string): Locator {
  return page.getByRole('table', { name: 'Thresholds' }).getByRole('row', { name: metric, exact: true });
}

test('the calendar shows the morning checklist due until it is signed off; thresholds are edited per profile and reset', async () => {
  const app = await startApp();
  const { page } = app;
  await startSandbox(page);

  const nav = page.getByRole('button', { name: 'Checklists', exact: true });
  await nav.click();
  const calendar = page.getByRole('region', { name: 'Maintenance calendar' });
  await calendarRow(page, MORNING).waitFor({ timeout: 30_000 });
  // Weekly, monthly and quarterly maintenance are listed too, never done on a fresh sandbox.
  expect(await calendar.getByRole('row').count()).toBeGreaterThanOrEqual(4);
  const before = await stateOf(page, MORNING);
  expect(['UPCOMING', 'DUE', 'OVERDUE']).toContain(before);
  expect(await calendarRow(page, MORNING).textContent()).toContain('Never on this profile');
  // The navigation's reminder follows the calendar (polled; the first read is at load).
  if (before === 'DUE' || before === 'OVERDUE') {
    await expect.poll(() => nav.getAttribute('aria-description'), { timeout: 10_000 }).toContain(MORNING);
  }
  await app.screenshot('runbook-calendar.png');

  // Thresholds: low stock warning above 100, critical above 200.
  const thresholds = page.getByRole('region', { name: 'Alert thresholds' });
  await thresholds.getByRole('button', { name: /Alert thresholds/ }).click();
  const lowStock = thresholdRow(page, 'Low stock');
  await lowStock.waitFor({ timeout: 15_000 });
  // The runbook's table is marked as such; sizes are edited in GB.
  expect(await thresholdRow(page, 'DB size').getByRole('textbox', { name: 'Warning for DB size (GB)' }).inputValue()).toBe('8');
  const warn = lowStock.getByRole('textbox', { name: 'Warning for Low stock (count)' });
  const critical = lowStock.getByRole('textbox', { name: 'Critical for Low stock (count)' });
  expect(await warn.inputValue()).toBe('5');
  expect(await critical.inputValue()).toBe('10');
  const save = thresholds.getByRole('button', { name: 'Save thresholds' });
  expect(await save.isDisabled()).toBe(true);
  await warn.fill('100');
  await critical.fill('200');
  await thresholds.getByText('1 unsaved change.').waitFor();
  await save.click();
  await thresholds.getByRole('status').filter({ hasText: '1 threshold saved' }).waitFor();
  await lowStock.getByText('custom', { exact: true }).waitFor();
  await app.screenshot('runbook-thresholds.png');

  // Start the morning checklist from the calendar: low stock (~7 items) is OK now.
  await calendarRow(page, MORNING)
    .getByRole('button', { name: `Start ${MORNING}` })
    .click();
  const run = page.getByRole('region', { name: 'Checklist run', exact: true });
  await run.waitFor({ timeout: 60_000 });
  const lowStep = run.getByRole('region', { name: 'Step: Low stock items', exact: true });
  await lowStep
    .getByLabel(/^Status: /)
    .first()
    .waitFor({ timeout: 60_000 });
  await expect
    .poll(
      () =>
        lowStep
          .getByLabel(/^Status: /)
          .first()
          .textContent(),
      { timeout: 60_000 },
    )
    .toBe('OK');
  expect(await lowStep.textContent()).toMatch(/warning above 100, critical above 200/);

  await run.getByRole('button', { name: 'Mark the rest done' }).click();
  const signOff = run.getByRole('button', { name: 'Sign off' });
  await expect.poll(() => signOff.isEnabled(), { timeout: 10_000 }).toBe(true);
  await signOff.click();
  await page.getByRole('status').filter({ hasText: 'Signed off' }).waitFor();

  // Done for today: the calendar says so with the run's status, and the reminder is gone.
  await expect.poll(() => stateOf(page, MORNING), { timeout: 15_000 }).toBe('DONE');
  expect(await calendarRow(page, MORNING).textContent()).not.toContain('Never on this profile');
  expect(
    await calendarRow(page, MORNING)
      .getByLabel(/^Status: /)
      .count(),
  ).toBe(1);
  // The morning reminder is gone (after 6 PM the evening checklist is due and stays listed).
  await expect.poll(async () => (await nav.getAttribute('aria-description')) ?? '', { timeout: 10_000 }).not.toContain(MORNING);
  await app.screenshot('runbook-calendar-done.png');

  // Back to the runbook's defaults.
  await lowStock.getByRole('button', { name: 'Reset Low stock to default' }).click();
  expect(await warn.inputValue()).toBe('5');
  expect(await critical.inputValue()).toBe('10');
  await save.click();
  await thresholds.getByRole('status').filter({ hasText: '1 threshold saved' }).waitFor();
  await expect.poll(() => lowStock.getByText('custom', { exact: true }).count()).toBe(0);

  // Both changes are audited.
  const audit = json(await runCli(app.home, ['audit', 'list', '--action', 'thresholds.update', '--json'])) as { entries: unknown[] };
  expect(audit.entries).toHaveLength(2);
  expect(app.pageErrors).toEqual([]);
}, 240_000);

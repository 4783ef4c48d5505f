// The Fleet screen (issue #22) through the browser, on the run's PostgreSQL (no sandbox, to
// stay cheap): three profiles — two on the test database, tagged prod and dev, one on a closed
// port tagged prod. The screen lists them as never checked, the prod chip narrows the list,
// Alt+R refreshes (the reachable row gets its status and size, the closed port its error,
// neither stopping the other), and clicking a row opens that profile's Performance screen.
// With no profile at all it says how to add one. Screenshot: test-results/screens/fleet.png.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, inject, test } from 'vitest';
import { RESULTS_DIR, startApp } from './harness';

const pg = inject('pg');

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Creates a profile through the page's own API session (the form is the Profiles screen's test). */
async function createProfile(page: Page, profile: Record<string, unknown>, password: string): Promise<void> {
  const answer = await page.evaluate(
    async ({ profile, password }) => {
      const response = await fetch('/api/createProfile', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ profile, password }),
      });
      return (await response.json()) as { ok: boolean; error?: { message: string } };
    },
    { profile, password },
  );
  if (!answer.ok) throw new Error(`createProfile failed: ${answer.error?.message}`);
}

test('the Fleet screen lists every profile, filters by tag, refreshes each row and opens a profile', async () => {
  const app = await startApp();
  const { page } = app;
  // No profile yet: the screen says how to add one (the sidebar leaves the first-run screen).
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: /^Fleet/ })
    .click();
  await page.getByText('No profiles yet').waitFor();
  expect(await page.getByRole('button', { name: 'Open Profiles' }).isVisible()).toBe(true);

  const base = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, sslmode: 'disable', env: 'development', readOnly: false };
  await createProfile(page, { ...base, name: 'fleet-prod', env: 'staging', tags: ['prod', 'eu'] }, pg.password);
  await createProfile(page, { ...base, name: 'fleet-dev', tags: ['dev'] }, pg.password);
  await createProfile(page, { ...base, name: 'fleet-down', host: '127.0.0.1', port: await closedPort(), tags: ['prod'] }, 'unused');
  await page.reload();

  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: /^Fleet/ })
    .click();
  await page.getByRole('heading', { name: 'Fleet', exact: true }).waitFor();
  const table = page.getByRole('table', { name: 'Fleet' });
  await table.waitFor();
  const rows = table.getByRole('row', { name: /^fleet-/ });
  expect(await rows.count()).toBe(3);
  expect(await table.getByText('Never checked from here').count()).toBe(3);

  // The prod chip: the two prod profiles only.
  await page.getByRole('radiogroup', { name: 'Filter by tag' }).getByText('prod', { exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Fleet"] tbody tr').length === 2);
  expect(await rows.allTextContents()).toEqual([expect.stringContaining('fleet-'), expect.stringContaining('fleet-')]);
  expect(await table.getByRole('row', { name: 'fleet-dev' }).count()).toBe(0);

  // Refresh by its key: both rows change, the unreachable one with its own error.
  await page.keyboard.press('Alt+R');
  await page.getByText(/Last refresh: 1 answered, 1 failed/).waitFor({ timeout: 30_000 });
  const prod = table.getByRole('row', { name: 'fleet-prod' });
  const down = table.getByRole('row', { name: 'fleet-down' });
  expect(await prod.getAttribute('data-status')).toMatch(/^(ok|warning|critical)$/);
  expect(await prod.textContent()).toMatch(/Answered/);
  expect(await prod.textContent()).toMatch(/\d+ of \d+/);
  expect(await down.getAttribute('data-status')).toBe('unknown');
  expect(await down.textContent()).toMatch(/refused|connect/i);
  // Worst first: the unreachable profile above the one that answered, unless that one is CRITICAL.
  const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('aria-label')));
  if ((await prod.getAttribute('data-status')) !== 'critical') expect(order).toEqual(['fleet-down', 'fleet-prod']);
  fs.mkdirSync(path.join(RESULTS_DIR, 'screens'), { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, 'screens', 'fleet.png'), fullPage: true });

  // A click on the row: that profile becomes the active one, on its Performance screen.
  await prod.click();
  await page.getByRole('heading', { name: 'Performance', exact: true }).waitFor();
  await page.getByRole('main').getByText('fleet-prod', { exact: true }).first().waitFor();
  expect(app.pageErrors).toEqual([]);
}, 120_000);

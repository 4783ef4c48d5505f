// Issue #19, the emergency path on production, through the UI at 1440×900 and 1024×700: a
// read-only production profile, a real lock conflict (a holder idle in transaction, a waiter
// behind it). Activity → Terminate opens ONE dialog that elevates (reason, duration, typed
// name) and then terminates: the holder is gone and the waiter proceeds; the band shows
// ELEVATED with the time left, fits at both sizes, and "End now" ends it. A refused action
// (the same terminate asked of the API after the elevation ended) shows in the audit screen
// as "refused", not as an error.
import crypto from 'node:crypto';
import pg from 'pg';
import { expect, inject, onTestFinished, test } from 'vitest';
import { clientConfig, quoteIdent, withClient } from '../helpers/pg';
import { addProfileThroughForm, openQueryConsole, runInEditor, startApp } from './harness';
import { expectNoPageHorizontalScroll, expectNotClipped, setViewport, VIEWPORTS } from './layout';

async function openBackend(config: pg.ClientConfig, applicationName: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ ...config, application_name: applicationName });
  // A terminated backend makes the client emit 'error'; that is the point of the test.
  client.on('error', () => undefined);
  await client.connect();
  onTestFinished(() => client.end().catch(() => undefined));
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

test('elevate a read-only production profile to terminate a lock holder; the band counts down; End now; a refusal is audited as refused', async () => {
  const target = inject('pg');
  const table = `e2e_elevation_${crypto.randomBytes(4).toString('hex')}`;
  const t = quoteIdent(table);
  await withClient(target, (c) => c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, n int NOT NULL); INSERT INTO ${t} VALUES (1, 0);`));
  onTestFinished(() => withClient(target, (c) => c.query(`DROP TABLE IF EXISTS ${t}`)).then(() => undefined));

  const app = await startApp({ viewport: VIEWPORTS.large });
  const { page } = app;
  await addProfileThroughForm(page, target, { name: 'e2e-prod', env: 'production', readOnly: true });
  const band = page.getByRole('status', { name: /^Environment:/ });
  await band.getByText('READ-ONLY').waitFor();

  const holder = await openBackend(clientConfig(target), 'e2e-holder');
  await holder.client.query('BEGIN');
  await holder.client.query(`UPDATE ${t} SET n = n + 1 WHERE id = 1`);
  const waiter = await openBackend(clientConfig(target), 'e2e-waiter');
  const waiting = waiter.client.query(`UPDATE ${t} SET n = n + 10 WHERE id = 1`).then((r) => r.rowCount);
  waiting.catch(() => undefined);

  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await page.getByRole('tab', { name: /Blocking/ }).click();
  const root = page.getByRole('tree', { name: 'Blocking tree' }).getByRole('treeitem', { name: `Root blocker ${holder.pid}`, exact: true });
  await root.waitFor({ timeout: 30_000 });
  await root.getByRole('button', { name: `Terminate ${holder.pid}`, exact: true }).click();

  // One dialog: elevation up front (the profile has no break-glass role: it says so), then the action.
  const dialog = page.getByRole('dialog', { name: `Terminate backend ${holder.pid}?` });
  await dialog.waitFor();
  const elevate = dialog.getByTestId('elevation-fields');
  expect(await elevate.textContent()).toContain('no break-glass role: the elevation uses its own role');
  const go = dialog.getByRole('button', { name: `Elevate and terminate backend ${holder.pid}`, exact: true });
  expect(await go.isDisabled()).toBe(true);
  await elevate.getByLabel('Reason (recorded in the audit trail)').fill('INC-19: checkout blocked by a lock');
  await elevate.locator('label', { hasText: /^5 minutes$/ }).click();
  await dialog.getByLabel('Type the profile name (e2e-prod) to confirm').fill('e2e-prod');
  await go.click();
  const result = dialog.getByRole('status');
  // The typed-name box is an alert too: wait for the answer itself, or the refusal's title.
  await result
    .or(dialog.getByText(/Terminate refused|Not elevated/))
    .first()
    .waitFor({ timeout: 30_000 });
  if ((await result.count()) === 0) throw new Error(`terminate did not answer with a result: ${await dialog.textContent()}`);
  expect(await result.textContent()).toContain('checked afterwards: effective');
  // The session is gone: the waiter's UPDATE went through.
  expect(await waiting).toBe(1);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await dialog.waitFor({ state: 'detached' });
  await root.waitFor({ state: 'detached', timeout: 30_000 });

  // The band: ELEVATED with the time left, counting down.
  const elevated = band.getByTestId('env-band-elevation');
  await elevated.waitFor();
  const first = (await elevated.textContent()) ?? '';
  expect(first).toMatch(/ELEVATED · [45]:\d\d left/);
  await page.waitForFunction(
    (before) => {
      const el = document.querySelector('[data-testid="env-band-elevation"]');
      return el !== null && el.textContent !== before;
    },
    first,
    { timeout: 5000 },
  );
  await expectNotClipped(elevated.getByText(/ELEVATED/), 'ELEVATED label at 1440');
  await expectNotClipped(elevated.getByRole('button', { name: 'End now' }), 'End now at 1440');
  await expectNoPageHorizontalScroll(page);
  await app.screenshot('activity-elevated-1440.png');
  await setViewport(page, 'small');
  await expectNotClipped(elevated.getByText(/ELEVATED/), 'ELEVATED label at 1024');
  await expectNotClipped(elevated.getByRole('button', { name: 'End now' }), 'End now at 1024');
  await expectNoPageHorizontalScroll(page);
  await app.screenshot('activity-elevated-1024.png');

  await elevated.getByRole('button', { name: 'End now' }).click();
  await elevated.waitFor({ state: 'detached' });
  await band.getByText('READ-ONLY').waitFor();

  // The console: a write on the read-only production profile offers the elevation up front
  // (nothing has run yet), and after it the write runs once, as that one action.
  const editor = await openQueryConsole(page);
  await runInEditor(editor, `UPDATE ${t} SET n = n + 100 WHERE id = 1`);
  const elevateRun = page.getByRole('dialog', { name: 'Elevate e2e-prod to run this?' });
  await elevateRun.waitFor();
  expect(await elevateRun.textContent()).toContain('Nothing has run.');
  expect((await withClient(target, (c) => c.query<{ n: number }>(`SELECT n FROM ${t} WHERE id = 1`))).rows[0]!.n).toBe(10);
  await elevateRun.getByLabel('Reason (recorded in the audit trail)').fill('INC-19: fix the counter');
  await elevateRun.getByLabel('Type the profile name (e2e-prod) to confirm').fill('e2e-prod');
  await elevateRun.getByRole('button', { name: 'Elevate and run', exact: true }).click();
  await elevateRun.waitFor({ state: 'detached', timeout: 30_000 });
  await expect
    .poll(async () => (await withClient(target, (c) => c.query<{ n: number }>(`SELECT n FROM ${t} WHERE id = 1`))).rows[0]!.n, { timeout: 30_000 })
    .toBe(110);
  await band.getByText('READ-ONLY').waitFor();

  // Asked again without elevation (the API, as a script would): refused, and audited so.
  const answer = await page.evaluate(async (pid) => {
    const profiles = (await (await fetch('/api/listProfiles', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as {
      value: Array<{ id: string; name: string }>;
    };
    const id = profiles.value.find((p) => p.name === 'e2e-prod')!.id;
    const res = await fetch('/api/cancelBackend', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profileId: id, pid }),
    });
    return (await res.json()) as { ok: boolean; error?: { code: string } };
  }, waiter.pid);
  expect(answer).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });

  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  const entries = page.getByRole('table', { name: 'Audit entries' });
  const refusedRow = entries.getByRole('row').filter({ hasText: 'session.cancel' }).first();
  await refusedRow.waitFor({ timeout: 30_000 });
  expect(await refusedRow.textContent()).toContain('refused');
  const terminated = entries.getByRole('row').filter({ hasText: 'session.terminate' }).first();
  expect(await terminated.textContent()).toMatch(/ok.*elevation [0-9a-f]{8}, reason: INC-19/);
  expect(await entries.getByRole('row').filter({ hasText: 'profile.elevate' }).count()).toBeGreaterThan(0);
  await app.screenshot('audit-refused-1024.png');
  expect(app.pageErrors).toEqual([]);
}, 180_000);

// Issue #8 through the UI: real backends opened by the test on the run's PostgreSQL — one
// idle in transaction holding a row lock, one UPDATE blocked behind it. The Activity screen
// shows the holder as the root blocker with the waiter under it; terminating the root from
// the tree (after the confirmation) lets the waiter's UPDATE finish, and the tree empties.
import crypto from 'node:crypto';
import pg from 'pg';
import { expect, inject, onTestFinished, test } from 'vitest';
import { clientConfig, quoteIdent, withClient } from '../helpers/pg';
import { addProfileThroughForm, startApp } from './harness';

async function openBackend(config: pg.ClientConfig, applicationName: string): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ ...config, application_name: applicationName });
  // A terminated backend makes the client emit 'error'; that is the point of the test.
  client.on('error', () => undefined);
  await client.connect();
  onTestFinished(() => client.end().catch(() => undefined));
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0]!.pid };
}

test('blocking: the root blocker is shown first, terminating it from the tree releases the waiter', async () => {
  const target = inject('pg');
  const table = `e2e_activity_${crypto.randomBytes(4).toString('hex')}`;
  const t = quoteIdent(table);
  await withClient(target, (c) => c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, n int NOT NULL); INSERT INTO ${t} VALUES (1, 0);`));
  onTestFinished(() => withClient(target, (c) => c.query(`DROP TABLE IF EXISTS ${t}`)).then(() => undefined));

  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, target, { name: 'e2e-activity' });

  // The holder: a transaction left open with the row locked.
  const holder = await openBackend(clientConfig(target), 'e2e-holder');
  await holder.client.query('BEGIN');
  await holder.client.query(`UPDATE ${t} SET n = n + 1 WHERE id = 1`);
  // The waiter: an autocommit UPDATE of the same row, stuck until the holder ends.
  const waiter = await openBackend(clientConfig(target), 'e2e-waiter');
  let waiterDone = false;
  const waiting = waiter.client.query(`UPDATE ${t} SET n = n + 10 WHERE id = 1`).then((r) => {
    waiterDone = true;
    return r.rowCount;
  });
  // Handled here too, so a test failing earlier (clients closed) is not also an unhandled rejection.
  waiting.catch(() => undefined);
  // Any backend named like this app's own connections (application_name ops-console…) is marked.
  const ownLike = await openBackend(clientConfig(target), 'ops-console e2e');

  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await page.getByRole('heading', { name: 'Activity', exact: true }).waitFor();
  await page.getByRole('region', { name: 'Connection summary' }).waitFor({ timeout: 30_000 });
  expect(await page.getByRole('region', { name: 'Connection summary' }).textContent()).toContain('Checklists → Alert thresholds');
  // The sessions list: both test backends, and this app's own connection marked.
  const sessions = page.getByRole('table', { name: 'Sessions' });
  await sessions.getByRole('row', { name: `Session ${waiter.pid}`, exact: true }).waitFor({ timeout: 30_000 });
  expect(await sessions.getByRole('row', { name: `Session ${holder.pid}`, exact: true }).textContent()).toContain('idle in transaction');
  expect(
    await sessions
      .getByRole('row', { name: `Session ${ownLike.pid}`, exact: true })
      .getByText('this app')
      .count(),
  ).toBe(1);
  expect(
    await sessions
      .getByRole('row', { name: `Session ${holder.pid}`, exact: true })
      .getByText('this app')
      .count(),
  ).toBe(0);
  await page.getByRole('tab', { name: /Blocking/ }).click();

  const tree = page.getByRole('tree', { name: 'Blocking tree' });
  const root = tree.getByRole('treeitem', { name: `Root blocker ${holder.pid}`, exact: true });
  await root.waitFor({ timeout: 30_000 });
  const waiterNode = root.getByRole('treeitem', { name: `Waiter ${waiter.pid}`, exact: true });
  await waiterNode.waitFor();
  expect(await root.textContent()).toContain('e2e-holder');
  expect(await waiterNode.textContent()).toContain(`UPDATE ${t} SET n = n + 10`);
  // The waiter is never shown as a root.
  expect(await tree.getByRole('treeitem', { name: `Root blocker ${waiter.pid}`, exact: true }).count()).toBe(0);
  expect(waiterDone).toBe(false);
  await app.screenshot('activity-blocking.png');

  await root.getByRole('button', { name: `Terminate ${holder.pid}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Terminate backend ${holder.pid}?` });
  await dialog.waitFor();
  // The confirmation says who and what.
  const shown = (await dialog.textContent()) ?? '';
  expect(shown).toContain('e2e-holder');
  expect(shown).toContain(`UPDATE ${t} SET n = n + 1`);
  await dialog.getByRole('button', { name: `Terminate backend ${holder.pid}`, exact: true }).click();
  // Mantine names the alert by its title: the verified outcome.
  const result = dialog.getByRole('status');
  // A refusal shows as an alert instead: fail with its words rather than a timeout.
  await result.or(dialog.getByRole('alert')).first().waitFor({ timeout: 30_000 });
  if ((await result.count()) === 0) throw new Error(`terminate did not answer with a result: ${await dialog.textContent()}`);
  const outcome = (await result.textContent()) ?? '';
  expect(outcome).toContain(`Backend ${holder.pid} is gone`);
  expect(outcome).toContain('pg_terminate_backend returned true; checked afterwards: effective');

  // The waiter's UPDATE goes through once the holder's transaction is rolled back.
  expect(await waiting).toBe(1);
  const { rows } = await withClient(target, (c) => c.query<{ n: number }>(`SELECT n FROM ${t} WHERE id = 1`));
  expect(rows[0]?.n).toBe(10);

  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await dialog.waitFor({ state: 'detached' });
  await root.waitFor({ state: 'detached', timeout: 30_000 });
  expect(await page.getByRole('treeitem', { name: new RegExp(`^(Root blocker|Waiter) (${holder.pid}|${waiter.pid})$`) }).count()).toBe(0);
  await app.screenshot('activity-after-terminate.png');

  // "Database down": the staged test, then the server's state from the snapshot.
  await page.getByRole('tab', { name: 'Database down' }).click();
  const down = page.getByRole('region', { name: 'Database down' });
  await down.getByRole('button', { name: 'Run connection test' }).click();
  await down.getByRole('region', { name: 'Connection test stages' }).getByText('Connection ok').waitFor({ timeout: 30_000 });
  expect(await down.textContent()).toMatch(/Active connections.*Lock waits.*Database size/);
  // Who to call: the profile's contacts (the form's default Supabase support line) and level.
  expect(await down.getByRole('table', { name: 'Emergency contacts' }).textContent()).toContain('Supabase Support');
  expect(await down.textContent()).toContain('No escalation level set for this profile');
  expect(app.pageErrors).toEqual([]);
}, 180_000);

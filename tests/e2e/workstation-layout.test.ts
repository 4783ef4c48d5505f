// Issue #19's frame and tables, at the two window sizes of a DBA's laptop (1440×900 and
// 1024×700), in one app start on a shop database of the run's PostgreSQL reached through a
// TCP relay the test can cut: the sidebar folds to icons on the small window (Ctrl+B toggles,
// remembered); Profiles, Activity, Performance, Backups (Details open) and Checklists never
// scroll the page sideways; a session's state badge, its Terminate button, a long table name
// and its VACUUM button are never clipped; client sessions come before background ones; the
// all-locks view lists a lock the test holds; Run checks brings the results into view; the
// "?" list has the keys each screen binds; and the header says the database is down when the
// relay is cut and up again when it is back.
import net from 'node:net';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { expect, inject, onTestFinished, test } from 'vitest';
import { clientConfig, quoteIdent, withClient } from '../helpers/pg';
import { runCli } from '../helpers/cli';
import { createShopDatabase } from '../helpers/shop-db';
import { addProfileThroughForm, startApp, type E2eApp } from './harness';
import { expectNoPageHorizontalScroll, expectNotClipped, setViewport, VIEWPORTS, type ViewportName } from './layout';

/** A TCP relay to the server: cut() refuses every connection (and drops the open ones), restore() listens again on the same port. */
async function startRelay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await listen();
  const cut = async () => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  onTestFinished(cut);
  return { port: () => port, cut, restore: listen };
}

async function openScreen(page: Page, name: string, heading = name): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
}

async function navWidth(page: Page): Promise<number> {
  return page.getByRole('navigation', { name: 'Screens' }).evaluate((el) => el.getBoundingClientRect().width);
}

/** Polls a fact of the page until it holds (layout settles after a smooth scroll or a refresh). */
async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the workstation frame and its tables fit 1440×900 and 1024×700', async () => {
  const server = inject('pg');
  const shop = await createShopDatabase(server, 'layout');
  onTestFinished(() => shop.dispose());
  // A long table name: the kind that clipped in the Performance tables.
  const longTable = 'customer_order_line_item_personalisation_engraving_requests';
  await withClient(
    server,
    async (c) => {
      await c.query(`CREATE TABLE public.${quoteIdent(longTable)} (id int PRIMARY KEY, note text)`);
      await c.query(`INSERT INTO public.${quoteIdent(longTable)} SELECT g, md5(g::text) FROM generate_series(1, 500) g`);
      await c.query(`ALTER TABLE public.${quoteIdent(longTable)} OWNER TO ${quoteIdent(shop.role)}`);
      await c.query('CREATE TABLE public.layout_locked (id int)');
      await c.query(`ALTER TABLE public.layout_locked OWNER TO ${quoteIdent(shop.role)}`);
    },
    shop.database,
  );
  const relay = await startRelay({ host: server.host, port: server.port });

  const app: E2eApp = await startApp({ viewport: VIEWPORTS.large });
  const { page } = app;
  await addProfileThroughForm(
    page,
    { host: '127.0.0.1', port: relay.port(), database: shop.database, user: shop.role, password: shop.password },
    { name: 'layout-shop' },
  );
  // A finished backup for the Details dialog, taken by the CLI on the same home.
  const backup = await runCli(app.home, ['backup', 'layout-shop', '--json'], { env: { PGPASSWORD: shop.password } });
  expect(backup.code, backup.stderr).toBe(0);

  // A session idle in its transaction holding a table lock: listed as a client session, in the locks view.
  const holder = new pg.Client({ ...clientConfig(server, shop.database), application_name: 'layout-holder' });
  holder.on('error', () => undefined);
  await holder.connect();
  onTestFinished(() => holder.end().catch(() => undefined));
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE public.layout_locked IN SHARE MODE');
  const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

  // The sidebar: expanded on the wide window, icons only on the small one; Ctrl+B toggles, remembered per size.
  expect(await navWidth(page)).toBeGreaterThan(200);
  await setViewport(page, 'small');
  await eventually('the sidebar folds on the small window', async () => (await navWidth(page)) < 80);
  expect(await page.getByRole('navigation', { name: 'Screens' }).getByText('Activity', { exact: true }).count()).toBe(0);
  await page.keyboard.press('Control+b');
  await eventually('Ctrl+B expands it', async () => (await navWidth(page)) > 200);
  await page.reload();
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
  expect(await navWidth(page)).toBeGreaterThan(200);
  await page.keyboard.press('Control+b');
  await eventually('Ctrl+B folds it again', async () => (await navWidth(page)) < 80);
  await setViewport(page, 'large');
  await eventually('the wide window keeps its own choice', async () => (await navWidth(page)) > 200);

  // The "?" list is the table the keys are bound from: the screens' own keys are in it.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  await help.getByRole('row', { name: 'Checklists: Ctrl+Enter', exact: true }).waitFor();
  await help.getByRole('row', { name: 'Activity: Space', exact: true }).waitFor();
  await help.getByRole('row', { name: 'Anywhere: Ctrl+B', exact: true }).waitFor();
  expect(await help.getByRole('row', { name: /^Query: / }).count()).toBeGreaterThan(5);
  await app.screenshot('frame-shortcuts-1440.png');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });

  for (const size of ['large', 'small'] as ViewportName[]) {
    const px = VIEWPORTS[size].width;
    await setViewport(page, size);

    await openScreen(page, 'Profiles');
    await page.getByRole('table', { name: 'Connection profiles' }).waitFor();
    await expectNoPageHorizontalScroll(page);
    await app.screenshot(`profiles-list-${px}.png`);

    // Activity: client sessions first, nothing that matters clipped, the lock in the all-locks view.
    await openScreen(page, 'Activity');
    const sessions = page.getByRole('table', { name: 'Sessions' });
    const holderRow = sessions.getByRole('row', { name: `Session ${holderPid}`, exact: true });
    await holderRow.waitFor({ timeout: 30_000 });
    const kinds = await sessions.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-backend')));
    expect(kinds).toContain('background');
    expect(kinds.indexOf('background')).toBeGreaterThan(kinds.lastIndexOf('client'));
    await expectNoPageHorizontalScroll(page);
    const badge = holderRow.getByTestId('session-state');
    await badge.scrollIntoViewIfNeeded();
    expect(await badge.textContent()).toBe('idle in transaction');
    await expectNotClipped(badge, `state badge at ${px}`);
    const terminate = holderRow.getByRole('button', { name: `Terminate ${holderPid}`, exact: true });
    await terminate.scrollIntoViewIfNeeded();
    await expectNotClipped(terminate, `Terminate at ${px}`);
    await app.screenshot(`activity-sessions-${px}.png`);
    await page.getByRole('tab', { name: 'All locks' }).click();
    const lock = page.getByRole('table', { name: 'Locks' }).getByRole('row', { name: `Lock ${holderPid} ShareLock on layout_locked`, exact: true });
    await lock.waitFor({ timeout: 30_000 });
    expect(await lock.textContent()).toContain('granted');
    await expectNoPageHorizontalScroll(page);
    await app.screenshot(`activity-locks-${px}.png`);

    // Performance → Tables: the long name and its VACUUM button whole.
    await openScreen(page, 'Performance');
    await page.getByRole('tab', { name: 'Tables & storage', exact: true }).click();
    const row = page.getByRole('table', { name: 'Tables' }).getByRole('row', { name: `Table public.${longTable}`, exact: true });
    await row.waitFor({ timeout: 30_000 });
    await expectNoPageHorizontalScroll(page);
    const nameCell = row.getByRole('cell').first();
    await nameCell.scrollIntoViewIfNeeded();
    await expectNotClipped(nameCell, `table name at ${px}`);
    const vacuum = row.getByRole('button', { name: `VACUUM public.${longTable}`, exact: true });
    await vacuum.scrollIntoViewIfNeeded();
    await expectNotClipped(vacuum, `VACUUM at ${px}`);
    await app.screenshot(`performance-tables-${px}.png`);

    // Backups → Details: the dialog never scrolls sideways.
    await openScreen(page, 'Backups');
    const details = page.getByRole('button', { name: /^Details of / }).first();
    await details.waitFor({ timeout: 30_000 });
    await details.click();
    const dialog = page.getByRole('dialog', { name: /^Backup / });
    await dialog.getByRole('table', { name: 'Row counts per table' }).waitFor();
    const wide = await dialog.evaluate((el) =>
      [el, ...el.querySelectorAll('*')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
    );
    expect(wide, 'parts of the Details dialog that scroll sideways').toEqual([]);
    await expectNoPageHorizontalScroll(page);
    await app.screenshot(`backups-details-${px}.png`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // Checklists: Run checks brings the results into view.
    await openScreen(page, 'Checklists');
    await page.getByRole('radio', { name: 'Morning checklist (9 AM)' }).check({ force: true });
    await expectNoPageHorizontalScroll(page);
    await page.getByRole('button', { name: 'Run checks' }).click();
    const run = page.getByRole('region', { name: 'Checklist run', exact: true });
    await run.waitFor({ timeout: 60_000 });
    await eventually(`the run's results are in the window at ${px}`, () =>
      run.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const header = document.querySelector('header')?.getBoundingClientRect().bottom ?? 0;
        return r.top >= header - 1 && r.top < window.innerHeight - 100;
      }),
    );
    await expectNoPageHorizontalScroll(page);
    await app.screenshot(`checklists-run-${px}.png`);
    await run.getByRole('button', { name: 'Discard this run' }).click();
    await run.waitFor({ state: 'hidden' });
  }

  // The header follows the database: up while Activity polls it, down when the relay is cut, up when it is back.
  await openScreen(page, 'Activity');
  const up = page.getByRole('status', { name: 'Database up' });
  await up.waitFor({ timeout: 30_000 });
  await relay.cut();
  const down = page.getByRole('status', { name: 'Database down' });
  await down.waitFor({ timeout: 30_000 });
  await app.screenshot('frame-down-1024.png');
  await relay.restore();
  await up.waitFor({ timeout: 30_000 });

  await holder.query('ROLLBACK');
  expect(app.pageErrors.filter((e) => !e.includes('HTTP'))).toEqual([]);
});

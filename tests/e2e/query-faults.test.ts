// Issue #4's faults through the UI, with real processes killed: PostgreSQL killed
// mid-query (the tab shows the error, the app stays usable, the next run reconnects once
// the server is back), and the network (an SSH bastion) dropped mid-fetch (the rows that
// came are kept and marked partial).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject, onTestFinished, test } from 'vitest';
import { freeLoopbackPort, LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../../src-main/core/platform/postgres/server-binaries';
import { withClient, type TestPg } from '../helpers/pg';
import { startBastion } from '../helpers/sshd';
import { addProfileThroughForm, addSshProfileThroughForm, openQueryConsole, runInEditor, startApp } from './harness';

/** A cluster of its own (the shared one must survive), on a fixed port so it can come back. */
async function ownCluster(): Promise<{ cluster: LocalCluster; port: number; target: TestPg }> {
  const root = path.join(os.tmpdir(), `ops-console-e2e-kill-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  // The server may run as the postgres user, which must reach its data dir.
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const port = await freeLoopbackPort();
  const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries: await pickServerBinaries(), port, auth: { method: 'trust' }, durable: false });
  onTestFinished(async () => {
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });
  await cluster.init();
  await cluster.start();
  // Trust over loopback: the password is never asked for.
  const target: TestPg = {
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: 'postgres',
    password: 'unused-trust',
    binDir: cluster.binaries.binDir,
    dataDir: cluster.dataDir,
  };
  return { cluster, port, target };
}

function postmasterPid(cluster: LocalCluster): number {
  return Number(fs.readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

test('PostgreSQL killed mid-query: the tab shows the error, the app stays usable, the next run reconnects', async () => {
  const { cluster, target } = await ownCluster();
  const app = await startApp();
  const { page } = app;
  await addProfileThroughForm(page, target, { name: 'e2e-killed' });
  const editor = await openQueryConsole(page);

  await runInEditor(editor, 'SELECT pg_sleep(60)');
  // Only once the server really runs it: a kill before it was sent proves nothing.
  await expect
    .poll(
      () =>
        withClient(
          target,
          async (c) =>
            (await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'")).rows[0]!.n as number,
        ),
      { timeout: 15_000 },
    )
    .toBe(1);
  // SIGKILL of the postmaster: its backends exit on their own (postmaster death).
  process.kill(postmasterPid(cluster), 'SIGKILL');
  const alert = page.getByRole('alert').filter({ hasText: /connection to the server was lost|terminat/i });
  await alert.waitFor({ timeout: 30_000 });
  expect(await page.getByRole('tablist', { name: 'Statement results' }).getByRole('tab', { selected: true }).textContent()).toContain('failed');
  await app.screenshot('query-server-killed.png');

  // Usable: other screens answer, and a run while the server is down says so clearly.
  await page.getByRole('button', { name: 'Profiles', exact: true }).click();
  await page.getByRole('heading', { name: 'Profiles', exact: true }).waitFor();
  const again = await openQueryConsole(page);
  await runInEditor(again, 'SELECT 1');
  const down = page.getByRole('alert').filter({ hasText: 'The query did not run' });
  await down.waitFor({ timeout: 30_000 });
  await app.screenshot('query-server-down.png');
  expect(await down.textContent()).toMatch(/refused/i);

  // The server is back: the next run reconnects by itself.
  await cluster.start();
  await runInEditor(again, "SELECT 'back' AS status");
  const row = page.getByRole('grid', { name: 'Result of statement 1' }).locator('[role="row"][aria-rowindex="2"]');
  await row.waitFor({ timeout: 30_000 });
  expect(await row.locator('[role="gridcell"]').allTextContents()).toEqual(['back']);
  expect(app.pageErrors).toEqual([]);
}, 150_000);

test('network dropped mid-fetch (the SSH bastion killed): an error, and the rows that came are kept and marked partial', async () => {
  const pg = inject('pg');
  const { sshd, clientKey, dispose } = await startBastion('ops-console-e2e-drop-');
  onTestFinished(dispose);
  const app = await startApp();
  const { page } = app;
  await addSshProfileThroughForm(page, pg, { name: 'e2e-drop', sshPort: sshd.port, keyFile: clientKey.privatePath, fingerprint: sshd.hostFingerprint });
  const editor = await openQueryConsole(page);

  // ~2 ms a row: the first batches arrive within a second or two, the whole would take minutes.
  await runInEditor(editor, 'SELECT g, pg_sleep(0.002) FROM generate_series(1, 100000) g');
  const grid = page.getByRole('grid', { name: 'Result of statement 1' });
  await grid.locator('[role="row"][aria-rowindex="2"]').waitFor({ timeout: 30_000 });
  await sshd.kill();

  const partial = page.getByRole('status').filter({ hasText: /^Partial result: [\d,]+ rows arrived/ });
  await partial.waitFor({ timeout: 30_000 });
  const kept = Number((/Partial result: ([\d,]+) rows/.exec((await partial.textContent()) ?? '')?.[1] ?? '0').replace(/,/g, ''));
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(100_000);
  expect(Number(await grid.getAttribute('aria-rowcount')) - 1).toBe(kept);
  expect(
    await page
      .getByRole('alert')
      .filter({ hasText: /connection to the server was lost/i })
      .count(),
  ).toBe(1);
  await app.screenshot('query-network-drop.png');
  expect(app.pageErrors).toEqual([]);
}, 150_000);

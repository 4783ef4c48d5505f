// Issue #22 on the Audit screen: with a team store connected, the scope switch shows the whole
// team's trail (another workstation's entries, with a Workstation column) and verifies every
// workstation's chain there. The team store is a fresh database on the shared PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject, onTestFinished, test } from 'vitest';
import { json, runCli } from '../helpers/cli';
import { createTestDatabase, dropTestDatabase, pgUrl, uniqueDatabaseName } from '../helpers/pg';
import { startApp } from './harness';

test('the Audit screen searches and verifies the team trail once a team store is connected', async () => {
  const pg = inject('pg');
  const database = await createTestDatabase(pg, uniqueDatabaseName('team_e2e'));
  onTestFinished(() => dropTestDatabase(pg, database));
  // Another workstation: its own home, connected and synced by the CLI (password from PGPASSWORD, never argv).
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-team-other-'));
  onTestFinished(() => fs.rmSync(other, { recursive: true, force: true }));
  const bare = `postgresql://${encodeURIComponent(pg.user)}@${pg.host}:${pg.port}/${database}?sslmode=disable`;
  const env = { PGPASSWORD: pg.password };
  expect(json(await runCli(other, ['team', 'connect', bare, '--yes', '--json'], { env }))).toMatchObject({ ok: true, connected: true });
  const synced = json(await runCli(other, ['team', 'sync', '--json'], { env }));
  expect(synced).toMatchObject({ ok: true, pending: { auditRecords: 0 } });
  const otherId = (json(await runCli(other, ['team', 'status', '--json'])) as { workstationId: string }).workstationId;

  const app = await startApp();
  const { page } = app;
  // This workstation connects through the app's own API (the password goes to its in-memory secret store).
  const connected = await page.evaluate(
    async (url) => {
      const response = await fetch('/api/teamConnect', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
      return (await response.json()) as { ok: boolean };
    },
    pgUrl(pg, database),
  );
  expect(connected.ok).toBe(true);
  await page.reload();

  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  const audit = page.getByRole('table', { name: 'Audit entries' });
  await audit.waitFor();
  await page.getByRole('radiogroup', { name: 'Audit scope' }).getByText('Team').click();
  await audit.getByRole('columnheader', { name: 'Workstation' }).waitFor();
  // The other workstation's team.connect is there, named by its workstation.
  await audit.locator(`[title="${otherId}"]`).first().waitFor();
  await audit.getByRole('row').filter({ hasText: 'team.connect' }).first().waitFor();

  await page.getByRole('button', { name: 'Verify integrity' }).click();
  await page.getByText('Team audit trail intact').waitFor();
  await app.screenshot('audit-team.png');

  // Back to this workstation: no Workstation column.
  await page.getByRole('radiogroup', { name: 'Audit scope' }).getByText('This workstation').click();
  await expect.poll(() => audit.getByRole('columnheader', { name: 'Workstation' }).count()).toBe(0);
  expect(app.pageErrors).toEqual([]);
}, 120_000);

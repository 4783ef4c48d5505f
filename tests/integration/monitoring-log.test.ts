// Failed queries per hour from the server log, the runbook's own measure: a cluster of its
// own (logging_collector needs a restart, the shared test server has it off), a superuser
// profile that may read the log, three failing statements → three in the last hour.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { HealthCheck, Overview } from '../../src-main/contract/monitoring';
import type { Core } from '../../src-main/core/app';
import { LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { serverBinariesIn, pickServerBinaries } from '../../src-main/core/platform/postgres/server-binaries';
import { callsOn, newTestCore } from '../helpers/core';

const shared = inject('pg');
let cluster: LocalCluster;
let root: string;
let port: number;
const password = crypto.randomBytes(18).toString('base64url');
let core: Core;
let home: string;
const { ok } = callsOn(() => core);

beforeAll(async () => {
  const binaries = (await serverBinariesIn(shared.binDir)) ?? (await pickServerBinaries());
  root = path.join(os.tmpdir(), `ops-console-logtest-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  cluster = new LocalCluster({
    dataDir: path.join(root, 'data'),
    binaries,
    auth: { method: 'scram-sha-256', superuserPassword: password },
    settings: { logging_collector: 'on', log_destination: 'stderr', log_line_prefix: '%m [%p] ', log_directory: 'log' },
    durable: false,
  });
  await cluster.init();
  ({ port } = await cluster.start());
  ({ core, home } = newTestCore('ops-overview-log-'));
}, 120_000);

afterAll(async () => {
  await core?.close();
  await cluster?.destroy().catch(() => undefined);
  if (root) fs.rmSync(root, { recursive: true, force: true });
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function failedQueries(o: Overview): HealthCheck {
  return o.checks.find((c) => c.name === 'failedQueries')!;
}

it('counts the ERROR lines of the last hour in the server log when the role may read it', async () => {
  const profile = await ok<Profile>('createProfile', {
    profile: { name: 'logged', host: '127.0.0.1', port, database: 'postgres', user: 'postgres', sslmode: 'disable', env: 'development', readOnly: false },
    password,
  });
  const before = failedQueries(await ok<Overview>('getOverview', { profileId: profile.id }));
  expect(before.source).toMatch(/^server log: /);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    for (let i = 0; i < 3; i++) await client.query('SELECT 1/0').catch(() => undefined);
  } finally {
    await client.end();
  }
  // The logging collector writes through a pipe: give it a moment.
  await expect
    .poll(async () => failedQueries(await ok<Overview>('getOverview', { profileId: profile.id })).value, { timeout: 5000, interval: 200 })
    .toBe((before.value ?? 0) + 3);
  const after = failedQueries(await ok<Overview>('getOverview', { profileId: profile.id }));
  expect(after.source).toMatch(/ERROR lines of the last hour in 1 file/);
  expect(after.summary).toMatch(/^\d+ failed quer(y|ies) in the last hour \(warning above 5, critical above 20\)$/);
}, 60_000);

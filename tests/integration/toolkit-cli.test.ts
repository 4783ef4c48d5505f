// `ops-console toolkit status|install` through the built CLI (npm test builds first): the
// preview and the confirmation, production's --confirm, installing twice, the audit
// entry, and the sandbox coming with the toolkit installed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOLKIT_FUNCTION_NAMES, TOOLKIT_VERSION } from '../../src-main/core/toolkit/toolkit-sql';
import { json, runCli } from '../helpers/cli';
import { createTestDatabase, dropTestDatabase, quoteIdent, uniqueDatabaseName, withClient } from '../helpers/pg';

const server = inject('pg');
const role = `tkcli_${process.pid}_${Date.now().toString(36)}`;
const rolePassword = `pw-${Math.random().toString(36).slice(2)}`;
let home: string;
let database: string;
const cli = (args: string[]) => runCli(home, args, { env: { PGPASSWORD: rolePassword } });

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-toolkit-'));
  database = await createTestDatabase(server, uniqueDatabaseName('toolkit_cli'));
  await withClient(server, async (c) => {
    await c.query(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${rolePassword}'`);
    await c.query(`GRANT pg_monitor TO ${quoteIdent(role)}`);
    await c.query(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(role)}`);
  });
  const url = `postgresql://${role}@${server.host}:${server.port}/${database}?sslmode=disable`;
  for (const [name, env] of [
    ['tk', 'development'],
    ['tk-prod', 'production'],
  ]) {
    // Production profiles are read-only unless told otherwise: this one must be able to install.
    const add = await cli(['profile', 'add', name!, '--url', url, '--env', env!, '--read-write', '--json']);
    expect(add.code, add.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await runCli(home, ['sandbox', 'stop']);
  await dropTestDatabase(server, database);
  await withClient(server, (c) => c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`));
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ops-console toolkit', () => {
  it('status on a bare database: not installed, every function missing, the SQL to review', async () => {
    const run = await cli(['toolkit', 'status', 'tk', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const status = json(run);
    expect(status).toMatchObject({ ok: true, profile: 'tk', installed: false, version: null, latest: TOOLKIT_VERSION, missing: TOOLKIT_FUNCTION_NAMES });
    expect(String(status.sql)).toMatch(/^BEGIN;[\s\S]*CREATE SCHEMA IF NOT EXISTS ops_toolkit;[\s\S]*COMMIT;\n$/);
    const text = await cli(['toolkit', 'status', 'tk']);
    expect(text.stdout).toContain('Ops toolkit: not installed on tk');
    expect(text.stdout).toContain('Install with: ops-console toolkit install tk');
  });

  it('install asks first: no terminal and no --yes refuses; production needs --confirm NAME', async () => {
    const refused = await cli(['toolkit', 'install', 'tk', '--json']);
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(refused.stderr).toContain(`Install ops toolkit ${TOOLKIT_VERSION} on "tk"`);
    const prod = await cli(['toolkit', 'install', 'tk-prod', '--yes', '--json']);
    expect(prod.code).toBe(1);
    expect(json(prod)).toMatchObject({ ok: false, error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(json(await cli(['toolkit', 'status', 'tk', '--json']))).toMatchObject({ installed: false });
  });

  it('installs twice without error, and the audit trail shows both installs', async () => {
    const first = await cli(['toolkit', 'install', 'tk', '--yes', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({ ok: true, installed: true, version: TOOLKIT_VERSION, missing: [] });
    const second = await cli(['toolkit', 'install', 'tk-prod', '--yes', '--confirm', 'tk-prod']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`Ops toolkit ${TOOLKIT_VERSION} on tk-prod`);
    expect(second.stdout).toContain(`All ${TOOLKIT_FUNCTION_NAMES.length} runbook functions present.`);

    const audit = json(await cli(['audit', 'list', '--json'])) as { entries: Array<{ action: string; outcome: string; profile: string | null }> };
    const installs = audit.entries.filter((e) => e.action === 'toolkit.install').map((e) => `${e.profile}:${e.outcome}`);
    expect(installs).toEqual(['tk-prod:ok', 'tk:ok']);
  });

  it('the sandbox comes with the toolkit installed', async () => {
    const start = await runCli(home, ['sandbox', 'start', '--json']);
    expect(start.code, start.stderr).toBe(0);
    const status = await runCli(home, ['toolkit', 'status', 'sandbox', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(json(status)).toMatchObject({ installed: true, version: TOOLKIT_VERSION, missing: [] });
  }, 120_000);
});

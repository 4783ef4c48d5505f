// Issue #15 §6 against the run's real PostgreSQL: `ops-console backup PROFILE --kind roles`
// without --format is a plain pg_dumpall script (it used to fail asking for --format plain),
// an explicit other format is still refused, and the script's role memberships — written
// "GRANT … TO x … GRANTED BY y" — read back as the roles x and y.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupOptionsInput } from '../../src-main/contract/backup';
import { backupOptionsSchema } from '../../src-main/contract/backup';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import { backupCommand } from '../../src-main/cli/commands/backup';
import type { Core } from '../../src-main/core/app';
import { prepareBackup } from '../../src-main/core/backup/plan';
import { scanPlainDump } from '../../src-main/core/restore/dump-reader';
import { callsOn, inProcessCli, newTestCore } from '../helpers/core';
import { withClient } from '../helpers/pg';

const server = inject('pg');
let core: Core;
let home: string;
let outDir: string;
let profile: Profile;
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const member = `truth_member_${suffix}`;
const group = `truth_group_${suffix}`;
const { ok } = callsOn(() => core);

const cli = () =>
  inProcessCli(
    () => core,
    () => home,
  );

function options(input: Partial<BackupOptionsInput>) {
  return backupOptionsSchema.parse({ profileId: profile.id, outDir, ...input });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-roles-backup-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-roles-out-'));
  await withClient(server, async (c) => {
    await c.query(`CREATE ROLE ${member} LOGIN`);
    await c.query(`CREATE ROLE ${group}`);
    // Granted by the superuser: pg_dumpall writes the membership with GRANTED BY.
    await c.query(`GRANT ${group} TO ${member}`);
  });
  const input: Partial<ProfileInput> = {
    name: 'cluster',
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.user,
    sslmode: 'disable',
    env: 'development',
    readOnly: false,
  };
  profile = await ok<Profile>('createProfile', { profile: input, password: server.password });
}, 60_000);

afterAll(async () => {
  await core?.close();
  await withClient(server, async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${member}`);
    await c.query(`DROP ROLE IF EXISTS ${group}`);
  });
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('roles backup', () => {
  it('the plan of a roles backup with the default format is plain (the core no longer refuses it)', async () => {
    const prepared = await prepareBackup(core.deps, profile, options({ kind: 'roles' }));
    expect(prepared.plan).toMatchObject({ kind: 'roles', format: 'plain' });
    expect(prepared.plan.tool.name).toBe('pg_dumpall');
    await expect(prepareBackup(core.deps, profile, options({ kind: 'roles', format: 'directory' }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('`backup PROFILE --kind roles` without --format writes a plain script; its GRANTED BY lines read as roles', async () => {
    const { ctx, out, err } = cli();
    const code = await backupCommand(ctx, ['cluster', '--kind', 'roles', '--out', outDir]);
    expect(code, err.join('\n')).toBe(0);
    const doc = JSON.parse(out.join('')) as { ok: boolean; kind: string; format: string; path: string };
    expect(doc).toMatchObject({ ok: true, kind: 'roles', format: 'plain' });
    expect(doc.path.endsWith('.sql')).toBe(true);
    const script = fs.readFileSync(doc.path, 'utf8');
    const grantLine = script.split('\n').find((l) => l.startsWith('GRANT ') && l.includes(member));
    expect(grantLine).toMatch(/GRANTED BY/);
    const scanned = await scanPlainDump(doc.path);
    expect(scanned.grantees).toEqual(expect.arrayContaining([member, server.user]));
    expect(scanned.grantees.filter((g) => /\s|GRANTED|INHERIT/i.test(g))).toEqual([]);
  });

  it('an explicit non-plain format with --kind roles is a usage error', async () => {
    const { ctx } = cli();
    await expect(backupCommand(ctx, ['cluster', '--kind', 'roles', '--format', 'custom'])).rejects.toThrow(/--kind roles writes plain SQL/);
  });
});

// Issue #14 follow-up: a drill of a FOREIGN archive (no manifest of ours) must not run its
// SQL as the scratch cluster's superuser. The crafted archive holds a function that runs
// `COPY … TO PROGRAM 'touch MARKER'` and a CHECK constraint calling it, so loading the
// table's data calls it. Restored by a superuser (the control, straight pg_restore into the
// run's cluster) the marker appears; drilled, the restore runs as a role without superuser
// rights: the marker never appears and the drill fails saying why. A harmless foreign
// archive (extension, view, sequence, index) still drills and validates as that role. The
// same for plain scripts (owner postgres: a stand-in, the scratch superuser renamed).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AppEvent } from '../../src-main/contract/operations';
import type { DrillRecord } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, pgUrl, uniqueDatabaseName, withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let dir: string;
let marks: string;
let crafted: string;
let harmless: string;
let craftedPlain: string;
let harmlessPlain: string;
let withPgcrypto = false;
const created: string[] = [];
const calls = callsOn(() => core);

function pgDump(file: string, database: string): void {
  const format = file.endsWith('.sql') ? '-Fp' : '-Fc';
  const r = spawnSync(path.join(pg.binDir, 'pg_dump'), [format, '-f', file, pgUrl(pg, database)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`);
}

async function drill(source: string): Promise<DrillRecord & { notes: string[] }> {
  const jobId = crypto.randomUUID();
  let off: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    off = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'job.done' && e.jobId === jobId) resolve();
    });
  });
  const started = await calls.ok<{ drillId: string }>('startDrill', { source, jobId });
  await done.finally(off);
  return calls.ok<DrillRecord & { notes: string[] }>('getDrill', { id: started.drillId });
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-drill-foreign-'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-drill-foreign-files-'));
  marks = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-drill-foreign-marks-'));
  // Writable by whichever OS user a server runs as: only the role's rights may stop it.
  fs.chmodSync(marks, 0o777);
  const source = await createTestDatabase(pg, uniqueDatabaseName('foreign_crafted'));
  created.push(source);
  await withClient(
    pg,
    async (c) => {
      // Harmless in its own database (so the rows can be inserted), a program run anywhere else.
      await c.query(`CREATE FUNCTION public.boom(v int) RETURNS boolean LANGUAGE plpgsql AS $f$
        BEGIN
          IF current_database() <> ${pgLiteral(source)} THEN
            EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'touch ' || ${pgLiteral(marks)} || '/' || current_database());
          END IF;
          RETURN true;
        END $f$`);
      await c.query('CREATE TABLE public.victim (a int CHECK (public.boom(a)))');
      await c.query('INSERT INTO public.victim VALUES (1), (2)');
    },
    source,
  );
  crafted = path.join(dir, 'crafted.dump');
  pgDump(crafted, source);
  craftedPlain = path.join(dir, 'crafted.sql');
  pgDump(craftedPlain, source);

  const plainSource = await createTestDatabase(pg, uniqueDatabaseName('foreign_harmless'));
  created.push(plainSource);
  await withClient(
    pg,
    async (c) => {
      withPgcrypto = ((await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto'`)).rowCount ?? 0) > 0;
      if (withPgcrypto) await c.query('CREATE EXTENSION pgcrypto');
      await c.query('CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL)');
      await c.query(`INSERT INTO public.items (name) SELECT 'item ' || g FROM generate_series(1, 50) g`);
      await c.query('CREATE INDEX items_name ON public.items (name)');
      await c.query('CREATE VIEW public.item_names AS SELECT name FROM public.items');
      await c.query(`CREATE FUNCTION public.double(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2'`);
    },
    plainSource,
  );
  harmless = path.join(dir, 'harmless.dump');
  pgDump(harmless, plainSource);
  harmlessPlain = path.join(dir, 'harmless.sql');
  pgDump(harmlessPlain, plainSource);
}, 120_000);

function pgLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (marks) fs.rmSync(marks, { recursive: true, force: true });
});

describe('a drill of a foreign archive', () => {
  it('control: restored by a superuser, the crafted archive runs its program', async () => {
    const target = await createTestDatabase(pg, uniqueDatabaseName('foreign_control'));
    created.push(target);
    const r = spawnSync(path.join(pg.binDir, 'pg_restore'), ['--no-owner', '-d', pgUrl(pg, target), crafted], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(marks, target))).toBe(true);
  });

  it.each([
    ['custom', () => crafted],
    ['plain', () => craftedPlain],
  ] as const)(
    'a crafted %s dump runs as a role without superuser rights: the program never runs and the drill says why',
    async (_format, file) => {
      const before = fs.readdirSync(marks);
      const record = await drill(file());
      expect(record.status).toBe('failed');
      expect(fs.readdirSync(marks)).toEqual(before);
      expect(record.error).toMatch(/pg_execute_server_program/);
      expect(record.error).toContain('never grants (it runs as ops_drill_restorer, not as a superuser)');
      expect(record.notes.join('\n')).toContain('restored and validated as ops_drill_restorer, a role without superuser rights');
      expect(record.rtoMet).not.toBe(true);
    },
    120_000,
  );

  it.each([
    ['custom', () => harmless],
    ['plain', () => harmlessPlain],
  ] as const)(
    'a harmless foreign %s dump still drills and validates as that role',
    async (format, file) => {
      const record = await drill(file());
      expect(record.error).toBeNull();
      expect(record.status).toBe('ok');
      expect(record.validation?.ok).toBe(true);
      const notes = record.notes.join('\n');
      if (withPgcrypto) expect(notes).toContain('the extension(s) pgcrypto');
      // The script's owner (the dumping superuser) is a stand-in without rights in the scratch cluster.
      if (format === 'plain') expect(notes).toContain(`stood in for without rights (ops_drill_restorer may act as them): ${pg.user}`);
    },
    120_000,
  );
});

// Issue #14 §4 "Restoring a dump runs nothing on this machine", against the run's real
// PostgreSQL and psql: a crafted plain .sql whose meta-commands would write marker files is
// listed by inspect and refused by plan, start and drill; run straight through the runner
// (the scan bypassed) psql's \restrict and the feed's \unrestrict guard stop every variant,
// the transaction rolls back and no marker appears; and our own plain backups (pg_dump's
// \restrict pair, COPY data full of backslashes) and a foreign pg_dump script still restore.
// The scan's reading of tricky scripts is also checked against psql itself.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ClientTool } from '../../src-main/contract/backup';
import { OpsError } from '../../src-main/contract/errors';
import type { Profile, ProfileInput } from '../../src-main/contract/models';
import type { BackupContents } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import { PlainScanner } from '../../src-main/core/restore/dump-reader';
import { restoreArgs } from '../../src-main/core/restore/plan';
import { runRestoreProcess } from '../../src-main/core/restore/restore-process';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, pgUrl, uniqueDatabaseName, withClient } from '../helpers/pg';
import { backupAndWait, restoreAndWait } from '../helpers/restore';

const pg = inject('pg');
const KEY = 'DumpKey0123456789abcdefABCDEF';
let core: Core;
let home: string;
let dir: string;
let marks: string;
let admin: Profile;
let source: Profile;
let sourceDb: string;
let psql: ClientTool;
const created: string[] = [];
const calls = callsOn(() => core);

/** A script shaped like pg_dump 15.18's plain output around `body`. */
function craft(name: string, body: string[]): string {
  const file = path.join(dir, `${name}.sql`);
  const head = [
    '--',
    '-- PostgreSQL database dump',
    '--',
    '',
    `\\restrict ${KEY}`,
    '',
    '-- Dumped from database version 15.18',
    '-- Dumped by pg_dump version 15.18',
    '',
    'SET standard_conforming_strings = on;',
  ];
  const tail = ['', '--', '-- PostgreSQL database dump complete', '--', '', `\\unrestrict ${KEY}`, ''];
  fs.writeFileSync(file, [...head, ...body, ...tail].join('\n'));
  return file;
}

const mark = (name: string): string => path.join(marks, name);
const marksLeft = (): string[] => fs.readdirSync(marks);

async function tablesIn(database: string): Promise<string[]> {
  return withClient(
    pg,
    async (c) => (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t),
    database,
  );
}

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-restore-meta-'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-restore-meta-files-'));
  marks = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-restore-meta-marks-'));
  sourceDb = await createTestDatabase(pg, uniqueDatabaseName('meta_source'));
  created.push(sourceDb);
  await withClient(
    pg,
    async (c) => {
      await c.query('CREATE TABLE t (a text, b int PRIMARY KEY)');
      // COPY writes these as \N, \\! …, \\., \t, \n, \\unrestrict …: backslash lines that are data.
      await c.query(`INSERT INTO t VALUES (NULL, 1), (E'\\\\! id > pwned.txt', 2), (E'\\\\.', 3), ('plain', 4), (E'\\t tab', 5),
        (E'line\\nbreak', 6), (E'\\\\unrestrict ${KEY}', 7), (E'\\\\o /tmp/x', 8), (E'back\\\\slash', 9)`);
      await c.query(`CREATE FUNCTION squeeze(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT regexp_replace(x, '\\s+', ' ') $$`);
      await c.query(`COMMENT ON TABLE t IS 'C:\\temp\\'`);
    },
    sourceDb,
  );
  const base: Partial<ProfileInput> = { host: pg.host, port: pg.port, user: pg.user, sslmode: 'disable', env: 'development', readOnly: false };
  admin = await calls.ok<Profile>('createProfile', { profile: { ...base, name: 'admin', database: pg.database }, password: pg.password });
  source = await calls.ok<Profile>('createProfile', { profile: { ...base, name: 'meta-source', database: sourceDb }, password: pg.password });
  const psqlPath = path.join(pg.binDir, 'psql');
  const version = spawnSync(psqlPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  psql = { name: 'psql', path: psqlPath, version, major: Number(/(\d+)/.exec(version)![1]), source: 'test' };
}, 120_000);

afterAll(async () => {
  await core?.close();
  for (const db of created) await dropTestDatabase(pg, db).catch(() => undefined);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(marks, { recursive: true, force: true });
});

describe('a crafted plain script with meta-commands', () => {
  let file: string;
  beforeAll(() => {
    file = craft('malicious', [
      'CREATE TABLE public.victim (a int);', // line 11
      `\\! id > ${mark('bang')}`,
      `\\o ${mark('out')}`,
      'SELECT 1;',
      `\\copy (SELECT 1) TO '${mark('copy')}'`,
      `\\set x \`id > ${mark('backquote')}\``,
      `SELECT 1; \\! id > ${mark('inline')}`,
      `\\unrestrict \`id > ${mark('unrestrict')}\``,
      '\\unrestrict wrongkey',
      "SELECT '\\! not a command', $$ \\! nor this $$; -- \\! nor this",
    ]);
  });

  it('is listed line by line by inspect', async () => {
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: file });
    expect(contents.format).toBe('plain');
    expect(contents.metaCommands?.total).toBe(7);
    expect(contents.metaCommands?.lines.map((l) => l.line)).toEqual([12, 13, 15, 16, 17, 18, 19]);
    expect(contents.metaCommands?.lines[0]).toEqual({ line: 12, text: `\\! id > ${mark('bang')}` });
  });

  it('is refused by plan, start and drill with the lines named, before any server is touched', async () => {
    const database = uniqueDatabaseName('meta_refused');
    const target = { kind: 'new-database', profileId: admin.id, database };
    const plan = await calls.fail('planRestore', { source: file, target });
    expect(plan.code).toBe('INVALID_INPUT');
    expect(plan.message).toContain(`line 12: \\! id > ${mark('bang')}; line 13: \\o ${mark('out')}; line 15: `);
    expect(plan.message).toMatch(/\(and 4 more\) — psql meta-commands run programs, read or write files on this machine .* this script is refused\./);
    expect(plan.detail).toMatchObject({ metaCommands: { total: 7 } });
    const start = await calls.fail('startRestore', { source: file, target });
    expect(start.code).toBe('INVALID_INPUT');
    expect(start.message).toBe(plan.message);
    const drill = await calls.fail('startDrill', { source: file });
    expect(drill.code).toBe('INVALID_INPUT');
    expect(drill.message).toBe(plan.message);
    const exists = await withClient(pg, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount);
    expect(exists).toBe(0);
    expect(marksLeft()).toEqual([]);
  });
});

describe('the runner on its own (the scan bypassed): psql restricted, \\unrestrict never sent', () => {
  const attacks: Array<{ name: string; lines: (m: string) => string[]; why: RegExp }> = [
    { name: 'shell', lines: (m) => [`\\! id > ${m}`], why: /psql refused a meta-command/ },
    { name: 'output-file', lines: (m) => [`\\o ${m}`, 'SELECT 1;'], why: /psql refused a meta-command/ },
    { name: 'client-copy', lines: (m) => [`\\copy (SELECT 1) TO '${m}'`], why: /psql refused a meta-command/ },
    { name: 'backquote', lines: (m) => [`\\set x \`id > ${m}\``], why: /psql refused a meta-command/ },
    { name: 'after-statement', lines: (m) => [`SELECT 1; \\! id > ${m}`], why: /psql refused a meta-command/ },
    { name: 'write-buffer', lines: (m) => ['SELECT 1', `\\w ${m}`], why: /psql refused a meta-command/ },
    // psql 15.18 expands \unrestrict's argument, backquotes included, while restricted.
    { name: 'unrestrict-backquote', lines: (m) => [`\\unrestrict \`id > ${m}\``], why: /holds \\unrestrict/ },
    { name: 'wrong-key', lines: (m) => ['\\unrestrict 0123456789abcdef0123456789abcdef', `\\! id > ${m}`], why: /holds \\unrestrict/ },
    // The dump's own key is no use: only our key, never in the file, lifts the restriction.
    { name: 'own-key-reused', lines: (m) => [`\\unrestrict ${KEY}`, `\\! id > ${m}`, `\\restrict ${KEY}`], why: /holds \\unrestrict/ },
    {
      name: 'fake-copy',
      lines: (m) => ['SELECT $$', 'COPY public.before_attack (a) FROM stdin;', '$$;', `\\! id > ${m}`, '\\.'],
      why: /psql refused a meta-command/,
    },
  ];

  it.each(attacks)('$name: refused, rolled back, no marker', async ({ name, lines, why }) => {
    const marker = mark(`runner-${name}`);
    const file = craft(`runner-${name}`, ['CREATE TABLE public.before_attack (a int);', ...lines(marker), 'CREATE TABLE public.after_attack (a int);']);
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: file });
    expect(contents.metaCommands!.total).toBeGreaterThan(0);
    const database = await createTestDatabase(pg, uniqueDatabaseName(`meta_run_${name}`));
    created.push(database);
    const connection = { host: pg.host, port: pg.port, user: pg.user, database, password: pg.password, env: { PGSSLMODE: 'disable' } };
    const { args } = restoreArgs(contents, { jobs: 1, noOwner: true, noPrivileges: true, clean: false }, connection);
    const run = runRestoreProcess(core.deps, contents, connection, psql, args, { signal: new AbortController().signal, onProgress: () => undefined });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).code).toBe('BACKUP_FAILED');
    expect((err as OpsError).message).toMatch(why);
    expect(fs.existsSync(marker)).toBe(false);
    expect(await tablesIn(database)).toEqual([]);
  });

  it('left no marker file anywhere in the marker folder', () => {
    expect(marksLeft()).toEqual([]);
  });
});

describe('pg_dump output still restores', () => {
  it('our own plain backup: \\restrict pair and backslash-heavy COPY data, row for row', async () => {
    const outDir = path.join(dir, 'backups');
    fs.mkdirSync(outDir, { recursive: true });
    const entry = await backupAndWait(core, calls, { profileId: source.id, outDir, format: 'plain' });
    const text = fs.readFileSync(entry.path, 'utf8');
    expect(text).toMatch(/^\\restrict \S+$/m);
    expect(text).toMatch(/^\\unrestrict \S+$/m);
    expect(text).toContain('\\\\! id > pwned.txt\t2');
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: entry.id });
    expect(contents.metaCommands).toEqual({ total: 0, lines: [] });
    const database = uniqueDatabaseName('meta_own_plain');
    created.push(database);
    const { record } = await restoreAndWait(core, calls, { source: entry.id, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(record.error).toBeNull();
    expect(record.status).toBe('ok');
    expect(record.command).toContain('meta-commands locked');
    const rows = async (db: string): Promise<unknown[]> =>
      withClient(pg, async (c) => (await c.query("SELECT a, b, squeeze(a) AS s, obj_description('t'::regclass) AS d FROM t ORDER BY b")).rows, db);
    expect(await rows(database)).toEqual(await rows(sourceDb));
    expect(marksLeft()).toEqual([]);
  });

  it('a foreign pg_dump script without a manifest restores; one made with --create is refused naming \\connect', async () => {
    const plainFile = path.join(dir, 'foreign.sql');
    const r = spawnSync(path.join(pg.binDir, 'pg_dump'), ['-Fp', '-f', plainFile, pgUrl(pg, sourceDb)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const database = uniqueDatabaseName('meta_foreign_plain');
    created.push(database);
    const { record } = await restoreAndWait(core, calls, { source: plainFile, target: { kind: 'new-database', profileId: admin.id, database } });
    expect(record.error).toBeNull();
    expect(await tablesIn(database)).toEqual(['t']);

    const createFile = path.join(dir, 'foreign-create.sql');
    const c = spawnSync(path.join(pg.binDir, 'pg_dump'), ['-Fp', '--create', '-f', createFile, pgUrl(pg, sourceDb)], { encoding: 'utf8' });
    expect(c.status, c.stderr).toBe(0);
    const contents = await calls.ok<BackupContents>('inspectBackup', { source: createFile });
    expect(contents.metaCommands!.lines.map((l) => l.text.split(' ')[0])).toEqual(['\\unrestrict', '\\connect', '\\restrict']);
    const refused = await calls.fail('planRestore', {
      source: createFile,
      target: { kind: 'new-database', profileId: admin.id, database: uniqueDatabaseName('never') },
    });
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.message).toMatch(/\\connect switches to another database, as pg_dump --create and pg_dumpall write it/);
  });
});

describe('the scan reads scripts as psql does', () => {
  // Each runs through psql (unrestricted, in a throwaway session): HIT printed means psql ran
  // the \echo as a meta-command, which the scan must report; NOPE never may be.
  const cases = [
    'SELECT 1; \\echo HIT',
    "SELECT 'a''b \\echo NOPE';",
    "SELECT E'a\\'b \\echo NOPE';",
    "SELECT 'a\\' \\echo HIT\n;",
    'SELECT $a$ $$ \\echo NOPE $a$;',
    'SELECT a$b$ FROM (SELECT 1 AS "a$b$") s \\echo HIT\n;',
    'SELECT 1$a$ \\echo NOPE $a$;',
    '/* /* nested */ \\echo NOPE */ SELECT 1;',
    "SELECT U&'\\0041' \\echo HIT\n;",
    'CREATE TEMP TABLE c (a int);\ncopy c\nfrom\nstdin;\n\\echo NOPE\n\\.',
    'SELECT (1;\n\\echo HIT\n);',
    'CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END;\n\\echo HIT',
    "SET standard_conforming_strings = off;\nSELECT 'a\\' \\echo NOPE';",
    "SELECT 'x'\n'y' \\echo HIT\n;",
  ];

  it.each(cases)('%s', (script) => {
    const env = {
      ...process.env,
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGUSER: pg.user,
      PGPASSWORD: pg.password,
      PGDATABASE: pg.database,
      PGSSLMODE: 'disable',
    };
    const r = spawnSync(psql.path, ['-X', '-q'], { input: `${script}\n`, encoding: 'utf8', env });
    const ran = r.stdout.split('\n').some((l) => l.trim() === 'HIT' || l.trim() === 'NOPE');
    const scanner = new PlainScanner();
    for (const line of script.split('\n')) scanner.line(line);
    expect(scanner.result().metaCommands.total > 0).toBe(ran);
    expect(ran).toBe(script.includes('HIT'));
  });
});

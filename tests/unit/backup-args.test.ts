// The pure pieces of a backup: pg_dump's argument list for every kind, format and option
// (values are single argv elements, never shell text, never a password), the file name,
// the display quoting (checked by a real POSIX shell), the choice of tool by version and
// its refusal, which tables a pattern selects, and the plain-dump completion check.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupOptionsSchema,
  SUPABASE_MANAGED_SCHEMAS,
  type BackupManifest,
  type BackupOptionsInput,
  type ClientTool,
  type ClientToolsReport,
} from '../../src-main/contract/backup';
import { OpsError } from '../../src-main/contract/errors';
import { majorOf, pickTool, shortVersion } from '../../src-main/core/platform/tools/client-tools';
import { manifestPathFor, readManifest, writeManifest } from '../../src-main/core/backup/manifest';
import { backupFileName, dumpArgs, exactPattern, selectTables } from '../../src-main/core/backup/plan';
import { shellQuote } from '../../src-main/core/platform/tools/libpq-args';
import { hashBackup, parseToc, plainDumpComplete } from '../../src-main/core/platform/tools/archive';

const run = promisify(execFile);
const target = { host: 'db.example.com', port: 6543, user: 'ops', database: 'shop' };
const CONN = ['-h', 'db.example.com', '-p', '6543', '-U', 'ops', '-d', 'shop'];

function opts(input: Partial<BackupOptionsInput> = {}) {
  return backupOptionsSchema.parse({ profileId: 'p1', ...input });
}

/** The value following each occurrence of `flag`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('dumpArgs', () => {
  it('defaults to a verbose custom-format full dump without owners or privileges', () => {
    expect(dumpArgs(opts(), target, '/b/x.dump.partial')).toEqual([
      '--verbose',
      '-F',
      'c',
      '-f',
      '/b/x.dump.partial',
      '--no-owner',
      '--no-privileges',
      ...CONN,
    ]);
  });

  it.each([
    ['custom', 'c'],
    ['plain', 'p'],
    ['directory', 'd'],
  ] as const)('format %s → -F %s', (format, flag) => {
    const args = dumpArgs(opts({ format }), target, '/out');
    expect(valuesOf(args, '-F')).toEqual([flag]);
    expect(valuesOf(args, '-f')).toEqual(['/out']);
  });

  it('passes parallel jobs only for the directory format', () => {
    expect(valuesOf(dumpArgs(opts({ format: 'directory', jobs: 4 }), target, '/o'), '-j')).toEqual(['4']);
    expect(dumpArgs(opts({ format: 'directory', jobs: 1 }), target, '/o')).not.toContain('-j');
    expect(dumpArgs(opts({ format: 'custom', jobs: 4 }), target, '/o')).not.toContain('-j');
  });

  it('passes compression for custom and directory, never for plain (it would gzip the script)', () => {
    expect(valuesOf(dumpArgs(opts({ compression: 0 }), target, '/o'), '-Z')).toEqual(['0']);
    expect(valuesOf(dumpArgs(opts({ format: 'directory', compression: 9 }), target, '/o'), '-Z')).toEqual(['9']);
    expect(dumpArgs(opts({ format: 'plain', compression: 5 }), target, '/o')).not.toContain('-Z');
    expect(dumpArgs(opts(), target, '/o')).not.toContain('-Z');
  });

  it('drops --no-owner and --no-privileges when they are switched off', () => {
    const args = dumpArgs(opts({ noOwner: false, noPrivileges: false }), target, '/o');
    expect(args).not.toContain('--no-owner');
    expect(args).not.toContain('--no-privileges');
    expect(dumpArgs(opts({ noOwner: false }), target, '/o')).toContain('--no-privileges');
    expect(dumpArgs(opts({ noPrivileges: false }), target, '/o')).toContain('--no-owner');
  });

  it.each([
    ['full', []],
    ['schema', ['--schema-only']],
    ['data', ['--data-only']],
  ] as const)('kind %s adds %j', (kind, extra) => {
    const args = dumpArgs(opts({ kind }), target, '/o');
    expect(args.filter((a) => a === '--schema-only' || a === '--data-only')).toEqual(extra);
  });

  it('dumps roles with pg_dumpall --roles-only --no-role-passwords and its own database flag', () => {
    expect(dumpArgs(opts({ kind: 'roles', format: 'plain' }), target, '/b/roles.sql.partial')).toEqual([
      '--verbose',
      '--roles-only',
      '--no-role-passwords',
      '-f',
      '/b/roles.sql.partial',
      '-h',
      'db.example.com',
      '-p',
      '6543',
      '-U',
      'ops',
      '-l',
      'shop',
    ]);
  });

  it('passes every include/exclude value as its own argv element, quotes and spaces untouched', () => {
    const weird = ['"My Schema"', `it's "odd"`, 'sales; rm -rf /', '-starts-with-dash'];
    const args = dumpArgs(
      opts({
        includeSchemas: [weird[0]!, weird[1]!],
        excludeSchemas: [weird[2]!],
        includeTables: ['public."order items"', weird[3]!],
        excludeTables: ['public.log*'],
      }),
      target,
      '/my backups/x y.dump.partial',
    );
    expect(valuesOf(args, '-n')).toEqual([weird[0], weird[1]]);
    expect(valuesOf(args, '-N')).toEqual([weird[2]]);
    expect(valuesOf(args, '-t')).toEqual(['public."order items"', weird[3]]);
    expect(valuesOf(args, '-T')).toEqual(['public.log*']);
    expect(valuesOf(args, '-f')).toEqual(['/my backups/x y.dump.partial']);
    expect(args.slice(-8)).toEqual(CONN);
  });

  it('leaves out every Supabase-managed schema but auth and storage with the preset, each once, keeping privileges and dropping bookkeeping rows', () => {
    const args = dumpArgs(opts({ supabase: true, excludeSchemas: ['auth', 'audit_old'] }), target, '/o');
    expect(valuesOf(args, '-N')).toEqual([...SUPABASE_MANAGED_SCHEMAS.filter((s) => s !== 'auth' && s !== 'storage'), 'auth', 'audit_old']);
    for (const s of ['realtime', 'extensions', 'graphql', 'vault', 'supabase_functions', 'pgmq', '_supavisor']) expect(valuesOf(args, '-N')).toContain(s);
    expect(valuesOf(dumpArgs(opts({ supabase: true }), target, '/o'), '-N')).not.toContain('storage');
    expect(args).not.toContain('--no-privileges');
    expect(args).toContain('--exclude-table-data="auth"."schema_migrations"');
    expect(args).toContain('--exclude-table-data="storage"."migrations"');
    expect(dumpArgs(opts(), target, '/o')).not.toContain('-N');
  });

  it('never carries a password, and keeps a database or user name with spaces as one element', () => {
    const args = dumpArgs(opts({ password: 'hunter2-secret' }), { host: 'h', port: 5432, user: 'ops user', database: 'my db' }, '/o');
    expect(args.join('\n')).not.toContain('hunter2-secret');
    expect(valuesOf(args, '-U')).toEqual(['ops user']);
    expect(valuesOf(args, '-d')).toEqual(['my db']);
  });
});

describe('backupFileName', () => {
  const at = new Date(2025, 2, 7, 4, 5, 6); // local time, as the user reads it

  it.each([
    ['custom', 'full', 'prod_full_20250307-040506.dump'],
    ['plain', 'schema', 'prod_schema_20250307-040506.sql'],
    ['directory', 'data', 'prod_data_20250307-040506'],
    ['plain', 'roles', 'prod_roles_20250307-040506.sql'],
  ] as const)('%s %s → %s', (format, kind, name) => {
    expect(backupFileName('prod', kind, format, at)).toBe(name);
  });

  it('makes the profile name safe as a file name', () => {
    expect(backupFileName('My Prod/EU ../x', 'full', 'custom', at)).toBe('My_Prod_EU_.._x_full_20250307-040506.dump');
    expect(backupFileName('My Prod/EU ../x', 'full', 'custom', at)).not.toMatch(/[/\\ ]/);
  });
});

describe('shellQuote', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shellQuote(['pg_dump', '-F', 'c', '-f', '/tmp/a.dump'])).toBe('pg_dump -F c -f /tmp/a.dump');
    expect(shellQuote(['-n', 'my schema', "it's", ''])).toBe(`-n 'my schema' 'it'\\''s' ''`);
  });

  it('reads back as the same argv in a real POSIX shell', async () => {
    const args = ['"My Schema"', "it's", 'a b\tc', '$HOME', '`id`', 'x;y', '', 'ünï', '*'];
    const { stdout } = await run('/bin/sh', ['-c', `for a in ${shellQuote(args)}; do printf '[%s]' "$a"; done`]);
    expect(stdout).toBe(args.map((a) => `[${a}]`).join(''));
  });
});

function tool(name: ClientTool['name'], version: string, dir: string): ClientTool {
  return { name, path: `${dir}/${name}`, version: `${name} (PostgreSQL) ${version}`, major: majorOf(version)!, source: 'PATH' };
}

describe('pickTool', () => {
  const report: ClientToolsReport = {
    tools: [
      tool('pg_dump', '17.2', '/usr/lib/postgresql/17/bin'),
      tool('pg_dump', '15.18', '/usr/lib/postgresql/15/bin'),
      tool('pg_dump', '16.6', '/usr/lib/postgresql/16/bin'),
      tool('pg_restore', '14.15', '/usr/lib/postgresql/14/bin'),
    ],
    searched: ['/usr/bin', '/usr/lib/postgresql/15/bin'],
    extraPaths: [],
  };

  it('picks the lowest major at or above the server', () => {
    expect(pickTool(report, 'pg_dump', 15, 'x').major).toBe(15);
    expect(pickTool(report, 'pg_dump', 16, 'x').path).toBe('/usr/lib/postgresql/16/bin/pg_dump');
    expect(pickTool(report, 'pg_dump', 17, 'x').major).toBe(17);
    expect(pickTool(report, 'pg_dump', 12, 'x').major).toBe(15);
    expect(pickTool(report, 'pg_restore', 13, 'x').name).toBe('pg_restore');
  });

  it('refuses a newer server naming its version, the versions found and how to install the right one', () => {
    let caught: unknown;
    try {
      pickTool(report, 'pg_dump', 18, 'The server prod runs PostgreSQL 18.1', '18.1');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpsError);
    const err = caught as OpsError;
    expect(err.code).toBe('TOOL_VERSION_MISMATCH');
    expect(err.message).toContain('PostgreSQL 18.1');
    for (const v of ['17.2 (/usr/lib/postgresql/17/bin)', '15.18 (/usr/lib/postgresql/15/bin)', '16.6']) expect(err.message).toContain(v);
    expect(err.message).toContain('version 18 or newer');
    expect(err.message).toMatch(/postgresql-client-18|postgresql@18|PostgreSQL 18/);
    expect(err.message).toContain('Client tools on the Backups screen');
    expect(err.detail).toMatchObject({
      tool: 'pg_dump',
      requiredMajor: 18,
      serverVersion: '18.1',
      found: expect.arrayContaining([{ version: '15.18', major: 15, path: '/usr/lib/postgresql/15/bin/pg_dump' }]),
    });
  });

  it('says so when the tool is not installed at all', () => {
    expect(() => pickTool(report, 'pg_dumpall', 15, 'The server runs PostgreSQL 15.4')).toThrow(/no pg_dumpall was found here/);
  });

  it('reads versions the way the tools print them', () => {
    expect(shortVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')).toBe('15.18');
    expect(majorOf('pg_dump (PostgreSQL) 9.6.24')).toBe(9);
    expect(majorOf('pg_dump (PostgreSQL) 17beta1')).toBe(17);
    expect(majorOf('16.4')).toBe(16);
  });
});

describe('selectTables (which tables pg_dump will dump data for)', () => {
  const all = [
    { schema: 'public', name: 'orders', bytes: 10, estimatedRows: 1, visible: true },
    { schema: 'public', name: 'Order Items', bytes: 20, estimatedRows: 1, visible: true },
    { schema: 'public', name: 'log_2024', bytes: 30, estimatedRows: 1, visible: true },
    { schema: 'auth', name: 'users', bytes: 40, estimatedRows: 1, visible: false },
    { schema: 'Sales', name: 'orders', bytes: 50, estimatedRows: 1, visible: false },
  ];
  const names = (input: Partial<BackupOptionsInput>) => selectTables(all, opts(input)).map((t) => `${t.schema}.${t.name}`);

  it('follows -n/-N/-t/-T as pg_dump reads its patterns', () => {
    expect(names({})).toHaveLength(5);
    // The preset keeps auth's rows (an app's foreign keys point there) but not the platform's bookkeeping.
    expect(names({ supabase: true })).toContain('auth.users');
    expect(names({ includeSchemas: ['sales'] })).toEqual([]); // unquoted folds to lower case
    expect(names({ includeSchemas: [exactPattern('Sales')] })).toEqual(['Sales.orders']);
    expect(names({ includeTables: ['orders'] })).toEqual(['public.orders']); // unqualified: visible only
    expect(names({ includeTables: ['*.orders'] })).toEqual(['public.orders', 'Sales.orders']);
    expect(names({ includeTables: [exactPattern('public', 'Order Items')] })).toEqual(['public.Order Items']);
    expect(names({ excludeTables: ['public.log_*'] })).not.toContain('public.log_2024');
    expect(names({ includeTables: ['public.*'], excludeSchemas: ['public'] })).toHaveLength(3); // -N does not apply to -t
  });
});

describe('files', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-backup-args-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fixture(name: string, text: string | Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  const body = `--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE t (n int);\n${'COPY public.t (n) FROM stdin;\n1\n\\.\n'.repeat(500)}`;
  const complete = `${body}\n--\n-- PostgreSQL database dump complete\n--\n\n`;

  it('plainDumpComplete accepts a finished script, also with the \\unrestrict line of current releases', async () => {
    expect(await plainDumpComplete(fixture('ok.sql', complete))).toBe(true);
    const restricted = `\\restrict Abc123XYZ\n\n${complete}\\unrestrict Abc123XYZ\n\n`;
    expect(await plainDumpComplete(fixture('unrestrict.sql', restricted))).toBe(true);
    expect(await plainDumpComplete(fixture('crlf.sql', complete.replace(/\n/g, '\r\n')))).toBe(true);
    const cluster = `\\restrict K1\nCREATE ROLE a;\n\\unrestrict K1\n\n--\n-- PostgreSQL database cluster dump complete\n--\n\n`;
    expect(await plainDumpComplete(fixture('cluster-restricted.sql', cluster))).toBe(true); // pg_dumpall closes the key before its marker
    expect(
      await plainDumpComplete(
        fixture('cluster.sql', '--\n-- PostgreSQL database cluster dump\n--\nCREATE ROLE a;\n--\n-- PostgreSQL database cluster dump complete\n--\n\n'),
      ),
    ).toBe(true);
  });

  it('plainDumpComplete rejects cut, empty, missing and compressed files, and SQL after the marker', async () => {
    expect(await plainDumpComplete(fixture('cut.sql', body))).toBe(false);
    expect(await plainDumpComplete(fixture('cut-in-marker.sql', complete.slice(0, complete.length - 12)))).toBe(false);
    expect(await plainDumpComplete(fixture('empty.sql', ''))).toBe(false);
    expect(await plainDumpComplete(path.join(dir, 'missing.sql'))).toBe(false);
    expect(await plainDumpComplete(fixture('after.sql', `${complete}DROP TABLE t;\n`))).toBe(false);
    // The closing \\unrestrict must carry the key the script opened with, whole.
    expect(await plainDumpComplete(fixture('cut-key.sql', `\\restrict Abc123XYZ\n${complete}\\unrestrict Abc12`))).toBe(false);
    expect(await plainDumpComplete(fixture('no-unrestrict.sql', `\\restrict Abc123XYZ\n${complete}`))).toBe(false);
    expect(await plainDumpComplete(fixture('stray-unrestrict.sql', `${complete}\\unrestrict Abc123XYZ\n`))).toBe(false);
    expect(await plainDumpComplete(fixture('gz.sql', crypto.randomBytes(5000)))).toBe(false);
  });

  it('hashBackup hashes a file, and a folder as its sorted "name sha256" lines', async () => {
    const file = fixture('data.bin', crypto.randomBytes(3 * 1024 * 1024 + 17));
    const expected = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(await hashBackup(file)).toEqual({ sha256: expected, bytes: 3 * 1024 * 1024 + 17 });

    const folder = path.join(dir, 'dirbackup');
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'toc.dat'), 'toc');
    fs.writeFileSync(path.join(folder, '3001.dat.gz'), 'data-a');
    fs.writeFileSync(path.join(folder, 'sub', 'x'), 'x');
    const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
    const lines = [`3001.dat.gz ${sha('data-a')}\n`, `sub/x ${sha('x')}\n`, `toc.dat ${sha('toc')}\n`].join('');
    const hashed = await hashBackup(folder);
    expect(hashed.sha256).toBe(sha(lines));
    expect(hashed.bytes).toBe(10);
    expect(hashed.files?.map((f) => f.name)).toEqual(['3001.dat.gz', 'sub/x', 'toc.dat']);
  });

  it('parseToc counts entries by type, multi-word types included', () => {
    const toc = [
      ';',
      '; Archive created at 2025-01-01 00:00:00 UTC',
      ';',
      '215; 1259 16389 TABLE public orders ops',
      '216; 1259 16390 TABLE public Order Items ops',
      '3361; 0 16389 TABLE DATA public orders ops',
      '3400; 2606 16400 CONSTRAINT public orders orders_pkey ops',
      '3401; 2606 16401 FK CONSTRAINT public order_items order_items_order_fk ops',
      '217; 1259 16391 SEQUENCE public orders_id_seq ops',
      '3402; 0 0 SEQUENCE SET public orders_id_seq ops',
      '',
    ].join('\n');
    expect(parseToc(toc)).toEqual({ tocEntries: 7, objects: { TABLE: 2, 'TABLE DATA': 1, CONSTRAINT: 1, 'FK CONSTRAINT': 1, SEQUENCE: 1, 'SEQUENCE SET': 1 } });
  });

  it('writes the manifest beside the backup atomically and reads it back', async () => {
    const backup = path.join(dir, 'prod_full_20250307-040506.dump');
    expect(manifestPathFor(backup)).toBe(`${backup}.manifest.json`);
    expect(manifestPathFor(`${dir}/dirbackup/`)).toBe(`${dir}/dirbackup.manifest.json`);
    const manifest = { manifestVersion: 1, id: 'b1', sha256: 'ab', file: 'x.dump', tables: [], objects: {} } as unknown as BackupManifest;
    await writeManifest(manifestPathFor(backup), manifest);
    expect(await readManifest(manifestPathFor(backup))).toEqual(manifest);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(await readManifest(path.join(dir, 'none.manifest.json'))).toBeNull();
    expect(await readManifest(fixture('bad.manifest.json', '{"manifestVersion": 2}'))).toBeNull();
    expect(await readManifest(fixture('junk.manifest.json', 'not json'))).toBeNull();
  });
});

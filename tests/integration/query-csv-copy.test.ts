// The CSV fast path (issue #21): a single read exported as CSV is COPY (…) TO STDOUT's own
// output, and every path gives the same bytes as `psql -c "\copy (…) to stdout csv header"`
// on every built-in type that matters — the CLI by COPY, the CLI by rows (--max-rows), the
// console's Export to file — with the database's TimeZone (not the app's), and the wrap is
// refused for anything but exactly the statement the guard judged.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile, ProfileInput, QueryExportResult } from '../../src-main/contract/models';
import type { Core } from '../../src-main/core/app';
import { planScript } from '../../src-main/core/platform/guard/statements/classify';
import { copyCsvText, executeCopyCsv } from '../../src-main/core/query/copy-csv';
import { queryServiceFor } from '../../src-main/core/query/service';
import { formatSink } from '../../src-main/cli/commands/query-output';
import { runCli } from '../helpers/cli';
import { callsOn, newTestCore } from '../helpers/core';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';

const pg = inject('pg');
let core: Core;
let home: string;
let database: string;
let profileId: string;
const { ok } = callsOn(() => core);

// Half-hour offset: a timestamptz written in the app's zone or UTC would differ from psql's.
const ZONE = 'America/St_Johns';
const SETUP = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TYPE pair AS (a int, b text);
  CREATE SEQUENCE s;
  CREATE FUNCTION sneaky() RETURNS bigint LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN nextval('s'); END $$;
  CREATE TABLE sample (
    id int, b bool, i2 int2, i4 int4, i8 int8, n numeric, f4 float4, f8 float8, t text, v varchar(12), c char(3),
    raw bytea, d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, j json, jb jsonb,
    ints int[], texts text[], u uuid, ip inet, m money, pr pair, e mood, pt point, r int4range
  );
  INSERT INTO sample VALUES
    (1, true, -32768, 2147483647, 9223372036854775807, 'NaN', 'Infinity', '-0', 'say "hi", ok', 'a,b', 'ab',
     '\\x00ff10', '2024-02-29', '23:59:59.999999', '12:00+05:30', '2024-01-01 00:00:00', '2024-07-01 12:34:56.789+00',
     '1 year 2 mons 3 days 04:05:06.7', '{"a": [1, 2.50], "b": null}', '{"z": 1, "a": "x,y"}', '{1,NULL,3}', '{"a,b","","NULL","q\\"x"}',
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', 12.34, ROW(1, 'a,b'), 'happy', '(1.5,-2)', '[1,10)'),
    (2, false, 0, -2147483648, -9223372036854775808, '123456789012345678901234567890.123456789', '-Infinity', 'NaN',
     E'line1\\nline2\\r\\nend\\r', '', '', '\\x', '4713-01-01 BC', '00:00', '00:00-12', 'infinity', '-infinity', '-1 days +02:00',
     '[]', '{"nested": {"deep": [true, false, null]}}', '{}', '{}', '00000000-0000-0000-0000-000000000000', '::1', -0.01,
     ROW(NULL, ''), 'sad', '(0,0)', 'empty'),
    (3, ${Array(28).fill('NULL').join(', ')}),
    (4, true, 1, 1, 1, '0.10', '3.4028235e38', '2.2250738585072014e-308', E'ünïcödé ✓ 𝄞 tab\\there \\\\.', '\\.', ' x ',
     '\\xdeadbeef', '2000-01-01', '12:34:56', '12:34:56+00', '1999-12-31 23:59:59.5', '2000-01-01 00:00:00+14', '00:00:00.000001',
     '"just a string, with comma"', 'null', '{{1,2},{3,4}}', '{"{","}"}', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '10.0.0.0/8', 0,
     ROW(-1, E'line\\nbreak "q"'), 'ok', '(1e+300,-1e-300)', '(,5]');
`;
// One line: psql's \\copy takes the rest of its line.
const ALL_TYPES = 'SELECT * FROM sample ORDER BY id';

function psqlCopy(sql: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: pg.password, PGCLIENTENCODING: 'UTF8' };
  // Nothing from this environment may choose the session's zone or styles: the database's settings decide.
  for (const name of ['PGTZ', 'PGOPTIONS', 'PGDATESTYLE', 'TZ', 'PGSERVICE']) delete env[name];
  const args = [
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    pg.host,
    '-p',
    String(pg.port),
    '-U',
    pg.user,
    '-d',
    database,
    '-c',
    `\\copy (${sql}) to stdout csv header`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(pg.binDir, 'psql'), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`psql exited ${code}: ${err}`))));
  });
}

/** Runs through the service with the CLI's csv sink; says whether COPY wrote it. */
async function serviceCsv(sql: string, maxRows: number | null = null): Promise<{ text: string; copied: boolean; error?: string | undefined }> {
  let text = '';
  let copied = false;
  const sink = formatSink('csv', {
    write: (chunk) => {
      text += chunk.toString();
    },
    note: () => undefined,
  });
  const copyCsv = sink.copyCsv!;
  sink.copyCsv = (chunk) => {
    copied = true;
    return copyCsv(chunk);
  };
  const result = await queryServiceFor(core.deps).runAudited({ profileId, sql, maxRows, override: false }, 'cli', { collect: false, sink });
  return { text, copied, error: result.statements.find((s) => s.error)?.error?.sqlstate ?? undefined };
}

beforeAll(async () => {
  database = await createTestDatabase(pg, uniqueDatabaseName('query_csv'));
  await withClient(pg, (c) => c.query(`ALTER DATABASE ${database} SET timezone = '${ZONE}'`));
  await withClient(pg, (c) => c.query(SETUP), database);
  ({ core, home } = newTestCore('ops-query-csv-'));
  const input: Partial<ProfileInput> = { host: pg.host, port: pg.port, database, user: pg.user, sslmode: 'disable', name: 'dev', env: 'development' };
  profileId = (await ok<Profile>('createProfile', { profile: { ...input, readOnly: false }, password: pg.password })).id;
  const slow = { ...input, name: 'slow', readOnly: true, statementTimeoutMs: 300 };
  await ok<Profile>('createProfile', { profile: slow, password: pg.password });
  const url = `postgres://${pg.user}@${pg.host}:${pg.port}/${database}?sslmode=disable`;
  const add = await runCli(home, ['profile', 'add', 'cli', '--url', url, '--env', 'development', '--read-write']);
  expect(add.code, add.stderr).toBe(0);
});

afterAll(async () => {
  await core?.close();
  await dropTestDatabase(pg, database);
  fs.rmSync(home, { recursive: true, force: true });
});

describe("CSV export: COPY and rows give psql's bytes", () => {
  it('every built-in type, by COPY and by rows, in process, from the CLI and to a file', async () => {
    const expected = await psqlCopy(ALL_TYPES);
    // The reference really covers what it should: the database's zone, t/f, "" vs NULL, a quoted line break.
    expect(expected).toContain('2024-07-01 10:04:56.789-02:30');
    expect(expected).toMatch(/^3,+$/m);
    expect(expected).toContain('"line1\nline2\r\nend\r"');
    expect(expected).toMatch(/^2,f,0,/m);

    const fast = await serviceCsv(ALL_TYPES);
    expect(fast.copied).toBe(true);
    expect(fast.text).toBe(expected);
    const rows = await serviceCsv(ALL_TYPES, 1000);
    expect(rows.copied).toBe(false);
    expect(rows.text).toBe(expected);

    // The app's own zone must not leak into either path.
    const env = { PGPASSWORD: pg.password, TZ: 'Asia/Kolkata' };
    const cliFast = await runCli(home, ['query', 'cli', ALL_TYPES, '--format', 'csv'], { env });
    expect(cliFast.code, cliFast.stderr).toBe(0);
    expect(cliFast.stdout).toBe(expected);
    const cliRows = await runCli(home, ['query', 'cli', ALL_TYPES, '--format', 'csv', '--max-rows', '1000'], { env });
    expect(cliRows.stdout).toBe(expected);

    const exported = await ok<QueryExportResult>('exportQuery', { profileId, sql: ALL_TYPES, format: 'csv' });
    expect(fs.readFileSync(exported.path, 'utf8')).toBe(expected);
    expect(exported.rows).toBe(4);
    expect(exported.bytes).toBe(Buffer.byteLength(expected));
  });

  it('a one-column \\. and a result without columns, both ways', async () => {
    for (const sql of [`SELECT '\\.' AS "\\." UNION ALL SELECT 'x'`, 'SELECT FROM generate_series(1, 3)', 'SELECT 1 AS "a,b", 2 AS "q""x"']) {
      const expected = await psqlCopy(sql);
      const fast = await serviceCsv(sql);
      expect(fast.copied, sql).toBe(true);
      expect(fast.text, sql).toBe(expected);
      expect((await serviceCsv(sql, 100)).text, sql).toBe(expected);
    }
  });

  it('takes the row path where COPY does not apply, with the same kind of bytes', async () => {
    const two = await serviceCsv('SELECT 1 AS a; SELECT 2 AS b');
    expect(two).toMatchObject({ copied: false, text: 'a\n1\n\nb\n2\n' });
    const show = await serviceCsv('SHOW timezone');
    expect(show).toMatchObject({ copied: false, text: `TimeZone\n${ZONE}\n` });
  });

  it('keeps the profile statement timeout on the COPY path', async () => {
    const slowId = core.deps.profiles.require('slow').id;
    let copied = false;
    const sink = formatSink('csv', { write: () => undefined, note: () => undefined });
    const copyCsv = sink.copyCsv!;
    sink.copyCsv = (chunk) => {
      copied = true;
      return copyCsv(chunk);
    };
    // A set-returning function in the select list streams: COPY has written rows when the timeout stops it.
    const sql = 'SELECT generate_series(1, 2000000000) AS g';
    const result = await queryServiceFor(core.deps).runAudited({ profileId: slowId, sql, maxRows: null, override: false }, 'cli', { collect: false, sink });
    expect(result.statements[0]!.error).toMatchObject({ sqlstate: '57014' });
    expect(result.statements[0]!.error!.message).toMatch(/statement timeout/);
    expect(copied).toBe(true);
  });
});

describe('the COPY wrap is built by construction', () => {
  async function wrap(sql: string): Promise<string | null> {
    const plans = await planScript(sql);
    expect(plans).toHaveLength(1);
    return copyCsvText(plans[0]!);
  }

  it('wraps exactly the judged read: trailing comment, semicolon, dollar quotes with ), TABLE, VALUES', async () => {
    expect(await wrap('select 1 -- c')).toBe('COPY (\nselect 1 -- c\n) TO STDOUT WITH (FORMAT csv, HEADER)');
    expect(await wrap('select 1;')).toBe('COPY (\nselect 1\n) TO STDOUT WITH (FORMAT csv, HEADER)');
    expect(await wrap('select $$)$$ as x')).not.toBeNull();
    expect(await wrap('select $q$) to program $$touch /tmp/x$$ --$q$')).not.toBeNull();
    expect(await wrap('TABLE sample')).not.toBeNull();
    expect(await wrap('VALUES (1)')).not.toBeNull();
    const dollar = await serviceCsv('select $$)$$ as x -- trailing');
    expect(dollar).toMatchObject({ copied: true, text: 'x\n)\n' });
  });

  it('refuses what is not exactly the judged statement, or not a plain read', async () => {
    await expect(planScript("select 1) to program 'touch /tmp/x' --")).rejects.toThrow(/Syntax error/);
    // A text that differs from its judged tree (as if the split went wrong) is not sent.
    const [plan] = await planScript('select 1');
    for (const sql of ["select 1) to program 'touch /tmp/x' --", "select 1) to '/tmp/x' --", 'select 2', 'select 1; select 1']) {
      expect(copyCsvText({ ...plan!, sql }), sql).toBeNull();
    }
    expect(await wrap('select 1 into t_new')).toBeNull();
    expect(await wrap('with d as (delete from sample returning *) select * from d')).toBeNull();
    expect(await wrap('SHOW timezone')).toBeNull();
    expect(await wrap('EXPLAIN select 1')).toBeNull();
    expect(await wrap('select * from sample for update')).toBeNull();
    expect(fs.existsSync('/tmp/x')).toBe(false);
  });

  it('runs inside BEGIN READ ONLY: a function that writes is refused by the server even if the guard missed it', async () => {
    const before = await withClient(pg, (c) => c.query<{ v: string }>('SELECT last_value::text AS v FROM s'), database);
    // Judged from the parse tree alone (a read); the catalog would have said otherwise.
    const [plan] = await planScript('SELECT sneaky()');
    const text = copyCsvText(plan!);
    expect(text).not.toBeNull();
    const service = queryServiceFor(core.deps);
    const { session } = await service.sessions.acquire(core.deps.profiles.require(profileId), pg.password);
    const result = await executeCopyCsv(session, plan!, text!, { copyCsv: () => undefined }, { readOnly: false, profileName: 'dev' });
    expect(result.error).toMatchObject({ sqlstate: '25006' });
    expect(session.txStatus).toBe('I');
    const after = await withClient(pg, (c) => c.query<{ v: string }>('SELECT last_value::text AS v FROM s'), database);
    expect(after.rows[0]!.v).toBe(before.rows[0]!.v);
    // Through the service the catalog judges it a write: not the COPY path, and a change to confirm.
    const judged = await service.plan(profileId, 'SELECT sneaky()', { password: pg.password, strict: true });
    expect(judged.statements[0]!.kind).toBe('write');
  });
});

// The server log (issue #19) on a cluster of its own (logging_collector needs a restart; the
// shared test server has it off, which is the "not collected" case): an ERROR found by level
// and search with its STATEMENT line; a log bigger than a chunk read from its end in bounded
// pages, older pages contiguous; a follow that picks up what is written next; a role without
// the privileges gets the reason and the GRANTs, which — run by a superuser — make it readable;
// and the CLI's `server-log` (--level, --search, --json, exit 1 with the fix).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Profile } from '../../src-main/contract/models';
import type { ServerLog, ServerLogResult, ServerLogUnavailable } from '../../src-main/contract/serverlog';
import type { Core } from '../../src-main/core/app';
import { LocalCluster } from '../../src-main/core/platform/postgres/cluster';
import { pickServerBinaries, serverBinariesIn } from '../../src-main/core/platform/postgres/server-binaries';
import { CHUNK_BYTES } from '../../src-main/core/serverlog/read';
import { json, runCli } from '../helpers/cli';
import { callsOn, newTestCore } from '../helpers/core';

const shared = inject('pg');
let cluster: LocalCluster;
let root: string;
let port: number;
const password = crypto.randomBytes(18).toString('base64url');
const watcherPassword = crypto.randomBytes(18).toString('base64url');
let core: Core;
let home: string;
let profile: Profile;
const { ok } = callsOn(() => core);
const marker = `marker_${crypto.randomBytes(4).toString('hex')}`;

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', application_name: 'serverlog-test' });
  await client.connect();
  try {
    await client.query(text).catch(() => undefined);
  } finally {
    await client.end();
  }
}

function readable(log: ServerLog): ServerLogResult {
  if (!log.available) throw new Error(`log not readable: ${log.message}`);
  return log;
}

beforeAll(async () => {
  const binaries = (await serverBinariesIn(shared.binDir)) ?? (await pickServerBinaries());
  root = path.join(os.tmpdir(), `ops-console-serverlog-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  cluster = new LocalCluster({
    dataDir: path.join(root, 'data'),
    binaries,
    auth: { method: 'scram-sha-256', superuserPassword: password },
    // A prefix richer than the default: user@database only for session processes (%q).
    settings: { logging_collector: 'on', log_destination: 'stderr', log_line_prefix: '%m [%p] %q%u@%d ', log_directory: 'log' },
    durable: false,
  });
  await cluster.init();
  ({ port } = await cluster.start());
  ({ core, home } = newTestCore('ops-serverlog-'));
  profile = await ok<Profile>('createProfile', {
    profile: { name: 'logged', host: '127.0.0.1', port, database: 'postgres', user: 'postgres', sslmode: 'disable', env: 'development', readOnly: true },
    password,
  });
  await sql(`CREATE ROLE watcher LOGIN PASSWORD '${watcherPassword}'`);
}, 120_000);

afterAll(async () => {
  await core?.close();
  await cluster?.destroy().catch(() => undefined);
  if (root) fs.rmSync(root, { recursive: true, force: true });
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('a readable log', () => {
  it('finds an ERROR by level and by search, with its STATEMENT, user and database', async () => {
    await sql(`SELECT '${marker}'::int`);
    // The logging collector writes through a pipe: give it a moment.
    await expect
      .poll(async () => readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, levels: ['ERROR'], search: marker })).entries.length, {
        timeout: 5000,
        interval: 200,
      })
      .toBe(1);
    const log = readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, levels: ['ERROR', 'FATAL', 'PANIC'], search: marker.toUpperCase() }));
    expect(log.format).toBe('stderr');
    expect(log.files.find((f) => f.current)?.name).toBe(log.file);
    const [entry] = log.entries;
    expect(entry).toMatchObject({
      level: 'ERROR',
      user: 'postgres',
      database: 'postgres',
      message: `invalid input syntax for type integer: "${marker}" at character 8`,
    });
    expect(entry!.time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /);
    expect(entry!.extra).toEqual([`STATEMENT:  SELECT '${marker}'::int`]);
    // A level filter that excludes it, and a search that misses it, find nothing.
    expect(readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, levels: ['WARNING'], search: marker })).entries).toEqual([]);
    expect(readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, levels: ['ERROR'], search: `${marker}_not` })).entries).toEqual([]);
  }, 30_000);

  it('reads a log bigger than a chunk from its end, in pages that join up, and follows what comes next', async () => {
    // About 190 bytes an entry (its LOG and CONTEXT lines; no STATEMENT line for the DO block).
    const count = Math.ceil((3 * CHUNK_BYTES) / 150);
    await sql(`SET log_min_error_statement = panic; DO $$ BEGIN FOR i IN 1..${count} LOOP RAISE LOG 'filler % of ${count}', i; END LOOP; END $$`);
    await expect
      .poll(async () => readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, lines: 1, search: 'filler' })).entries[0]?.message, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe(`filler ${count} of ${count}`);
    const last = readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, lines: 5, search: 'filler' }));
    expect(last.entries.map((e) => e.message)).toEqual([4, 3, 2, 1, 0].map((k) => `filler ${count - k} of ${count}`));
    expect(last.bytes).toBeGreaterThan(3 * CHUNK_BYTES);
    expect(last.scannedBytes).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(last.from).toBeGreaterThan(0);
    const older = readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, lines: 3, search: 'filler', before: last.from }));
    expect(older.entries.map((e) => e.message)).toEqual([7, 6, 5].map((k) => `filler ${count - k} of ${count}`));
    // The ERROR written before the filler is found through several chunks.
    const found = readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, levels: ['ERROR'], search: marker }));
    expect(found.entries).toHaveLength(1);
    expect(found.scannedBytes).toBeGreaterThan(2 * CHUNK_BYTES);
    expect(found.bounded).toBe(false);

    const next = `${marker}_next`;
    await sql(`SELECT '${next}'::int`);
    await expect
      .poll(
        async () => readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, file: last.file, after: last.resume })).entries.map((e) => e.message),
        {
          timeout: 5000,
          interval: 200,
        },
      )
      .toContain(`invalid input syntax for type integer: "${next}" at character 8`);
    const followed = readable(await ok<ServerLog>('getServerLog', { profileId: profile.id, file: last.file, after: last.resume }));
    expect(followed.entries[0]!.offset).toBe(last.resume);
    expect(followed.scannedBytes).toBeLessThan(CHUNK_BYTES);
  }, 60_000);

  it('the CLI prints the entries by level and search, and exits 1 with the fix when the role may not read the log', async () => {
    const run = await runCli(home, ['server-log', 'logged', '--level', 'error', '--search', marker, '--json'], { env: { PGPASSWORD: password } });
    expect(run.code, run.stderr).toBe(0);
    const doc = json(run) as { ok: boolean; entries: Array<{ level: string; message: string }> };
    expect(doc.ok).toBe(true);
    expect(doc.entries.map((e) => e.level)).toEqual(['ERROR', 'ERROR']);
    const text = await runCli(home, ['server-log', 'logged', '--level', 'error,fatal', '--search', `${marker}_next`], { env: { PGPASSWORD: password } });
    expect(text.stdout).toMatch(
      new RegExp(
        `^\\d{4}-\\S+ \\S+ \\S+ ERROR   \\[\\d+\\] postgres@postgres invalid input syntax for type integer: "${marker}_next" at character 8\\n    STATEMENT:  SELECT '${marker}_next'::int\\n$`,
      ),
    );
    expect((await runCli(home, ['server-log', 'logged', '--level', 'loud'])).code).toBe(2);
  }, 60_000);
});

describe('a log this role cannot read', () => {
  it('names the missing privileges as GRANTs that, once run, make it readable', async () => {
    const watcher = await ok<Profile>('createProfile', {
      profile: { name: 'watcher', host: '127.0.0.1', port, database: 'postgres', user: 'watcher', sslmode: 'disable', env: 'production', readOnly: true },
      password: watcherPassword,
    });
    const denied = (await ok<ServerLog>('getServerLog', { profileId: watcher.id })) as ServerLogUnavailable;
    expect(denied).toMatchObject({ available: false, reason: 'no-privilege' });
    expect(denied.message).toMatch(/The role watcher may not read the server log/);
    expect(denied.fixSql).toMatch(/^GRANT pg_monitor TO "watcher";/);
    expect(denied.fixSql).toMatch(/GRANT EXECUTE ON FUNCTION pg_catalog\.pg_read_binary_file\(text, bigint, bigint\) TO "watcher";/);

    const cli = await runCli(home, ['server-log', 'watcher', '--json'], { env: { PGPASSWORD: watcherPassword } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^error: The role watcher may not read the server log.*\nGRANT pg_monitor TO "watcher";/s);
    expect(json(cli)).toMatchObject({ ok: false, reason: 'no-privilege', error: { code: 'SERVER_LOG_UNAVAILABLE' } });

    await sql(denied.fixSql!);
    const granted = readable(await ok<ServerLog>('getServerLog', { profileId: watcher.id, levels: ['ERROR'], search: marker }));
    expect(granted.entries.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('says the collector is off, and how to turn it on, on a server that does not collect its log', async () => {
    const off = await ok<Profile>('createProfile', {
      profile: {
        name: 'shared',
        host: shared.host,
        port: shared.port,
        database: shared.database,
        user: shared.user,
        sslmode: 'disable',
        env: 'development',
        readOnly: true,
      },
      password: shared.password,
    });
    const log = (await ok<ServerLog>('getServerLog', { profileId: off.id })) as ServerLogUnavailable;
    expect(log).toMatchObject({ available: false, reason: 'not-collected', settings: { loggingCollector: 'off' } });
    expect(log.fixSql).toMatch(/^ALTER SYSTEM SET logging_collector = on;/);
  }, 30_000);
});

// `ops-console query` end to end through the built CLI: streamed csv/json/table output,
// --max-rows, stdin, exit codes, the confirmation rules without a terminal, Ctrl+C
// cancelling at the server, the audit entry, and a query through an SSH bastion.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, uniqueDatabaseName, withClient } from '../helpers/pg';
import { runCli, startCli } from '../helpers/cli';
import { startBastion, waitFor, type TestBastion } from '../helpers/sshd';

const pg = inject('pg');

// Every run here may log in to the harness cluster: its password through the environment.
const env = { PGPASSWORD: pg.password };
const start = (home: string, args: string[], stdin = '') => startCli(home, args, { env, stdin });
const cli = (home: string, args: string[], stdin = '') => runCli(home, args, { env, stdin });

/**
 * Runs the CLI with a preload that writes, as it exits, which packages were required from
 * node_modules (issue #21, the CLI's floor): the lazily loaded ssh2 and AWS SDK, the external
 * SQL parser and SQLite driver; the bundled ones (pg, zod) never are. import() of a CommonJS
 * package goes through require's cache too, so lazy loads are seen. Node's own fetch
 * (undici, loaded on first use of a Response) is listed as "node:undici".
 */
async function packagesLoadedBy(home: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-loaded-'));
  const preload = path.join(dir, 'preload.cjs');
  const report = path.join(dir, 'loaded.json');
  fs.writeFileSync(
    preload,
    `process.on('exit', () => {
      const names = new Set();
      for (const file of Object.keys(require.cache)) {
        const m = /[\\/]node_modules[\\/](@[^\\/]+[\\/][^\\/]+|[^\\/]+)[\\/]/.exec(file);
        if (m) names.add(m[1]);
      }
      if (process.moduleLoadList.some((m) => m.includes('internal/deps/undici'))) names.add('node:undici');
      require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify([...names].sort()));
    });\n`,
  );
  try {
    const run = await runCli(home, args, { env: { ...env, ...extraEnv, NODE_OPTIONS: `--require ${preload}` } });
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(fs.readFileSync(report, 'utf8')) as string[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('ops-console query', () => {
  let home: string;
  let database: string;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-query-'));
    database = await createTestDatabase(pg, uniqueDatabaseName('query_cli'));
    await withClient(
      pg,
      (c) =>
        c.query("CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t VALUES (1, 'plain'), (2, 'with, comma'), (3, 'say \"hi\"'), (4, ''), (5, NULL)"),
      database,
    );
    const url = `postgres://${pg.user}@${pg.host}:${pg.port}/${database}?sslmode=disable`;
    for (const [name, env] of [
      ['dev', 'development'],
      ['prod', 'production'],
    ] as const) {
      const add = await cli(home, ['profile', 'add', name, '--url', url, '--env', env, '--read-write']);
      expect(add.code, add.stderr).toBe(0);
    }
  });

  afterAll(async () => {
    await dropTestDatabase(pg, database);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("writes COPY's csv: quoted commas and quotes, empty string distinct from NULL, the same by COPY and by rows", async () => {
    const run = await cli(home, ['query', 'dev', 'SELECT id, note FROM t ORDER BY id', '--format', 'csv']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('id,note\n1,plain\n2,"with, comma"\n3,"say ""hi"""\n4,""\n5,\n');
    // --max-rows takes the row path (COPY cannot stop part-way): the same bytes.
    const rows = await cli(home, ['query', 'dev', 'SELECT id, note FROM t ORDER BY id', '--format', 'csv', '--max-rows', '100']);
    expect(rows.stdout).toBe(run.stdout);
  });

  it("loads neither ssh2 nor the AWS SDK for a query on a profile without SSH, nor Node's fetch; pg and zod come bundled", async () => {
    const loaded = await packagesLoadedBy(home, ['query', 'dev', 'SELECT 1', '--format', 'csv']);
    expect(loaded).toContain('libpg-query');
    expect(loaded).toContain('better-sqlite3');
    expect(loaded).not.toContain('ssh2');
    expect(loaded.filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'))).toEqual([]);
    // Bundled into out/main (electron.vite.config.ts): no file of theirs is resolved at start.
    for (const bundled of ['pg', 'pg-protocol', 'pg-types', 'pg-cursor', 'zod', 'markdown-it']) expect(loaded).not.toContain(bundled);
    // pg's Cloudflare probe constructs a Response, which would load undici (cli/main.ts hides it while the modules load).
    expect(loaded).not.toContain('node:undici');
  });

  it('writes a JSON array of row objects, with exact numbers as text', async () => {
    const run = await cli(home, ['query', 'dev', 'SELECT 1 AS a, 9007199254740993::int8 AS big, NULL AS n, \'{"k":1}\'::json AS j', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ a: 1, big: '9007199254740993', n: null, j: '{\n  "k": 1\n}' }]);
    const empty = await cli(home, ['query', 'dev', 'SELECT 1 AS a WHERE false', '--format', 'json']);
    expect(JSON.parse(empty.stdout)).toEqual([]);
  });

  it('prints an aligned table with a row count by default', async () => {
    const run = await cli(home, ['query', 'dev', 'SELECT id, note FROM t WHERE id <= 2 ORDER BY id']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(['id | note', '---+------------', ' 1 | plain', ' 2 | with, comma', '(2 rows)', ''].join('\n'));
  });

  it('streams a large result in constant memory and stops at --max-rows', async () => {
    const all = await cli(home, ['query', 'dev', 'SELECT g FROM generate_series(1, 200000) g', '--format', 'csv']);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(200001);
    expect(lines[200000]).toBe('200000');
    const capped = await cli(home, ['query', 'dev', 'SELECT g FROM generate_series(1, 200000) g', '--format', 'csv', '--max-rows', '3']);
    expect(capped.code).toBe(0);
    expect(capped.stdout).toBe('g\n1\n2\n3\n');
    expect(capped.stderr).toMatch(/more rows exist/);
  });

  it('reads the script from stdin with -', async () => {
    const run = await cli(home, ['query', 'dev', '-', '--format', 'csv'], 'SELECT 40 + 2 AS answer;\n');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('answer\n42\n');
  });

  it('fails with exit 1, the SQLSTATE and the position; usage errors exit 2', async () => {
    const bad = await cli(home, ['query', 'dev', 'SELECT nosuch FROM t']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*nosuch.*\[SQLSTATE 42703\]/m);
    expect(bad.stderr).toMatch(/position: 8/);
    const syntax = await cli(home, ['query', 'dev', 'SELEC 1']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^error: Syntax error at line 1, column 1/m);
    expect((await cli(home, ['query', 'dev'])).code).toBe(2);
    expect((await cli(home, ['query', 'dev', 'SELECT 1', '--format', 'xml'])).code).toBe(2);
    expect((await cli(home, ['query', 'nosuchprofile', 'SELECT 1'])).code).toBe(1);
  });

  it('refuses a change without a terminal unless --yes, and on production also needs --confirm NAME', async () => {
    const refused = await cli(home, ['query', 'dev', "UPDATE t SET note = 'x' WHERE id = 1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/without a terminal.*--yes/);
    const yes = await cli(home, ['query', 'dev', "UPDATE t SET note = 'x' WHERE id = 1", '--yes']);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toBe('UPDATE 1\n');

    const prodNoConfirm = await cli(home, ['query', 'prod', "UPDATE t SET note = 'p' WHERE id = 1", '--yes']);
    expect(prodNoConfirm.code).toBe(1);
    expect(prodNoConfirm.stderr).toMatch(/--confirm prod/);
    const prod = await cli(home, ['query', 'prod', "UPDATE t SET note = 'p' WHERE id = 1", '--yes', '--confirm', 'prod']);
    expect(prod.code, prod.stderr).toBe(0);
    const check = await withClient(pg, (c) => c.query('SELECT note FROM t WHERE id = 1'), database);
    expect(check.rows[0]!.note).toBe('p');
    // Reads on production need no confirmation.
    expect((await cli(home, ['query', 'prod', 'SELECT 1', '--format', 'csv'])).code).toBe(0);
  });

  it('blocks DELETE without WHERE unless --override, and the audit trail records both', async () => {
    const blocked = await cli(home, ['query', 'dev', 'DELETE FROM t', '--yes']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/Blocked: DELETE without WHERE/);
    const count = await withClient(pg, (c) => c.query('SELECT count(*)::int AS n FROM t'), database);
    expect(count.rows[0]!.n).toBe(5);
    const overridden = await cli(home, ['query', 'dev', 'BEGIN; DELETE FROM t; ROLLBACK', '--yes', '--override']);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).toBe('BEGIN\nDELETE 5\nROLLBACK\n');
    const audit = await cli(home, ['audit', 'list', '--action', 'query.run', '--json']);
    const entries = (JSON.parse(audit.stdout) as { entries: Array<{ outcome: string; profile: string; summary: string }> }).entries;
    expect(entries.some((e) => e.outcome === 'refused' && e.profile === 'dev' && /blocked: DELETE without WHERE/.test(e.summary))).toBe(true);
    expect(entries.some((e) => e.outcome === 'ok' && /override: DELETE without WHERE/.test(e.summary))).toBe(true);
  });

  it('Ctrl+C cancels the statement at the server and exits 1', async () => {
    const { child, done } = start(home, ['query', 'dev', 'SELECT pg_sleep(30)']);
    let pid = 0;
    await waitFor(
      'pg_sleep to run',
      async () => {
        const r = await withClient(pg, (c) => c.query("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)'"));
        pid = (r.rows[0]?.pid as number | undefined) ?? 0;
        return pid > 0;
      },
      15_000,
    );
    const sent = Date.now();
    child.kill('SIGINT');
    const run = await done;
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Cancelled at the server.*57014/);
    const after = await withClient(pg, (c) => c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [pid]));
    expect(after.rows[0]!.n).toBe(0);
  });
});

describe('ops-console query through an SSH bastion (real sshd)', () => {
  let home: string;
  let bastion: TestBastion;

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-query-ssh-'));
    bastion = await startBastion('ops-cli-query-keys-');
  });

  afterAll(async () => {
    await bastion.dispose();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('streams rows through the tunnel', async () => {
    const url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}?sslmode=disable`;
    const { sshd, clientKey } = bastion;
    const add = await cli(home, [
      'profile',
      'add',
      'bastioned',
      '--url',
      url,
      '--ssh',
      `root@127.0.0.1:${sshd.port}`,
      '--ssh-key',
      clientKey.privatePath,
      '--ssh-known-host',
      sshd.knownHostsLine(),
    ]);
    expect(add.code, add.stderr).toBe(0);
    const run = await cli(home, ['query', 'bastioned', 'SELECT g, inet_client_addr() IS NOT NULL AS tcp FROM generate_series(1, 3) g', '--format', 'csv']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('g,tcp\n1,t\n2,t\n3,t\n');
    // ssh2 is loaded lazily (the test above proves it is not otherwise): here, where the
    // tunnel is ssh2's, it is loaded, which also proves the preload sees lazy loads.
    const loaded = await packagesLoadedBy(home, ['query', 'bastioned', 'SELECT 1', '--format', 'csv'], { OPS_CONSOLE_SSH_ENGINE: 'ssh2' });
    expect(loaded).toContain('ssh2');
  });
});

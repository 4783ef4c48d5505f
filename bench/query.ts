// Query streaming. CSV export (issue #21): `ops-console query … --format csv > /dev/null`
// against `psql -c "\copy (…) to stdout csv"` on the same server, at --rows (default 200,000
// and 2,000,000) of `select g, md5(g::text)`: wall-time ratio ≤ 1.15 (medians), CLI peak RSS
// < 120 MB and flat from the small to the large size. Each round runs psql and ours back to
// back (alternating who goes first) so load drifts hit both. Floors measured in the same run:
// `ops-console profile list` (Node start-up + loading the core) and `query … "select 1"` (the
// same plus connect, plan, guard and audit) say where the fixed part of the time goes.
// The SSH-tunnel part (issue #3: tunnel vs direct) runs unless --csv-only.
// Prints one JSON line last. Run: npx tsx bench/query.ts [--rows 200000,2000000] [--rounds 5] [--csv-only]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCluster } from '../src-main/core/platform/postgres/cluster';
import { pickServerBinaries } from '../src-main/core/platform/postgres/server-binaries';
import { makeTempDir, sshKeygen, TestSshd } from '../tests/helpers/sshd';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'ops-console.cjs');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const SIZES = (arg('rows') ?? '200000,2000000').split(',').map(Number);
const ROUNDS = Number(arg('rounds') ?? 5);
const CSV_ONLY = process.argv.includes('--csv-only');
const sqlFor = (n: number) => `select g, md5(g::text) from generate_series(1, ${n}) g`;
// The tunnel part keeps its wide rows (issue #3's figure).
const tunnelSqlFor = (n: number) => `SELECT g, md5(g::text) || repeat('x', 150) AS payload FROM generate_series(1, ${n}) g`;

interface Measured {
  ms: number;
  bytes: number;
  peakRssMb: number;
}

/** Runs a command with stdout counted then dropped; /usr/bin/time -f %M gives its peak RSS. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const rss = /PEAK_RSS_KB=(\d+)/.exec(stderr);
      if (code !== 0 || !rss) return reject(new Error(`${cmd} exited ${code}: ${stderr}`));
      resolve({ ms, bytes, peakRssMb: Math.round(Number(rss[1]) / 102.4) / 10 });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const load = () => os.loadavg().map(round2);

interface Summary {
  ms: number;
  peakRssMb: number;
  bytes: number;
  all: number[];
}

function summarize(all: Measured[]): Summary {
  return {
    ms: Math.round(median(all.map((m) => m.ms))),
    peakRssMb: Math.max(...all.map((m) => m.peakRssMb)),
    bytes: all[0]!.bytes,
    all: all.map((m) => Math.round(m.ms)),
  };
}

async function rounds(what: string, run: () => Promise<Measured>): Promise<Summary> {
  const all: Measured[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const m = await run();
    console.log(`${what} round ${i + 1}: ${Math.round(m.ms)} ms, ${(m.bytes / 1e6).toFixed(1)} MB, peak RSS ${m.peakRssMb} MB`);
    all.push(m);
  }
  return summarize(all);
}

/** psql and ours in the same round, alternating which goes first; medians of each and of the per-round ratios. */
async function paired(label: string, psqlRun: () => Promise<Measured>, oursRun: () => Promise<Measured>) {
  const psql: Measured[] = [];
  const ours: Measured[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const first = i % 2 === 0;
    const a = first ? await psqlRun() : await oursRun();
    const b = first ? await oursRun() : await psqlRun();
    const [p, o] = first ? [a, b] : [b, a];
    psql.push(p);
    ours.push(o);
    ratios.push(o.ms / p.ms);
    console.log(
      `${label} round ${i + 1}: psql ${Math.round(p.ms)} ms (${p.peakRssMb} MB), ours ${Math.round(o.ms)} ms (${o.peakRssMb} MB), ratio ${round2(o.ms / p.ms)}, load ${load()[0]}`,
    );
  }
  const p = summarize(psql);
  const o = summarize(ours);
  if (o.bytes !== p.bytes) throw new Error(`${label}: ours wrote ${o.bytes} bytes, psql ${p.bytes}: not the same CSV`);
  return { psql: p, ours: o, ratioOfMedians: round2(o.ms / p.ms), medianRoundRatio: round2(median(ratios)) };
}

async function main(): Promise<void> {
  const binaries = await pickServerBinaries();
  const root = path.join(os.tmpdir(), `ops-console-bench-query-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries, auth: { method: 'trust' }, durable: false });
  const home = makeTempDir('ops-bench-query-home-');
  const codeCacheDir = path.join(makeTempDir('ops-bench-query-cc-'), 'code-cache');
  const keyDir = makeTempDir('ops-bench-query-keys-');
  const key = CSV_ONLY ? null : sshKeygen(keyDir, 'client_ed25519');
  const sshd = key ? new TestSshd({ authorizedKeys: [key.publicLine] }) : null;
  try {
    const loadBefore = load();
    await cluster.init();
    const { port } = await cluster.start();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    // The CLI's V8 code cache (src-main/cli/code-cache.ts) in a folder of the bench's own: the
    // unmeasured warm-up run below fills it, as a user's first run after installing does. The
    // floors are also measured without it (off) and with an empty one on every run (cold).
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      measure(process.execPath, [BIN, '--home', home, ...args], { OPS_CONSOLE_CODE_CACHE_DIR: codeCacheDir, ...env });
    await cli(['profile', 'add', 'direct', '--url', url, '--env', 'development']);
    const psql = path.join(binaries.binDir, 'psql');
    const psqlCopy = (sql: string) =>
      measure(psql, ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', `\\copy (${sql}) to stdout csv header`]);
    const ours = (sql: string) => cli(['query', 'direct', sql, '--format', 'csv']);

    // Warm the server's caches and the file cache of node_modules once, unmeasured.
    await psqlCopy(sqlFor(1000));
    await ours(sqlFor(1000));

    const floorCore = await rounds('floor: ops-console profile list', () => cli(['profile', 'list']));
    const floorQuery = await rounds('floor: ops-console query "select 1" --format csv', () => ours('select 1'));
    const floorPsql = await rounds('floor: psql \\copy (select 1)', () => psqlCopy('select 1'));
    const floorQueryOff = await rounds('floor: query "select 1", code cache off', () =>
      cli(['query', 'direct', 'select 1', '--format', 'csv'], { OPS_CONSOLE_CODE_CACHE: 'off' }),
    );
    let coldRun = 0;
    const floorQueryCold = await rounds('floor: query "select 1", code cache empty (first run)', () =>
      cli(['query', 'direct', 'select 1', '--format', 'csv'], { OPS_CONSOLE_CODE_CACHE_DIR: `${codeCacheDir}-cold-${coldRun++}` }),
    );

    const csv: Record<string, unknown> = {};
    for (const n of SIZES) {
      const r = await paired(
        `csv ${n} rows`,
        () => psqlCopy(sqlFor(n)),
        () => ours(sqlFor(n)),
      );
      csv[String(n)] = {
        psqlMs: r.psql.ms,
        oursMs: r.ours.ms,
        ratioOfMedians: r.ratioOfMedians,
        medianRoundRatio: r.medianRoundRatio,
        oursPeakRssMb: r.ours.peakRssMb,
        psqlPeakRssMb: r.psql.peakRssMb,
        resultMb: round1(r.ours.bytes / 1e6),
        // What is left once the fixed costs (start-up, connect, plan, audit) are taken off both.
        streamingRatio: round2((r.ours.ms - floorQuery.ms) / Math.max(1, r.psql.ms - floorPsql.ms)),
        psqlRounds: r.psql.all,
        oursRounds: r.ours.all,
      };
    }

    // The row path (what every CSV was before issue #21, same bytes now) at the largest size, for where COPY's gain comes from.
    const n = Math.max(...SIZES);
    const rowPath = await rounds(`row path (--max-rows) ${n} rows`, () => cli(['query', 'direct', sqlFor(n), '--format', 'csv', '--max-rows', String(n + 1)]));

    let tunnel: Record<string, unknown> | null = null;
    if (sshd && key) {
      await sshd.start();
      const knownHost = `[127.0.0.1]:${sshd.port} ${fs.readFileSync(`${sshd.hostKeyPath}.pub`, 'utf8').trim()}`;
      await cli([
        'profile',
        'add',
        'tunnelled',
        '--url',
        url,
        '--env',
        'development',
        '--ssh',
        `root@127.0.0.1:${sshd.port}`,
        '--ssh-key',
        key.privatePath,
        '--ssh-known-host',
        knownHost,
      ]);
      const direct = await rounds('ops-console direct (tunnel baseline)', () => cli(['query', 'direct', tunnelSqlFor(n), '--format', 'csv']));
      const via = await rounds('ops-console via SSH', () => cli(['query', 'tunnelled', tunnelSqlFor(n), '--format', 'csv']));
      tunnel = {
        rows: n,
        cliDirectMs: direct.ms,
        cliTunnelMs: via.ms,
        tunnelVsDirectThroughput: round2(direct.ms / via.ms),
        cliTunnelPeakRssMb: via.peakRssMb,
      };
    }

    const big = csv[String(Math.max(...SIZES))] as { ratioOfMedians: number; oursPeakRssMb: number };
    const small = csv[String(Math.min(...SIZES))] as { oursPeakRssMb: number };
    const result = {
      at: new Date().toISOString(),
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}`,
      sql: sqlFor(Math.max(...SIZES)),
      rounds: ROUNDS,
      loadAverage: { before: loadBefore, after: load() },
      floors: {
        coreLoadMs: floorCore.ms,
        coreLoadPeakRssMb: floorCore.peakRssMb,
        querySelect1Ms: floorQuery.ms,
        querySelect1PeakRssMb: floorQuery.peakRssMb,
        querySelect1CodeCacheOffMs: floorQueryOff.ms,
        querySelect1CodeCacheColdMs: floorQueryCold.ms,
        psqlSelect1Ms: floorPsql.ms,
      },
      csv,
      rowPath: {
        rows: n,
        ms: rowPath.ms,
        peakRssMb: rowPath.peakRssMb,
        vsCopyPath: round2(rowPath.ms / (csv[String(n)] as { oursMs: number }).oursMs),
        all: rowPath.all,
      },
      tunnel,
      targets: { ratio: '<= 1.15', peakRssMb: '< 120, flat from the small to the large size' },
      met: { ratio: big.ratioOfMedians <= 1.15, rss: big.oursPeakRssMb < 120 && big.oursPeakRssMb - small.oursPeakRssMb < 10 },
    };
    console.log(JSON.stringify(result));
  } finally {
    await sshd?.dispose().catch(() => undefined);
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(path.dirname(codeCacheDir), { recursive: true, force: true });
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

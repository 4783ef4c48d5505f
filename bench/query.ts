// Query streaming: `ops-console query … --format csv > /dev/null` against psql's \copy on
// the same server (issue 4: wall-time ratio ≤ 1.5, peak RSS < 200 MB and flat as rows grow
// 10×), and the same ops-console query through an SSH tunnel (real sshd) against direct
// (issue 3: throughput ≥ 0.5 of direct). Its own throwaway cluster and sshd; prints one
// JSON line last. Run: npx tsx bench/query.ts [--rows 1100000] [--rounds 3]
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

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const ROWS = arg('rows', 1_100_000);
const ROUNDS = arg('rounds', 3);
const sqlFor = (n: number) => `SELECT g, md5(g::text) || repeat('x', 150) AS payload FROM generate_series(1, ${n}) g`;

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
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function rounds(what: string, run: () => Promise<Measured>): Promise<Measured> {
  const all: Measured[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const m = await run();
    console.log(`${what} round ${i + 1}: ${Math.round(m.ms)} ms, ${(m.bytes / 1e6).toFixed(1)} MB, peak RSS ${m.peakRssMb} MB`);
    all.push(m);
  }
  return { ms: median(all.map((m) => m.ms)), bytes: all[0]!.bytes, peakRssMb: Math.max(...all.map((m) => m.peakRssMb)) };
}

async function main(): Promise<void> {
  const binaries = await pickServerBinaries();
  const root = path.join(os.tmpdir(), `ops-console-bench-query-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(root, { mode: 0o711 });
  fs.chmodSync(root, 0o711);
  const cluster = new LocalCluster({ dataDir: path.join(root, 'data'), binaries, auth: { method: 'trust' }, durable: false });
  const home = makeTempDir('ops-bench-query-home-');
  const keyDir = makeTempDir('ops-bench-query-keys-');
  const key = sshKeygen(keyDir, 'client_ed25519');
  const sshd = new TestSshd({ authorizedKeys: [key.publicLine] });
  try {
    await cluster.init();
    const { port } = await cluster.start();
    await sshd.start();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    const knownHost = `[127.0.0.1]:${sshd.port} ${fs.readFileSync(`${sshd.hostKeyPath}.pub`, 'utf8').trim()}`;
    const cli = (args: string[]) => measure(process.execPath, [BIN, '--home', home, ...args]);
    await cli(['profile', 'add', 'direct', '--url', url, '--env', 'development']);
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
    const psql = path.join(binaries.binDir, 'psql');

    const sql = sqlFor(ROWS);
    const psqlRun = await rounds('psql \\copy', () =>
      measure(psql, ['-X', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', `\\copy (${sql}) to stdout csv`]),
    );
    const direct = await rounds('ops-console direct', () => cli(['query', 'direct', sql, '--format', 'csv']));
    const tunnel = await rounds('ops-console via SSH', () => cli(['query', 'tunnelled', sql, '--format', 'csv']));
    const small = await rounds('ops-console direct, rows / 10', () => cli(['query', 'direct', sqlFor(Math.round(ROWS / 10)), '--format', 'csv']));

    const mbps = (m: Measured) => Math.round((m.bytes / 1e6 / (m.ms / 1000)) * 10) / 10;
    const result = {
      rows: ROWS,
      resultMb: Math.round(direct.bytes / 1e5) / 10,
      rounds: ROUNDS,
      psqlCopyMs: Math.round(psqlRun.ms),
      cliDirectMs: Math.round(direct.ms),
      cliTunnelMs: Math.round(tunnel.ms),
      cliVsPsqlRatio: Math.round((direct.ms / psqlRun.ms) * 100) / 100,
      tunnelVsDirectThroughput: Math.round((direct.ms / tunnel.ms) * 100) / 100,
      psqlMBps: mbps(psqlRun),
      cliDirectMBps: mbps(direct),
      cliTunnelMBps: mbps(tunnel),
      cliPeakRssMb: direct.peakRssMb,
      cliTunnelPeakRssMb: tunnel.peakRssMb,
      cliPeakRssMbAtTenthRows: small.peakRssMb,
      psqlPeakRssMb: psqlRun.peakRssMb,
      targets: { cliVsPsqlRatio: '<= 1.5', tunnelVsDirectThroughput: '>= 0.5', cliPeakRssMb: '< 200, flat over 10x rows' },
    };
    console.log(JSON.stringify(result));
  } finally {
    await sshd.dispose().catch(() => undefined);
    await cluster.destroy().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

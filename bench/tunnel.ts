// SSH tunnel throughput (issue #21): the same bulk transfer fetched three ways in alternating
// rounds — straight to PostgreSQL, through an OpenSSH `ssh -N -L` forward (system ssh, key
// auth, StrictHostKeyChecking against a known_hosts file written here), and through the app's
// tunnel (TunnelManager.localEndpoint with a profile's SSH settings: the path every query and
// spawned tool of an SSH profile takes). The client is the same for all three (psql \copy of
// 1M rows of (g, md5) to /dev/null, and pg_dump -Fc of a ~1M-row table), so only the transport
// differs. Target: app tunnel ≥ 0.9× the OpenSSH forward's throughput. Its own throwaway
// cluster and sshd, loopback only; prints one JSON line last.
// Run: npx tsx bench/tunnel.ts [--rows 1000000] [--rounds 5] [--engine auto|ssh2]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { SshSettings } from '../src-main/contract/models';
import type { SecretStore } from '../src-main/core/platform/secrets/secret-store';
import { TunnelManager } from '../src-main/core/platform/ssh/tunnel-manager';
import { freePort, makeTempDir, sshKeygen, TestSshd, waitFor } from '../tests/helpers/sshd';
import { arg, loadAverage, median, round2, run, startBenchCluster } from './bench-cluster';

const ROWS = arg('rows', 1_000_000);
const ROUNDS = arg('rounds', 5);
const engineAt = process.argv.indexOf('--engine');
const ENGINE = engineAt >= 0 ? (process.argv[engineAt + 1] as 'auto' | 'ssh2') : 'auto';
const QUERY = `SELECT g, md5(g::text) AS md5 FROM generate_series(1, ${ROWS}) g`;

type Way = 'direct' | 'openssh' | 'app';
const WAYS: Way[] = ['direct', 'openssh', 'app'];

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** OpenSSH's own forward: ssh -N -L, key auth, the host key checked against our known_hosts file. */
async function startOpensshForward(o: {
  sshdPort: number;
  keyPath: string;
  knownHosts: string;
  dbPort: number;
}): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    '/usr/bin/ssh',
    [
      '-N',
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${o.knownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'ExitOnForwardFailure=yes',
      '-i',
      o.keyPath,
      '-p',
      String(o.sshdPort),
      '-L',
      `127.0.0.1:${port}:127.0.0.1:${o.dbPort}`,
      'root@127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor('the ssh -L forward', () => {
    if (child.exitCode !== null) throw new Error(`ssh -L exited: ${stderr}`);
    return portOpen(port);
  });
  return { port, child };
}

async function main(): Promise<void> {
  const bc = await startBenchCluster('tunnel');
  const keyDir = makeTempDir('ops-bench-tunnel-keys-');
  const key = sshKeygen(keyDir, 'client_ed25519');
  const sshd = new TestSshd({ authorizedKeys: [key.publicLine] });
  let forward: ChildProcess | null = null;
  let tunnels: TunnelManager | null = null;
  try {
    const bin = (name: string) => path.join(bc.binaries.binDir, name);
    await sshd.start();
    const [type, blob] = fs.readFileSync(`${sshd.hostKeyPath}.pub`, 'utf8').trim().split(' ') as [string, string];
    const knownHosts = path.join(keyDir, 'known_hosts');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`, { mode: 0o600 });

    const client = new pg.Client({ host: '127.0.0.1', port: bc.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    await client.query(`CREATE TABLE bulk AS SELECT g AS id, md5(g::text) AS md5 FROM generate_series(1, ${ROWS}) g`);
    await client.end();

    const ssh: SshSettings = {
      host: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      auth: 'key',
      keyPath: key.privatePath,
      agentSocket: null,
      hostKey: { type, blob, fingerprint: sshd.hostFingerprint },
      jump: null,
      keepaliveIntervalSec: 15,
    };
    const secrets = { get: () => null } as unknown as SecretStore;
    tunnels = new TunnelManager({ secrets, audit: { record: () => 0 }, actor: 'bench' }, { engine: ENGINE });
    const app = await tunnels.localEndpoint({ id: 'bench', name: 'bench', host: '127.0.0.1', port: bc.port, ssh });
    const engine = tunnels.tunnelOf('bench')?.engine ?? 'unknown';
    const opensshForward = await startOpensshForward({ sshdPort: sshd.port, keyPath: key.privatePath, knownHosts, dbPort: bc.port });
    forward = opensshForward.child;
    const portOf: Record<Way, number> = { direct: bc.port as number, openssh: opensshForward.port, app: app.port };

    const conn = (way: Way) => ['-h', '127.0.0.1', '-p', String(portOf[way]), '-U', 'postgres'];
    const env = { PGSSLMODE: 'disable' };
    const copy = (way: Way) => run(bin('psql'), ['-X', '-q', ...conn(way), '-d', 'postgres', '-o', '/dev/null', '-c', `\\copy (${QUERY}) to stdout csv`], env);
    const dump = (way: Way) => run(bin('pg_dump'), ['-Fc', '-Z', '0', '--no-sync', '-t', 'bulk', '-f', '/dev/null', ...conn(way), 'postgres'], env);

    // One warm-up of each (buffers, the tunnel's first channel), then alternating rounds.
    for (const way of WAYS) await copy(way);
    const times: Record<'copy' | 'dump', Record<Way, number[]>> = {
      copy: { direct: [], openssh: [], app: [] },
      dump: { direct: [], openssh: [], app: [] },
    };
    const loads: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Rotate the order so no way always runs first (or right after another).
      const order = WAYS.map((_, k) => WAYS[(k + i) % WAYS.length]!);
      for (const way of order) times.copy[way].push((await copy(way)).ms);
      for (const way of order) times.dump[way].push((await dump(way)).ms);
      loads.push(loadAverage()[0]!);
      const line = (w: 'copy' | 'dump') => WAYS.map((way) => `${way} ${Math.round(times[w][way][i]!)}`).join(', ');
      console.log(`round ${i + 1} (load ${loads[i]}): copy ms ${line('copy')}; pg_dump ms ${line('dump')}`);
    }
    const med = (w: 'copy' | 'dump', way: Way) => Math.round(median(times[w][way]));
    const figures = (w: 'copy' | 'dump') => ({
      directMs: med(w, 'direct'),
      opensshMs: med(w, 'openssh'),
      appMs: med(w, 'app'),
      // Throughput ratios (time ratios inverted): app vs the OpenSSH forward is the target.
      appVsOpenssh: round2(med(w, 'openssh') / med(w, 'app')),
      appVsDirect: round2(med(w, 'direct') / med(w, 'app')),
      opensshVsDirect: round2(med(w, 'direct') / med(w, 'openssh')),
    });
    console.log(
      JSON.stringify({
        at: new Date().toISOString(),
        rows: ROWS,
        rounds: ROUNDS,
        engine,
        load: { start: loads[0], end: loads[loads.length - 1], median: median(loads) },
        query: figures('copy'),
        pgDump: figures('dump'),
        target: { appVsOpenssh: '>= 0.9' },
      }),
    );
  } finally {
    forward?.kill('SIGTERM');
    await tunnels?.closeAll().catch(() => undefined);
    await sshd.dispose().catch(() => undefined);
    await bc.destroy();
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

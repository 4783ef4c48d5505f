// SSH tunnel throughput (issue #21): the same bulk transfer fetched three ways in alternating
// rounds — straight to PostgreSQL, through an OpenSSH `ssh -N -L` forward (system ssh, key
// auth, StrictHostKeyChecking against a known_hosts file written here), and through the app's
// tunnel (the path every query and spawned tool of an SSH profile takes). Three figures, the
// client the same for every way so only the transport differs:
//  - query: `ops-console query P "SELECT g, md5(g::text) … 1M rows" --format csv` > counted and
//    dropped, P a direct profile, a profile pointing at the ssh -L port, or the SSH profile
//    (the CLI opens its tunnel in its own process, as the app does: that setup is counted);
//  - psql \copy of the same rows, pg_dump -Fc of a 1M-row table and of a 10-row one, through ports: direct, the
//    ssh -L forward, and a TunnelManager.localEndpoint of the SSH profile in this process. A fourth way is the app's tunnel forced onto ssh2 (the in-process client every
// tunnel used before issue #21, and still the one for password auth, passphrase keys and jump
// hosts), so the before and after are measured in the same run. Target: app tunnel ≥ 0.9× the
// OpenSSH forward's throughput. Its own throwaway cluster and sshd, loopback only; prints one
// JSON line last. Run: npx tsx bench/tunnel.ts [--rows 1000000] [--pad 150] [--rounds 5]
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

const BIN = path.resolve(__dirname, '..', 'bin', 'ops-console.cjs');

/** Runs the CLI with its stdout counted and dropped. */
function cliRun(home: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, '--home', home, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) =>
      code === 0 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`ops-console ${args[0]} exited ${code}: ${stderr}`)),
    );
  });
}

const ROWS = arg('rows', 1_000_000);
const ROUNDS = arg('rounds', 5);
// Padding per row (bench/query.ts's shape: ~190 bytes a row, 1M rows ≈ 190 MB) so the bytes
// the tunnel carries, not the server's md5(), decide the time; --pad 0 for bare (g, md5).
const PAD = arg('pad', 150);
const ROW_SQL = `g, md5(g::text) || repeat('x', ${PAD}) AS md5`;
const QUERY = `SELECT ${ROW_SQL} FROM generate_series(1, ${ROWS}) g`;

type Figure = 'cli' | 'copy' | 'dump' | 'dumpSmall';
type Way = 'direct' | 'openssh' | 'app' | 'appSsh2';
const WAYS: Way[] = ['direct', 'openssh', 'app', 'appSsh2'];

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

/** CPU ms (user + system) a process has used so far; 0 when it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks at USER_HZ 100
  } catch {
    return 0;
  }
}

/** The ssh processes this process started (the app's master: setpriv execs into ssh). */
function sshChildPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return stat.includes('(ssh)') && Number(fields[1]) === process.pid;
      } catch {
        return false;
      }
    });
}

async function main(): Promise<void> {
  const bc = await startBenchCluster('tunnel');
  const keyDir = makeTempDir('ops-bench-tunnel-keys-');
  const key = sshKeygen(keyDir, 'client_ed25519');
  const sshd = new TestSshd({ authorizedKeys: [key.publicLine] });
  const home = makeTempDir('ops-bench-tunnel-home-');
  let forward: ChildProcess | null = null;
  let tunnels: TunnelManager | null = null;
  let tunnelsSsh2: TunnelManager | null = null;
  try {
    const bin = (name: string) => path.join(bc.binaries.binDir, name);
    await sshd.start();
    const [type, blob] = fs.readFileSync(`${sshd.hostKeyPath}.pub`, 'utf8').trim().split(' ') as [string, string];
    const knownHosts = path.join(keyDir, 'known_hosts');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`, { mode: 0o600 });

    const client = new pg.Client({ host: '127.0.0.1', port: bc.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    await client.query(`CREATE TABLE bulk AS SELECT ${ROW_SQL} FROM generate_series(1, ${ROWS}) g`);
    // A 10-row table: its dump is pg_dump's fixed cost (a connection and ~70 catalog queries, some
    // with replies of tens of kB), which a DBA pays on every dump of a small table or schema.
    await client.query('CREATE TABLE small AS SELECT g FROM generate_series(1, 10) g');
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
    const deps = { secrets, audit: { record: () => 0 }, actor: 'bench' };
    tunnels = new TunnelManager(deps);
    tunnelsSsh2 = new TunnelManager(deps, { engine: 'ssh2' });
    const profile = { id: 'bench', name: 'bench', host: '127.0.0.1', port: bc.port, ssh };
    const app = await tunnels.localEndpoint(profile);
    const appSsh2 = await tunnelsSsh2.localEndpoint(profile);
    const engines = { app: tunnels.tunnelOf('bench')?.engine, appSsh2: tunnelsSsh2.tunnelOf('bench')?.engine };
    const opensshForward = await startOpensshForward({ sshdPort: sshd.port, keyPath: key.privatePath, knownHosts, dbPort: bc.port });
    forward = opensshForward.child;
    const portOf: Record<Way, number> = { direct: bc.port as number, openssh: opensshForward.port, app: app.port, appSsh2: appSsh2.port };

    const conn = (way: Way) => ['-h', '127.0.0.1', '-p', String(portOf[way]), '-U', 'postgres'];
    const env = { PGSSLMODE: 'disable' };
    const copy = (way: Way) => run(bin('psql'), ['-X', '-q', ...conn(way), '-d', 'postgres', '-o', '/dev/null', '-c', `\\copy (${QUERY}) to stdout csv`], env);
    const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    await cliRun(home, ['profile', 'add', 'direct', '--url', url(bc.port), '--env', 'development']);
    await cliRun(home, ['profile', 'add', 'forward', '--url', url(opensshForward.port), '--env', 'development']);
    const knownHostLine = fs.readFileSync(knownHosts, 'utf8').trim();
    await cliRun(
      home,
      ['profile', 'add', 'tunnelled', '--url', url(bc.port), '--env', 'development', '--ssh', `root@127.0.0.1:${sshd.port}`].concat([
        '--ssh-key',
        key.privatePath,
        '--ssh-known-host',
        knownHostLine,
      ]),
    );
    const profileOf: Record<Way, string> = { direct: 'direct', openssh: 'forward', app: 'tunnelled', appSsh2: 'tunnelled' };
    const cliQuery = async (way: Way) => {
      const r = await cliRun(home, ['query', profileOf[way], QUERY, '--format', 'csv'], way === 'appSsh2' ? { OPS_CONSOLE_SSH_ENGINE: 'ssh2' } : {});
      if (r.bytes < ROWS * 30) throw new Error(`ops-console query through ${way} wrote only ${r.bytes} bytes`);
      return r;
    };
    const dump = (way: Way, table = 'bulk') =>
      run(bin('pg_dump'), ['-Fc', '-Z', '0', '--no-sync', '-t', table, '-f', '/dev/null', ...conn(way), 'postgres'], env);

    // One warm-up of each (buffers, the tunnel's first channel), then alternating rounds.
    for (const way of WAYS) await copy(way);
    for (const way of WAYS) await cliQuery(way);
    // The price of a new connection (the system ssh spawns one mux client per connection):
    // connect + SELECT 1 + end, sequentially, median over 20 per way.
    const connectMs: Partial<Record<Way, number>> = {};
    for (const way of WAYS) {
      const each: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const c = new pg.Client({ host: '127.0.0.1', port: portOf[way], user: 'postgres', database: 'postgres', ssl: false });
        await c.connect();
        await c.query('SELECT 1');
        await c.end();
        each.push(performance.now() - started);
      }
      connectMs[way] = round2(median(each));
    }
    console.log(`connect + SELECT 1 + end, median of 20 (ms): ${JSON.stringify(connectMs)}`);
    const times: Record<Figure, Record<Way, number[]>> = {
      cli: { direct: [], openssh: [], app: [], appSsh2: [] },
      copy: { direct: [], openssh: [], app: [], appSsh2: [] },
      dump: { direct: [], openssh: [], app: [], appSsh2: [] },
      dumpSmall: { direct: [], openssh: [], app: [], appSsh2: [] },
    };
    // Client-side transport CPU per transfer (less load-sensitive than wall time on a shared
    // machine): the ssh -L process for 'openssh'; the app's ssh master plus this process (its
    // tunnel code) for 'app'; this process (ssh2 in JS) for 'appSsh2'. sshd's share is the same for all.
    const appMaster = sshChildPids().find((pid) => pid !== forward?.pid);
    const transportCpu = async <T>(way: Way, work: () => Promise<T>): Promise<{ value: T; cpuMs: number }> => {
      const pids = way === 'openssh' ? [forward!.pid!] : way === 'app' && appMaster ? [appMaster] : [];
      const before = pids.map(cpuMsOf);
      const self = process.cpuUsage();
      const value = await work();
      const selfMs = way === 'app' || way === 'appSsh2' ? (process.cpuUsage(self).user + process.cpuUsage(self).system) / 1000 : 0;
      return { value, cpuMs: Math.round(pids.reduce((sum, pid, k) => sum + cpuMsOf(pid) - before[k]!, 0) + selfMs) };
    };
    const cpu: Record<'copy' | 'dump', Record<Way, number[]>> = {
      copy: { direct: [], openssh: [], app: [], appSsh2: [] },
      dump: { direct: [], openssh: [], app: [], appSsh2: [] },
    };
    const loads: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Rotate the order so no way always runs first (or right after another).
      const order = WAYS.map((_, k) => WAYS[(k + i) % WAYS.length]!);
      for (const way of order) times.cli[way].push((await cliQuery(way)).ms);
      for (const way of order) {
        const r = await transportCpu(way, () => copy(way));
        times.copy[way].push(r.value.ms);
        cpu.copy[way].push(r.cpuMs);
      }
      for (const way of order) {
        const r = await transportCpu(way, () => dump(way));
        times.dump[way].push(r.value.ms);
        cpu.dump[way].push(r.cpuMs);
      }
      for (const way of order) times.dumpSmall[way].push((await dump(way, 'small')).ms);
      loads.push(loadAverage()[0]!);
      const line = (w: Figure) => WAYS.map((way) => `${way} ${Math.round(times[w][way][i]!)}`).join(', ');
      console.log(
        `round ${i + 1} (load ${loads[i]}): ops-console query ms ${line('cli')}; psql copy ms ${line('copy')}; pg_dump ms ${line('dump')}; pg_dump small ms ${line('dumpSmall')}`,
      );
    }
    const med = (w: Figure, way: Way) => Math.round(median(times[w][way]));
    const figures = (w: Figure) => ({
      directMs: med(w, 'direct'),
      opensshMs: med(w, 'openssh'),
      appMs: med(w, 'app'),
      appSsh2Ms: med(w, 'appSsh2'),
      // Throughput ratios (time ratios inverted): app vs the OpenSSH forward is the target.
      appVsOpenssh: round2(med(w, 'openssh') / med(w, 'app')),
      // The same round's pair (ways alternate within a round): less swayed by load that drifts between rounds.
      appVsOpensshPaired: round2(median(times[w].openssh.map((ms, k) => ms / times[w].app[k]!))),
      appVsDirect: round2(med(w, 'direct') / med(w, 'app')),
      opensshVsDirect: round2(med(w, 'direct') / med(w, 'openssh')),
      appSsh2VsOpenssh: round2(med(w, 'openssh') / med(w, 'appSsh2')),
    });
    console.log(
      JSON.stringify({
        at: new Date().toISOString(),
        rows: ROWS,
        padBytes: PAD,
        rounds: ROUNDS,
        engines,
        load: { start: loads[0], end: loads[loads.length - 1], median: median(loads) },
        query: figures('cli'),
        psqlCopy: figures('copy'),
        pgDump: figures('dump'),
        pgDumpSmallTable: figures('dumpSmall'),
        connectMs,
        transportCpuMs: {
          psqlCopy: Object.fromEntries(WAYS.map((way) => [way, Math.round(median(cpu.copy[way]))])),
          pgDump: Object.fromEntries(WAYS.map((way) => [way, Math.round(median(cpu.dump[way]))])),
        },
        target: { appVsOpenssh: '>= 0.9' },
      }),
    );
  } finally {
    forward?.kill('SIGTERM');
    await tunnels?.closeAll().catch(() => undefined);
    await tunnelsSsh2?.closeAll().catch(() => undefined);
    await sshd.dispose().catch(() => undefined);
    await bc.destroy();
    fs.rmSync(keyDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

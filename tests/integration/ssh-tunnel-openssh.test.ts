// The tunnel carried by the system's OpenSSH client (issue #21, openssh-link.ts), against a
// real sshd and the run's PostgreSQL: when it is used and when ssh2 stays, that bytes arrive
// intact, that the host key is still the pinned one, that failures still name their cause,
// and that no ssh process outlives the tunnel.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { findSystemSsh } from '../../src-main/core/platform/ssh/openssh-link';
import { SshTunnel, type SshAuth, type SshHop, type TunnelEvent, type TunnelSpec } from '../../src-main/core/platform/ssh/tunnel';
import { encryptedKey, freePort, makeTempDir, sshKeygen, TestAgent, TestSshd, waitFor, type KeyFiles } from '../helpers/sshd';

const db = inject('pg');
const hasSsh = findSystemSsh() !== null;

let dir = '';
let clientKey: KeyFiles;
let sshd: TestSshd;
const servers: TestSshd[] = [];
const tunnels: SshTunnel[] = [];
const pgClients: pg.Client[] = [];

/** The ssh processes `parent` started (the master is exec'd by setpriv, so its name is ssh). */
function sshChildren(parent = process.pid): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === 'ssh' && Number(fields[1]) === parent && fields[0] !== 'Z') found.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** A hop pinned the way profiles pin it: the whole key, its type and the algorithm that makes the server show it. */
function pinnedHop(server: TestSshd, auth: SshAuth = { kind: 'key', privateKeyPath: clientKey.privatePath }, pubPath = `${server.hostKeyPath}.pub`): SshHop {
  const [type, blob] = fs.readFileSync(pubPath, 'utf8').trim().split(' ') as [string, string];
  return { host: '127.0.0.1', port: server.port, user: 'root', auth, hostKey: { fingerprint: server.hostFingerprint, type, blob, algorithms: [type] } };
}

function makeTunnel(spec: Partial<TunnelSpec> & { bastion: SshHop }): { tunnel: SshTunnel; events: TunnelEvent[] } {
  const events: TunnelEvent[] = [];
  const tunnel = new SshTunnel({ target: { host: '127.0.0.1', port: db.port }, ...spec }, { onEvent: (event) => events.push(event) });
  tunnels.push(tunnel);
  return { tunnel, events };
}

async function connectThrough(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: db.user, password: db.password, database: db.database, ssl: false });
  client.on('error', () => {
    // A cut connection: the query's own rejection is what the tests check.
  });
  pgClients.push(client);
  await client.connect();
  return client;
}

async function serverPortThrough(port: number): Promise<number> {
  const client = await connectThrough(port);
  try {
    const result = await client.query<{ port: string }>("SELECT current_setting('port') AS port");
    return Number(result.rows[0]?.port);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = makeTempDir('ops-console-openssh-test-');
  clientKey = sshKeygen(dir, 'client_ed25519');
  sshd = new TestSshd({ authorizedKeys: [clientKey.publicLine] });
  servers.push(sshd);
  await sshd.start();
});

afterEach(async () => {
  for (const client of pgClients.splice(0)) await client.end().catch(() => undefined);
  for (const tunnel of tunnels.splice(0)) await tunnel.close();
  // Each test counts the ssh processes it started: the last test's must be gone first (SIGTERMed
  // ssh processes have taken over 10 s to exit on a loaded CI machine).
  await waitFor("the last test's ssh processes to exit", () => sshChildren().length === 0, 25_000);
});

afterAll(async () => {
  for (const server of servers.splice(0)) await server.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasSsh)('the system ssh carries the tunnel', () => {
  it('carries rows intact through the OpenSSH master, many connections at once, and stops every ssh process on close', async () => {
    const { tunnel } = makeTunnel({ bastion: pinnedHop(sshd) });
    const { localPort } = await tunnel.open();
    expect(tunnel.engine).toBe('openssh');
    expect(sshChildren().length).toBeGreaterThan(0);

    const client = await connectThrough(localPort);
    const rows = await client.query<{ g: number; h: string }>('SELECT g, md5(g::text) AS h FROM generate_series(1, 50000) g');
    expect(rows.rowCount).toBe(50000);
    const crypto = await import('node:crypto');
    const wrong = rows.rows.filter(
      (r, i) =>
        r.g !== i + 1 ||
        r.h !==
          crypto
            .createHash('md5')
            .update(String(i + 1))
            .digest('hex'),
    );
    expect(wrong).toEqual([]);
    await client.end();

    const ports = await Promise.all(Array.from({ length: 8 }, () => serverPortThrough(localPort)));
    expect(ports).toEqual(Array.from({ length: 8 }, () => db.port));

    await tunnel.close();
    // Nine ssh processes were SIGTERMed at once; on a loaded 2-core CI machine their exits took
    // over 10 s once (the suite runs beside other files), so they get 25 s before this fails.
    await waitFor('the ssh processes to exit', () => sshChildren().length === 0, 25_000);
  }, 60_000);

  it('keeps ssh2 when told to, for password-less routes it cannot take, and when ssh refuses what ssh2 accepts', async () => {
    const forced = makeTunnel({ bastion: pinnedHop(sshd), engine: 'ssh2' }).tunnel;
    expect(await serverPortThrough((await forced.open()).localPort)).toBe(db.port);
    expect(forced.engine).toBe('ssh2');

    // A passphrase never goes to ssh: that key stays on ssh2.
    const encrypted = encryptedKey(dir, 'enc_openssh', 'a passphrase 7', 'openssh');
    sshd.setAuthorizedKeys([clientKey.publicLine, encrypted.publicLine]);
    const withPassphrase = makeTunnel({
      bastion: pinnedHop(sshd, { kind: 'key', privateKeyPath: encrypted.privatePath, passphrase: 'a passphrase 7' }),
    }).tunnel;
    expect(await serverPortThrough((await withPassphrase.open()).localPort)).toBe(db.port);
    expect(withPassphrase.engine).toBe('ssh2');

    // ssh refuses a key file others may read; ssh2 does not, so the tunnel still works, on ssh2.
    const loose = sshKeygen(dir, 'loose_ed25519');
    fs.chmodSync(loose.privatePath, 0o644);
    sshd.setAuthorizedKeys([clientKey.publicLine, loose.publicLine]);
    const looseTunnel = makeTunnel({ bastion: pinnedHop(sshd, { kind: 'key', privateKeyPath: loose.privatePath }) }).tunnel;
    expect(await serverPortThrough((await looseTunnel.open()).localPort)).toBe(db.port);
    expect(looseTunnel.engine).toBe('ssh2');
    sshd.setAuthorizedKeys([clientKey.publicLine]);
  });

  it('logs in through ssh-agent', async () => {
    const agent = new TestAgent();
    try {
      await agent.start([clientKey.privatePath]);
      const { tunnel } = makeTunnel({ bastion: pinnedHop(sshd, { kind: 'agent', socket: agent.socket }) });
      expect(await serverPortThrough((await tunnel.open()).localPort)).toBe(db.port);
      expect(tunnel.engine).toBe('openssh');
    } finally {
      await agent.dispose();
    }
  });

  it('refuses a host key other than the pinned one, naming both fingerprints, and leaves no ssh running', async () => {
    const other = sshKeygen(dir, 'other_host_ed25519');
    const hop = pinnedHop(sshd, undefined, `${other.privatePath}.pub`);
    const { tunnel } = makeTunnel({ bastion: { ...hop, hostKey: { ...hop.hostKey!, fingerprint: 'SHA256:placeholder' } } });
    const err = await tunnel.open().then(
      () => null,
      (e: unknown) => e as Error & { cause: string },
    );
    expect(err?.cause).toBe('host-key-mismatch');
    expect(err?.message).toContain(sshd.hostFingerprint);
    await waitFor('no ssh process', () => sshChildren().length === 0);
  });

  it('names an unreachable database and a forbidden forward as ssh2 does', async () => {
    const closed = await freePort();
    const unreachable = makeTunnel({ bastion: pinnedHop(sshd), target: { host: '127.0.0.1', port: closed } }).tunnel;
    const err = await unreachable.open().then(
      () => null,
      (e: unknown) => e as Error & { cause: string },
    );
    expect(unreachable.engine).toBe('openssh');
    expect(err?.cause).toBe('target-unreachable');
    expect(err?.message).toContain(`the database at 127.0.0.1:${closed}`);
    expect(err?.message).toMatch(/refused/i);

    const strict = new TestSshd({ authorizedKeys: [clientKey.publicLine], permitOpen: '127.0.0.1:1' });
    servers.push(strict);
    await strict.start();
    const forbidden = makeTunnel({ bastion: pinnedHop(strict) }).tunnel;
    const refused = await forbidden.open().then(
      () => null,
      (e: unknown) => e as Error & { cause: string },
    );
    expect(refused?.cause).toBe('forward-refused');
    expect(refused?.message).toContain('PermitOpen');
  });

  it('survives sshd being killed: the open connection is cut with a clear error, the next one reconnects on the same port', async () => {
    const server = new TestSshd({ authorizedKeys: [clientKey.publicLine] });
    servers.push(server);
    await server.start();
    const { tunnel, events } = makeTunnel({ bastion: pinnedHop(server), keepaliveIntervalMs: 1000 });
    const { localPort } = await tunnel.open();
    const client = await connectThrough(localPort);
    const inFlight = client.query('SELECT pg_sleep(20)').then(
      () => null,
      (e: unknown) => e as Error,
    );
    await waitFor('the connection to be carried', () => tunnel.activeConnections === 1);
    await server.kill();
    expect(await inFlight).toBeInstanceOf(Error);
    await waitFor('link-lost', () => tunnel.lastError?.cause === 'link-lost');
    expect(tunnel.lastError?.message).toMatch(/SSH connection to the SSH bastion 127\.0\.0\.1:\d+ was lost/);

    await server.start();
    expect(await serverPortThrough(localPort)).toBe(db.port);
    expect(tunnel.localPort).toBe(localPort);
    expect(tunnel.engine).toBe('openssh');
    expect(events.some((e) => e.type === 'opened' && e.reconnect)).toBe(true);
  });

  it('names a killed ssh master as a lost link: its connections and their ssh forwards end, the next connection reconnects on the same port', async () => {
    const { tunnel } = makeTunnel({ bastion: pinnedHop(sshd) });
    const { localPort } = await tunnel.open();
    expect(tunnel.engine).toBe('openssh');
    // The master by its command line: open()'s probe (a mux client) may still be exiting.
    const masters = sshChildren().filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ControlMaster=yes'));
    expect(masters.length).toBe(1);
    const client = await connectThrough(localPort);
    const inFlight = client.query('SELECT pg_sleep(20)').then(
      () => null,
      (e: unknown) => e as Error,
    );
    // Each carried connection has its own short ssh (the mux client handing the socket to the master).
    await waitFor('the connection and its ssh forward', () => tunnel.activeConnections === 1 && sshChildren().length === 2);
    process.kill(masters[0]!, 'SIGKILL');
    expect(await inFlight).toBeInstanceOf(Error);
    await waitFor('the lost link to be named', () => /was lost/.test(tunnel.lastError?.message ?? ''));
    expect(tunnel.lastError?.cause).toBe('link-lost');
    expect(tunnel.lastError?.message).toMatch(
      /^The SSH connection to the SSH bastion 127\.0\.0\.1:\d+ was lost \(.+\)\. 1 open database connection was cut; the next connection reconnects\.$/,
    );
    await waitFor('no ssh process left', () => sshChildren().length === 0);

    expect(await serverPortThrough(localPort)).toBe(db.port);
    expect(tunnel.localPort).toBe(localPort);
    expect(tunnel.engine).toBe('openssh');
    await tunnel.close();
    // As in the first test: SIGTERMed ssh processes have taken over 10 s to exit on a loaded CI machine.
    await waitFor('the new master to end with the tunnel', () => sshChildren().length === 0, 25_000);
  });

  it('detects a silent dead link by keepalive', async () => {
    const server = new TestSshd({ authorizedKeys: [clientKey.publicLine] });
    servers.push(server);
    await server.start();
    const { tunnel } = makeTunnel({ bastion: pinnedHop(server), keepaliveIntervalMs: 1000, keepaliveCountMax: 1 });
    await tunnel.open();
    expect(tunnel.engine).toBe('openssh');
    server.freezeSessions();
    await waitFor('keepalive to notice', () => tunnel.lastError?.cause === 'link-lost', 15_000);
    expect(tunnel.connected).toBe(false);
    expect(tunnel.lastError?.message).toMatch(/keepalive/i);
  });

  it.skipIf(!fs.existsSync('/usr/bin/setpriv'))('stops the ssh master when the app dies without closing the tunnel', async () => {
    // A separate process opens the tunnel and is then killed outright (no close, no exit handlers).
    const script = path.join(dir, 'holder.ts');
    const tunnelModule = path.resolve(__dirname, '../../src-main/core/platform/ssh/tunnel.ts');
    fs.writeFileSync(
      script,
      `import { SshTunnel } from ${JSON.stringify(tunnelModule)};\n` +
        `const tunnel = new SshTunnel(JSON.parse(process.argv[2]));\n` +
        `tunnel.open().then(() => console.log('open ' + tunnel.engine), (e) => console.log('failed ' + e.message));\n` +
        `setInterval(() => undefined, 1000);\n`,
    );
    const spec: TunnelSpec = { bastion: pinnedHop(sshd), target: { host: '127.0.0.1', port: db.port } };
    const holder = spawn(path.resolve(__dirname, '../../node_modules/.bin/tsx'), [script, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await waitFor('the holder to open its tunnel', () => out.includes('\n'), 20_000);
      expect(out.trim()).toBe('open openssh');
      // tsx runs the script in a node child of its own: find the ssh under either.
      const holderPids = [
        holder.pid!,
        ...fs
          .readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n))
          .map(Number),
      ].filter((pid) => pid === holder.pid || sshChildren(pid).length > 0);
      const masters = holderPids.flatMap((pid) => sshChildren(pid));
      expect(masters.length).toBe(1);
      for (const pid of holderPids) process.kill(pid, 'SIGKILL');
      await waitFor('the orphaned ssh master to exit', () =>
        masters.every((pid) => !fs.existsSync(`/proc/${pid}`) || /\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))),
      );
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

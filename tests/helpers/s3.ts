// A real S3-protocol server on loopback for tests and benchmarks: s3rver (a registry package
// speaking S3's REST API with multipart uploads, ranges and ETags) over a temporary folder,
// in its own process (s3-server.mjs). stop() kills that process, cutting every connection
// as a crash would; start() serves the same folder on the same port again, so a test can
// prove a resume. s3rver checks the access key id (InvalidAccessKeyId) but does not verify
// SigV4 signatures, so a wrong secret with the right key id passes here; the
// wrong-credentials tests use an unknown key id. Its router also normalises `..` path
// segments, so such keys cannot be stored in it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ObjectStoreConfig } from '../../src-main/core/platform/objectstore';

export const S3_KEY_ID = 'S3RVER';
export const S3_SECRET = 'S3RVER';
const SERVER = path.join(__dirname, 's3-server.mjs');

export interface LocalS3 {
  port: number;
  endpoint: string;
  dir: string;
  config(overrides?: Partial<ObjectStoreConfig>): ObjectStoreConfig;
  /** Kills the server (open connections are cut); the data stays. */
  stop(): Promise<void>;
  /** Serves the same data on the same port again. */
  start(): Promise<void>;
  /** Stops and deletes the data. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function launch(dir: string, port: number, buckets: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--openssl-legacy-provider', SERVER, dir, String(port), ...buckets], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) resolve(child);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A test process that dies takes its server with it.
    const reap = (): void => void child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.off('exit', reap));
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${err}`)));
  });
}

export async function startLocalS3(buckets: string[] = []): Promise<LocalS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-s3-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(dir, port, buckets);
  const endpoint = `http://127.0.0.1:${port}`;
  const s3: LocalS3 = {
    port,
    endpoint,
    dir,
    config: (overrides = {}) => ({ endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET, forcePathStyle: true, ...overrides }),
    async stop() {
      const current = child;
      child = null;
      if (current === null || current.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        current.once('exit', () => resolve());
        current.kill('SIGKILL');
      });
    },
    async start() {
      if (child === null) child = await launch(dir, port, []);
    },
    async destroy() {
      await s3.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return s3;
}

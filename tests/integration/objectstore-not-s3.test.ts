// Endpoints that are not S3, as a DBA mistypes them for Supabase Storage: the project's URL
// without /storage/v1/s3 (the API gateway's JSON 404 for a route it does not know), the
// dashboard's URL (a web page, 200 to everything), the Storage REST API without /s3 (its JSON
// errors), a gateway failing in front of the store (an HTML 502), and a TLS certificate this
// machine does not trust. The SDK parses a 200 web page into an empty answer; before the
// answer check a snapshot of it published zero objects as a good backup. Each case must be a
// clear STORAGE_FAILED naming the endpoint, and nothing may be published or uploaded.
// Last, a store whose listing cannot be followed to its end (more keys announced without a
// token, or the same token again): refused, never taken for the whole bucket.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import type { Profile } from '../../src-main/contract/models';
import type { StorageSnapshotEntry } from '../../src-main/contract/storage';
import type { Core } from '../../src-main/core/app';
import { ObjectStore, uploadMultipart } from '../../src-main/core/platform/objectstore';
import { callsOn, newTestCore } from '../helpers/core';

type Answer = { status: number; type: string; body: string };

/** What each kind of wrong endpoint answers to any request, keyed by the endpoint's path. */
const WRONG: Record<string, Answer> = {
  // https://<ref>.supabase.co with no path: Kong has no route for /<bucket>.
  '/project': { status: 404, type: 'application/json; charset=utf-8', body: '{"message":"no Route matched with those values"}' },
  // https://supabase.com/dashboard/project/<ref>/storage/buckets: the dashboard's page.
  '/dashboard': {
    status: 200,
    type: 'text/html; charset=utf-8',
    body: '<!DOCTYPE html><html><head><title>Storage | Supabase</title></head><body></body></html>',
  },
  // https://<ref>.supabase.co/storage/v1: the REST API, which wants a JWT, not SigV4.
  '/storage/v1': { status: 400, type: 'application/json; charset=utf-8', body: '{"statusCode":"403","error":"Unauthorized","message":"Invalid Compact JWS"}' },
  // A gateway whose upstream is down.
  '/gateway': { status: 502, type: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>' },
  // Supabase Storage's answer to a request signed for another region than the project's.
  '/wrong-region': {
    status: 403,
    type: 'application/xml',
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your credentials</Message><Resource>designs</Resource></Error>',
  },
  // S3-shaped listings that cannot be followed: truncated without a token, or the same token for ever.
  '/no-token': { status: 200, type: 'application/xml', body: listing('') },
  '/same-token': { status: 200, type: 'application/xml', body: listing('<NextContinuationToken>MTAwMA==</NextContinuationToken>') },
};

function listing(token: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>designs</Name><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>${token}<Contents><Key>rings/ruby.png</Key><ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag><Size>1</Size><LastModified>2026-12-01T00:00:00.000Z</LastModified></Contents></ListBucketResult>`;
}

let server: http.Server;
let base = '';
let requests = 0;
let core: Core;
const api = callsOn(() => core);

function storeAt(prefix: string, endpoint = `${base}${prefix}`): ObjectStore {
  return new ObjectStore({ endpoint, region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', forcePathStyle: true, retryDelayMs: 1 });
}

async function failure(work: () => Promise<unknown>): Promise<OpsError> {
  try {
    await work();
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error('expected a STORAGE_FAILED, got an answer');
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    req.resume();
    const prefix = Object.keys(WRONG).find((p) => req.url?.startsWith(`${p}/`) || req.url === p);
    const answer = WRONG[prefix ?? '/project']!;
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  core = newTestCore('ops-not-s3-').core;
});
afterAll(async () => {
  await core?.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('an endpoint that is not S3', () => {
  it.each(['/project', '/dashboard', '/storage/v1'])(
    '%s: listing buckets, listing, reading and downloading are refused as not an S3 answer',
    async (prefix) => {
      const store = storeAt(prefix);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-not-s3-'));
      try {
        const endpoint = `${base}${prefix}`;
        for (const work of [
          () => store.listBuckets(),
          async () => {
            for await (const o of store.listObjects('designs')) return o;
          },
          () => store.download('designs', 'rings/ruby.png', path.join(dir, 'ruby.png')),
        ]) {
          const err = await failure(work);
          expect(err.code).toBe('STORAGE_FAILED');
          expect(err.detail).toMatchObject({ reason: 'other', endpoint });
          expect(err.message).toContain(endpoint);
          expect(err.message).toMatch(/not an S3 answer/);
          expect(err.message).toContain('/storage/v1/s3');
        }
      } finally {
        store.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('a web page answering 200 to everything: no object read, written or uploaded in parts passes as done', async () => {
    const store = storeAt('/dashboard');
    try {
      for (const work of [
        () => store.head('designs', 'rings/ruby.png'),
        () => store.putBody('offsite', 'manifest.json', '{}'),
        () =>
          uploadMultipart(store, 'offsite', 'dumps/shop.dump', {
            totalBytes: 1024,
            partCount: 1,
            partLength: () => 1024,
            readPart: async () => crypto.randomBytes(1024),
          }),
      ]) {
        const err = await failure(work);
        expect(err.detail).toMatchObject({ reason: 'other' });
        expect(err.message).toMatch(/answered (HeadObject|PutObject|CreateMultipartUpload)\b.* without (an ETag|an upload id): that is not an S3 answer/);
      }
    } finally {
      store.destroy();
    }
  });

  it('a gateway failing in front of the store says so, after the retries', async () => {
    const store = storeAt('/gateway');
    const before = requests;
    try {
      const err = await failure(() => store.listBuckets());
      expect(err.detail).toMatchObject({ reason: 'other', endpoint: `${base}/gateway` });
      expect(err.message).toMatch(/answered HTTP 502 while listing buckets: the server, or a gateway in front of it, failed/);
      expect(requests - before).toBeGreaterThan(1);
    } finally {
      store.destroy();
    }
  });

  it('a snapshot of the dashboard URL is refused and publishes nothing; the connection test says why', async () => {
    const profile = await api.ok<Profile>('createProfile', {
      profile: {
        name: 'shop-storage-typo',
        host: 'db.example.supabase.co',
        database: 'postgres',
        user: 'postgres',
        env: 'staging',
        storage: { endpoint: `${base}/dashboard`, region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE' },
      },
      storageSecret: 'secret',
    });
    const test = await api.fail('testStorageConnection', { profileId: profile.id });
    expect(test).toMatchObject({ code: 'STORAGE_FAILED' });
    expect(test.message).toMatch(/not an S3 answer/);
    const jobId = crypto.randomUUID();
    const done = new Promise<{ ok: boolean; message: string } | null>((resolve) => {
      const off = core.events.subscribe((e) => {
        if (e.type === 'job.done' && e.jobId === jobId) {
          off();
          resolve(e);
        }
      });
      setTimeout(() => resolve(null), 20_000);
    });
    const started = await api.call('startStorageBackup', { profileId: profile.id, jobId, buckets: ['designs'] });
    // Refused at the start (the bucket check lists one key), or the job fails: never a snapshot.
    if (started.ok) expect(await done).toMatchObject({ ok: false, message: expect.stringMatching(/not an S3 answer/) });
    else expect(started.error.message).toMatch(/not an S3 answer/);
    const { snapshots } = await api.ok<{ snapshots: StorageSnapshotEntry[] }>('listStorageSnapshots', { profileId: profile.id });
    expect(snapshots.filter((s) => s.status === 'ok')).toEqual([]);
  });
});

describe('a signature refused', () => {
  it('names the region as well as the secret: a project in another region refuses the same key', async () => {
    const store = storeAt('/wrong-region');
    try {
      const err = await failure(() => store.listBuckets());
      expect(err.detail).toMatchObject({ reason: 'auth', endpoint: `${base}/wrong-region`, s3Code: 'SignatureDoesNotMatch' });
      expect(err.message).toMatch(/refused the request's signature while listing buckets: check the secret, and the region \(us-east-1\)/);
    } finally {
      store.destroy();
    }
  });
});

describe('a listing that cannot be followed to its end', () => {
  it.each([
    ['/no-token', false, /says more keys follow but gives no token/],
    ['/same-token', false, /gave the same continuation token twice/],
    ['/same-token', true, /gave the same continuation token twice/],
  ] as const)('%s (read ahead: %s) is refused after what it listed, not taken for the bucket', async (prefix, readAhead, why) => {
    const store = storeAt(prefix);
    const keys: string[] = [];
    try {
      const err = await failure(async () => {
        for await (const o of store.listObjects('designs', '', undefined, undefined, readAhead)) keys.push(o.key);
      });
      expect(err.detail).toMatchObject({ reason: 'other', endpoint: `${base}${prefix}`, bucket: 'designs' });
      expect(err.message).toMatch(why);
      expect(err.message).toMatch(/a partial listing is never taken for the whole bucket/);
      // The same page was not handed out over and over: at most the two pages before the repeat.
      expect(keys.length).toBeLessThanOrEqual(2);
    } finally {
      store.destroy();
    }
  });
});

describe('a TLS certificate this machine does not trust', () => {
  let tls: https.Server;
  let dir = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-not-s3-tls-'));
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    tls = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => res.end());
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => tls.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is named as a certificate problem, not as an endpoint that did not answer', async () => {
    const endpoint = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    const store = storeAt('', endpoint);
    try {
      const err = await failure(() => store.listBuckets());
      expect(err.detail).toMatchObject({ reason: 'other', endpoint });
      expect(err.message).toMatch(/sent a TLS certificate this machine does not trust while listing buckets: self[- ]signed certificate/);
    } finally {
      store.destroy();
    }
  });
});

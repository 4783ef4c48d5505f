// Endpoints that are not S3, as a DBA mistypes them for Supabase Storage: the project's URL
// without /storage/v1/s3 (the API gateway's JSON 404 for a route it does not know), the
// dashboard's URL (a web page, 200 to everything), the Storage REST API without /s3 (its JSON
// errors), a gateway failing in front of the store (an HTML 502), and a TLS certificate this
// machine does not trust. The SDK parses a 200 web page into an empty answer; before the
// answer check a snapshot of it published zero objects as a good backup. Each case must be a
// clear STORAGE_FAILED naming the endpoint, and nothing may be published or uploaded.
// Then what a HEAD cannot explain (a bare 404/403/400 when opening a bucket is followed by a
// listing that can), uploads whose parts or completion a web page answers, and listings —
// of objects or of unfinished uploads — that cannot be followed to their end (more announced
// without a token or marker, or the same one again): refused, never taken for the whole.
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
import { abortUploads } from '../../src-main/core/offsite/interrupted';
import { ObjectStore, uploadMultipart, type PartSource } from '../../src-main/core/platform/objectstore';
import { callsOn, newTestCore } from '../helpers/core';

type Answer = { status: number; type: string; body: string; headers?: Record<string, string> };
type Request = { method: string; query: URLSearchParams };

const XML = 'application/xml';
const HTML_PAGE: Answer = { status: 200, type: 'text/html', body: '<!DOCTYPE html><html><body>Welcome</body></html>' };
const UPLOAD_STARTED: Answer = {
  status: 200,
  type: XML,
  body: '<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>offsite</Bucket><Key>dumps/shop.dump</Key><UploadId>u-1</UploadId></InitiateMultipartUploadResult>',
};

function uploadsList(marker: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>offsite</Bucket><IsTruncated>true</IsTruncated>${marker}<Upload><Key>dumps/a.dump</Key><UploadId>u-9</UploadId></Upload></ListMultipartUploadsResult>`;
}

/** What each kind of wrong endpoint answers, keyed by the endpoint's path: one answer to everything, or one per request. */
const WRONG: Record<string, Answer | ((r: Request) => Answer)> = {
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
  // A reverse proxy's own 404 page, and an empty 404: a GET or a listing never gets those from S3.
  '/html-404': { status: 404, type: 'text/html', body: '<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>' },
  '/empty-404': { status: 404, type: 'text/plain', body: '' },
  // AWS S3 asked in the wrong region: a bare 400 to a HEAD, a document naming the region to a GET.
  '/aws-region': (r) =>
    r.method === 'HEAD'
      ? { status: 400, type: XML, body: '' }
      : {
          status: 400,
          type: XML,
          body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region \'us-east-1\' is wrong; expecting \'eu-west-2\'</Message><Region>eu-west-2</Region></Error>',
        },
  // S3 for starting a multipart upload, a web page for its parts; or for its completion only.
  '/multipart-parts': (r) => (r.query.has('uploads') ? UPLOAD_STARTED : r.method === 'DELETE' ? { status: 204, type: XML, body: '' } : HTML_PAGE),
  '/multipart-complete': (r) =>
    r.query.has('uploads')
      ? UPLOAD_STARTED
      : r.query.has('partNumber')
        ? { status: 200, type: XML, body: '', headers: { etag: '"5d41402abc4b2a76b9719d911017c592"' } }
        : r.method === 'DELETE'
          ? { status: 204, type: XML, body: '' }
          : HTML_PAGE,
  // Unfinished uploads listed without a marker to go on, or with the same marker again.
  '/uploads-no-marker': { status: 200, type: XML, body: uploadsList('') },
  '/uploads-same-marker': {
    status: 200,
    type: XML,
    body: uploadsList('<NextKeyMarker>dumps/a.dump</NextKeyMarker><NextUploadIdMarker>u-9</NextUploadIdMarker>'),
  },
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    const prefix = Object.keys(WRONG)
      .sort((a, b) => b.length - a.length)
      .find((p) => url.pathname.startsWith(`${p}/`) || url.pathname === p);
    const rule = WRONG[prefix ?? '/project']!;
    const answer = typeof rule === 'function' ? rule({ method: req.method ?? 'GET', query: url.searchParams }) : rule;
    res.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers });
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
  it.each(['/project', '/dashboard', '/storage/v1', '/html-404', '/empty-404'])(
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

describe('answers a HEAD cannot explain', () => {
  it('opening a bucket at a URL that is not the S3 endpoint says so: the bare HEAD refusal is followed by a one-key listing', async () => {
    for (const prefix of ['/project', '/empty-404', '/html-404']) {
      const store = storeAt(prefix);
      try {
        const err = await failure(() => store.checkBucket('designs'));
        expect(err.detail).toMatchObject({ reason: 'other', endpoint: `${base}${prefix}` });
        expect(err.message).toMatch(/not an S3 answer/);
      } finally {
        store.destroy();
      }
    }
  });

  it("opening a bucket in the wrong region names the region, from the listing's answer", async () => {
    const supabase = storeAt('/wrong-region');
    const aws = storeAt('/aws-region');
    try {
      expect((await failure(() => supabase.checkBucket('designs'))).message).toMatch(/check the secret, and the region \(us-east-1\)/);
      const err = await failure(() => aws.checkBucket('designs'));
      expect(err.message).toMatch(/AuthorizationHeaderMalformed: .*expecting 'eu-west-2'/);
      expect(err.message).not.toMatch(/not an S3 answer/);
      // A HEAD of an object has no listing to ask: its bare 400 is reported as it is, not called "not S3".
      const head = await failure(() => aws.head('designs', 'rings/ruby.png'));
      expect(head.detail).toMatchObject({ reason: 'other', status: 400 });
      expect(head.message).not.toMatch(/not an S3 answer/);
    } finally {
      supabase.destroy();
      aws.destroy();
    }
  });
});

describe('uploads half answered by S3', () => {
  const oneKilobyte: PartSource = { totalBytes: 1024, partCount: 1, partLength: () => 1024, readPart: async () => crypto.randomBytes(1024) };

  it.each([
    ['/multipart-parts', /answered UploadPart of dumps\/shop\.dump in bucket offsite without an ETag/],
    ['/multipart-complete', /answered CompleteMultipartUpload of dumps\/shop\.dump in bucket offsite without an ETag/],
  ] as const)('%s: refused, never returned as an uploaded object', async (prefix, why) => {
    const store = storeAt(prefix);
    try {
      const err = await failure(() => uploadMultipart(store, 'offsite', 'dumps/shop.dump', oneKilobyte));
      expect(err.detail).toMatchObject({ reason: 'other', bucket: 'offsite', key: 'dumps/shop.dump' });
      expect(err.message).toMatch(why);
    } finally {
      store.destroy();
    }
  });

  it.each([
    ['/uploads-no-marker', /says more uploads follow but gives no marker/],
    ['/uploads-same-marker', /gave the same marker twice/],
  ] as const)('%s: the sweep of unfinished uploads stops with an error instead of stopping short or listing for ever', async (prefix, why) => {
    const store = storeAt(prefix);
    try {
      const err = await failure(() => abortUploads(store, 'offsite', 'dumps/', new AbortController().signal));
      expect(err.detail).toMatchObject({ reason: 'other', bucket: 'offsite' });
      expect(err.message).toMatch(why);
      expect(err.message).toMatch(/The list of unfinished uploads of bucket offsite at .* cannot be read to its end/);
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

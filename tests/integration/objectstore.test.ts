// The object-store client against a real S3-protocol server on loopback (tests/helpers/s3.ts):
// listings, downloads with their sha256, resumes after the server went away mid-transfer,
// and the errors a user reads for a refused key, a missing bucket and a dead endpoint.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { ObjectStore, filePartSource, fileResumeLog, uploadMultipart, MIN_PART_BYTES } from '../../src-main/core/platform/objectstore';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let store: ObjectStore;
let dir: string;

beforeAll(async () => {
  s3 = await startLocalS3(['designs', 'offsite']);
  store = new ObjectStore(s3.config());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-objstore-'));
});
afterAll(async () => {
  store.destroy();
  await s3.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sha(buffer: Buffer): string {
  return crypto.createHash('sha256').update(buffer).digest('hex');
}

async function storageFailure(promise: Promise<unknown>): Promise<OpsError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpsError);
  expect((err as OpsError).code).toBe('STORAGE_FAILED');
  return err as OpsError;
}

describe('ObjectStore', () => {
  it('lists buckets and objects and downloads a key with unicode, spaces and dots with its sha256', async () => {
    // A `..` path segment cannot be stored in s3rver (its router normalises the URL), so the
    // key has dots inside segments; keys never become local paths (see storage snapshots).
    const key = 'ring designs/ü 💍/..x../x.png';
    await store.putBody('designs', key, 'hello ring', { contentType: 'image/png' });
    expect((await store.listBuckets()).map((b) => b.name).sort()).toEqual(['designs', 'offsite']);
    const listed = [];
    for await (const o of store.listObjects('designs')) listed.push(o);
    expect(listed).toEqual([expect.objectContaining({ key, size: 10 })]);
    const file = path.join(dir, 'one');
    const got = await store.download('designs', key, file, { expectEtag: listed[0]!.etag });
    expect(got).toMatchObject({ bytes: 10, contentType: 'image/png', etag: listed[0]!.etag, sha256: sha(Buffer.from('hello ring')) });
    expect(fs.readFileSync(file, 'utf8')).toBe('hello ring');
  });

  it('pages through more than one listing page', async () => {
    // Pages of 10 over 25 objects: three requests, each continuing from the last one's token
    // (a thousand objects to cross S3's default page cost seconds of PUTs and prove the same loop).
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.putBody('designs', `many/${String(i).padStart(4, '0')}`, `o${i}`)));
    let requests = 0;
    const { client } = await store.s3();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsV2Command') requests++;
        return next(args);
      },
      { step: 'initialize', name: 'countListRequests' },
    );
    const keys: string[] = [];
    const all = Array.from({ length: 25 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    // Requests asked for by the time each page's first object is handed out.
    const atFirstOfPage: number[] = [];
    try {
      for await (const o of store.listObjects('designs', 'many/', undefined, 10)) keys.push(o.key);
      expect(keys).toEqual(all);
      expect(requests).toBe(3);

      // Read ahead (a snapshot's listing): the next page is asked for before this page's objects are handed out.
      requests = 0;
      keys.length = 0;
      for await (const o of store.listObjects('designs', 'many/', undefined, 10, true)) {
        if (keys.length % 10 === 0) atFirstOfPage.push(requests);
        keys.push(o.key);
      }
      expect(keys).toEqual(all);
      expect(atFirstOfPage).toEqual([2, 3, 3]);
      expect(requests).toBe(3);

      // A caller that stops early: the page asked for ahead is dropped, nothing is left failing unhandled.
      requests = 0;
      for await (const o of store.listObjects('designs', 'many/', undefined, 10, true)) {
        expect(o.key).toBe(all[0]);
        break;
      }
      expect(requests).toBe(2);
      for await (const o of store.listObjects('designs', 'many/', undefined, 10)) {
        expect(o.key).toBe(all[0]);
        break;
      }
      expect(requests).toBe(3);
    } finally {
      client.middlewareStack.remove('countListRequests');
    }
  });

  it('read ahead: the next page is asked for from the raw answer, before the SDK has parsed the page (its token read the same as parsed)', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.putBody('designs', `ahead/${String(i).padStart(4, '0')}`, `a${i}`)));
    const tokens: Array<string | undefined> = [];
    const { client } = await store.s3();
    // Outermost in the deserialize step: runs once the SDK has parsed a page. For the first
    // page it waits (up to 2 s) for a second request and notes how many were made by then.
    let madeBeforeFirstParsed = -1;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'ListObjectsV2Command') return next(args);
        const input = (args as { input: { ContinuationToken?: string } }).input;
        const first = input.ContinuationToken === undefined;
        tokens.push(input.ContinuationToken);
        const out = await next(args);
        if (first) {
          for (let waited = 0; tokens.length < 2 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
          madeBeforeFirstParsed = tokens.length;
        }
        return out;
      },
      { step: 'deserialize', priority: 'high', name: 'watchListPages' },
    );
    try {
      const keys: string[] = [];
      for await (const o of store.listObjects('designs', 'ahead/', undefined, 10, true)) keys.push(o.key);
      expect(keys).toEqual(Array.from({ length: 25 }, (_, i) => `ahead/${String(i).padStart(4, '0')}`));
      expect(madeBeforeFirstParsed).toBe(2);
      // Three pages, each asked for once: the early requests carried the tokens the parsed pages confirmed.
      expect(tokens).toHaveLength(3);
      expect(new Set(tokens).size).toBe(3);
    } finally {
      client.middlewareStack.remove('watchListPages');
    }
  });

  it('refuses an object that changed since it was listed', async () => {
    await store.putBody('designs', 'changing.txt', 'v1');
    const before = await store.head('designs', 'changing.txt');
    await store.putBody('designs', 'changing.txt', 'version two');
    const err = await storageFailure(store.download('designs', 'changing.txt', path.join(dir, 'changing'), { expectEtag: before!.etag }));
    expect(err.detail).toMatchObject({ reason: 'changed', bucket: 'designs', key: 'changing.txt' });
  });

  it('resumes a download from the byte it reached when the server goes away and comes back', async () => {
    const body = crypto.randomBytes(24 * 1024 * 1024);
    await uploadMultipart(store, 'designs', 'big.bin', bufferSource(body));
    let stopped = false;
    let seen = 0;
    const file = path.join(dir, 'big');
    const got = await store.download('designs', 'big.bin', file, {
      onBytes: (delta) => {
        seen += delta;
        if (!stopped && seen > 4 * 1024 * 1024) {
          stopped = true;
          void s3.stop().then(() => setTimeout(() => void s3.start(), 300));
        }
      },
    });
    expect(stopped).toBe(true);
    expect(got.bytes).toBe(body.length);
    expect(got.sha256).toBe(sha(body));
    expect(seen).toBe(body.length);
  });

  it('continues a multipart upload under the same upload id after the server was down, sending only the missing parts', async () => {
    const body = crypto.randomBytes(4 * MIN_PART_BYTES + 123);
    const file = path.join(dir, 'dump.bin');
    fs.writeFileSync(file, body);
    const resume = fileResumeLog(path.join(dir, 'dump.resume.json'));
    let sent = 0;
    // Gives up after the same attempts, without sleeping through the production back-off.
    const impatient = new ObjectStore(s3.config({ retryDelayMs: 5 }));
    const first = uploadMultipart(impatient, 'offsite', 'dumps/dump.bin', filePartSource(file, MIN_PART_BYTES), {
      resume,
      concurrency: 1,
      onBytes: (delta) => {
        sent += delta;
        if (sent >= 2 * MIN_PART_BYTES && sent < 3 * MIN_PART_BYTES) void s3.stop();
      },
    });
    const err = await storageFailure(first);
    impatient.destroy();
    expect(err.detail).toMatchObject({ reason: 'unreachable', endpoint: s3.endpoint });
    expect(err.message).toContain(s3.endpoint);
    // Not published: the key does not exist until the upload completes.
    await s3.start();
    expect(await store.head('offsite', 'dumps/dump.bin')).toBeNull();
    const saved = resume.load();
    expect(saved?.parts.length).toBe(2);
    let resent = 0;
    const reported: number[] = [];
    await uploadMultipart(store, 'offsite', 'dumps/dump.bin', filePartSource(file, MIN_PART_BYTES), {
      resume,
      onBytes: (delta) => {
        reported.push(delta);
        resent += delta;
      },
    });
    expect(resent).toBe(body.length);
    // The two saved parts were counted as done, not sent again.
    expect(reported.slice(0, 2)).toEqual([MIN_PART_BYTES, MIN_PART_BYTES]);
    expect(resume.load()).toBeNull();
    const back = await store.download('offsite', 'dumps/dump.bin', path.join(dir, 'dump.back'));
    expect(back.sha256).toBe(sha(body));
  });

  it('names the endpoint when the key is refused, the bucket is missing or nothing answers', async () => {
    const wrong = new ObjectStore(s3.config({ accessKeyId: 'NOT-A-KEY' }));
    const auth = await storageFailure(wrong.listBuckets());
    expect(auth.detail).toMatchObject({ reason: 'auth', endpoint: s3.endpoint, s3Code: 'InvalidAccessKeyId' });
    expect(auth.message).toContain(s3.endpoint);
    expect(auth.message).not.toContain('S3RVER');
    wrong.destroy();

    const missing = await storageFailure(store.checkBucket('no-such-bucket'));
    expect(missing.detail).toMatchObject({ reason: 'no-bucket', bucket: 'no-such-bucket' });
    const listing = await storageFailure(store.listObjects('no-such-bucket').next());
    expect(listing.detail).toMatchObject({ reason: 'no-bucket' });

    const dead = new ObjectStore(s3.config({ endpoint: 'http://127.0.0.1:9' }));
    const down = await storageFailure(dead.listBuckets());
    expect(down.detail).toMatchObject({ reason: 'unreachable', endpoint: 'http://127.0.0.1:9' });
    dead.destroy();
  });
});

function bufferSource(body: Buffer) {
  const part = MIN_PART_BYTES;
  return {
    totalBytes: body.length,
    partCount: Math.ceil(body.length / part),
    partLength: (i: number) => Math.min(part, body.length - i * part),
    readPart: async (i: number) => body.subarray(i * part, (i + 1) * part),
  };
}

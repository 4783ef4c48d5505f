// Storage snapshots against a real S3 server on loopback (s3rver): full and incremental runs
// (unchanged objects hard-linked: same inode), keys that are no path, an object replaced
// between the listing and its download, the server going away mid-download (resumed) and for
// good (failed, nothing published), a refused key, a missing bucket, a full disk, verify
// finding a tampered file, and a previous snapshot's edited file not linked into the next one.
import crypto from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import type { StorageManifest } from '../../src-main/contract/storage';
import { MIN_PART_BYTES, ObjectStore, uploadMultipart, type PartSource } from '../../src-main/core/platform/objectstore';
import { readManifest, takeSnapshot, verifyFiles } from '../../src-main/core/storage';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

let s3: LocalS3;
let store: ObjectStore;
let scratch: string;

const KEYS: Record<string, string> = {
  'logo.png': 'png bytes',
  'dir/ü ñ 😀 space.png': 'unicode and spaces',
  'a.b/.hidden': 'dot names',
  'dir/sub/deep/file.txt': 'deep',
  'copy-of-logo.png': 'png bytes', // same content as logo.png: one object file
};

function sha(body: string | Buffer): string {
  return crypto.createHash('sha256').update(body).digest('hex');
}

function fresh(name: string): string {
  return path.join(scratch, `${name}-${crypto.randomBytes(3).toString('hex')}`);
}

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

async function failure(promise: Promise<unknown>): Promise<OpsError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpsError);
  return err as OpsError;
}

beforeAll(async () => {
  s3 = await startLocalS3(['designs', 'photos', 'big', 'many']);
  store = new ObjectStore(s3.config());
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-storage-snap-'));
  for (const [key, body] of Object.entries(KEYS)) await store.putBody('designs', key, body, { contentType: 'image/png' });
  for (let i = 0; i < 20; i++) await store.putBody('photos', `p/${i}.jpg`, crypto.randomBytes(1000 + i), { contentType: 'image/jpeg' });
});
afterAll(async () => {
  store.destroy();
  await s3.destroy();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('storage snapshots', () => {
  let first: { folder: string; manifest: StorageManifest };

  it('takes every object of the chosen buckets into a content-addressed folder with a manifest, nothing outside it', async () => {
    const folder = fresh('full');
    const events: number[] = [];
    const result = await takeSnapshot({ store, folder, buckets: ['designs', 'photos'], onProgress: (p) => events.push(p.objectsDone) });
    expect(result).toMatchObject({ path: folder, objects: 25, changedObjects: 25, reusedObjects: 0, skipped: [], warnings: [] });
    expect(result.bytes).toBe(Object.values(KEYS).reduce((n, b) => n + b.length, 0) + Array.from({ length: 20 }, (_, i) => 1000 + i).reduce((a, b) => a + b));
    expect(events.at(-1)).toBe(25);
    expect(fs.existsSync(`${folder}.partial`)).toBe(false);

    const manifest = readManifest(folder);
    expect(sha(fs.readFileSync(result.manifestPath))).toBe(result.manifestSha256);
    for (const [key, body] of Object.entries(KEYS)) {
      const o = manifest.objects.find((x) => x.bucket === 'designs' && x.key === key)!;
      expect(o).toMatchObject({ size: body.length, sha256: sha(body), file: `objects/${sha(body)}`, contentType: 'image/png' });
      expect(fs.readFileSync(path.join(folder, o.file), 'utf8')).toBe(body);
    }
    // Only the manifest and hash-named files: no key became a path.
    const files = filesUnder(folder);
    expect(files.filter((f) => f !== 'manifest.json').every((f) => /^objects\/[0-9a-f]{64}$/.test(f))).toBe(true);
    expect(files.length).toBe(1 + 24); // two keys share one file
    expect((await verifyFiles(folder, manifest)).ok).toBe(true);
    first = { folder, manifest };
  });

  it('incremental: after one object changed only it is downloaded, the rest are hard links to the previous files', async () => {
    await store.putBody('photos', 'p/3.jpg', 'a new photo');
    const folder = fresh('incr');
    const result = await takeSnapshot({ store, folder, buckets: ['designs', 'photos'], previous: first });
    expect(result).toMatchObject({ objects: 25, changedObjects: 1, reusedObjects: 24 });
    const manifest = readManifest(folder);
    for (const o of manifest.objects) {
      const inode = fs.statSync(path.join(folder, o.file)).ino;
      if (o.key === 'p/3.jpg') {
        expect(o.reused).toBeUndefined();
        expect(o.sha256).toBe(sha('a new photo'));
      } else {
        expect(o.reused).toBe(true);
        expect(inode).toBe(fs.statSync(path.join(first.folder, o.file)).ino);
      }
    }
    expect((await verifyFiles(folder, manifest)).ok).toBe(true);
    // Only this snapshot's files: the changed photo's previous file is not in it.
    const oldPhoto = first.manifest.objects.find((o) => o.key === 'p/3.jpg')!.file;
    expect(fs.existsSync(path.join(folder, oldPhoto))).toBe(false);
    expect(filesUnder(folder)).toEqual(['manifest.json', ...new Set(manifest.objects.map((o) => o.file))].sort());

    // One of the previous snapshot's two buckets: none of the other bucket's files is linked into this one.
    const designsOnly = await takeSnapshot({ store, folder: fresh('incr-designs'), buckets: ['designs'], previous: first });
    expect(designsOnly).toMatchObject({ objects: 5, changedObjects: 0, reusedObjects: 5 });
    expect(filesUnder(designsOnly.path)).toEqual(['manifest.json', ...new Set(readManifest(designsOnly.path).objects.map((o) => o.file))].sort());
    expect(filesUnder(designsOnly.path).length).toBe(1 + 4);
  });

  it('a previous snapshot in the older fan-out layout (objects/ab/<sha>) still verifies and is linked from into the flat one', async () => {
    // The first snapshot as a snapshot taken before the flat layout: same bytes, files under objects/ab/.
    const legacy = fresh('legacy');
    const manifest: StorageManifest = {
      ...first.manifest,
      objects: first.manifest.objects.map((o) => ({ ...o, file: `objects/${o.sha256.slice(0, 2)}/${o.sha256}` })),
    };
    for (const o of manifest.objects) {
      fs.mkdirSync(path.dirname(path.join(legacy, o.file)), { recursive: true });
      if (!fs.existsSync(path.join(legacy, o.file))) fs.linkSync(path.join(first.folder, `objects/${o.sha256}`), path.join(legacy, o.file));
    }
    fs.writeFileSync(path.join(legacy, 'manifest.json'), JSON.stringify(manifest));
    expect((await verifyFiles(legacy, manifest)).ok).toBe(true);

    const result = await takeSnapshot({ store, folder: fresh('from-legacy'), buckets: ['designs', 'photos'], previous: { folder: legacy, manifest } });
    expect(result).toMatchObject({ objects: 25, changedObjects: 1, reusedObjects: 24 }); // p/3.jpg changed in the test above
    const next = readManifest(result.path);
    for (const o of next.objects) {
      expect(o.file).toBe(`objects/${o.sha256}`);
      if (o.reused)
        expect(fs.statSync(path.join(result.path, o.file)).ino).toBe(fs.statSync(path.join(legacy, `objects/${o.sha256.slice(0, 2)}/${o.sha256}`)).ino);
    }
    expect((await verifyFiles(result.path, next)).ok).toBe(true);
  });

  it("a previous manifest entry whose file is another object's is not linked from: the object is downloaded, no other key gets its bytes", async () => {
    // logo.png and copy-of-logo.png share 'png bytes'; the edited entry points logo.png at
    // a.b/.hidden's file ('dot names', the same 9 bytes).
    const other = first.manifest.objects.find((o) => o.key === 'a.b/.hidden')!;
    const manifest: StorageManifest = {
      ...first.manifest,
      objects: first.manifest.objects.map((o) =>
        o.key === 'logo.png' ? { ...o, file: other.file } : o.key === 'dir/sub/deep/file.txt' ? { ...o, sha256: o.sha256.toUpperCase() } : o,
      ),
    };
    const result = await takeSnapshot({ store, folder: fresh('bad-entry'), buckets: ['designs'], previous: { folder: first.folder, manifest } });
    const next = readManifest(result.path);
    expect(next.objects.find((o) => o.key === 'logo.png')!.reused).toBeUndefined();
    // An entry whose sha256 is not one (upper-cased here) is downloaded too, not a failed run.
    expect(next.objects.find((o) => o.key === 'dir/sub/deep/file.txt')).toMatchObject({ sha256: sha('deep'), file: `objects/${sha('deep')}` });
    expect(next.objects.find((o) => o.key === 'dir/sub/deep/file.txt')!.reused).toBeUndefined();
    for (const key of ['logo.png', 'copy-of-logo.png']) {
      const o = next.objects.find((x) => x.key === key)!;
      expect(fs.readFileSync(path.join(result.path, o.file), 'utf8')).toBe('png bytes');
    }
    expect((await verifyFiles(result.path, next)).ok).toBe(true);
  });

  it('links made in batches across event-loop turns: 250 objects, changed ones and a lost previous file on the last page are downloaded, every other one linked', async () => {
    const keys = Array.from({ length: 250 }, (_, i) => `m/${String(i).padStart(3, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 10) await Promise.all(keys.slice(i, i + 10).map((k) => store.putBody('many', k, `v1 ${k}`)));
    const prevFolder = fresh('many-full');
    await takeSnapshot({ store, folder: prevFolder, buckets: ['many'], listPageSize: 100 });
    const previous = { folder: prevFolder, manifest: readManifest(prevFolder) };
    await store.putBody('many', keys[5]!, 'v2 early');
    await store.putBody('many', keys[240]!, 'v2 on the last page');
    // The previous file of an unchanged object on the last page is gone: downloaded, not linked.
    fs.rmSync(path.join(prevFolder, previous.manifest.objects.find((o) => o.key === keys[245])!.file));
    // Deleted since the previous snapshot: not in the new one, nor are their files.
    for (const k of [keys[10]!, keys[230]!]) await store.remove('many', k);
    const gone = previous.manifest.objects
      .filter((o) => o.key === keys[10] || o.key === keys[230] || o.key === keys[5] || o.key === keys[240])
      .map((o) => o.file);
    const folder = fresh('many-incr');
    const result = await takeSnapshot({ store, folder, buckets: ['many'], previous, listPageSize: 100 });
    expect(result).toMatchObject({ objects: 248, changedObjects: 3, reusedObjects: 245 });
    const manifest = readManifest(folder);
    expect(manifest.objects.map((o) => o.key)).toEqual(keys.filter((k) => k !== keys[10] && k !== keys[230]));
    expect(manifest.objects.filter((o) => !o.reused).map((o) => o.key)).toEqual([keys[5], keys[240], keys[245]]);
    expect(filesUnder(folder)).toEqual(['manifest.json', ...manifest.objects.map((o) => o.file)].sort());
    for (const file of gone) expect(fs.existsSync(path.join(folder, file))).toBe(false);
    expect((await verifyFiles(folder, manifest)).ok).toBe(true);
  });

  it('a previous file edited in place after its snapshot was published, or truncated, is not linked: its objects are downloaded again', async () => {
    const prevFolder = fresh('prev-edited');
    await takeSnapshot({ store, folder: prevFolder, buckets: ['designs'] });
    const prev = readManifest(prevFolder);
    const logo = prev.objects.find((o) => o.key === 'logo.png')!; // shared with copy-of-logo.png
    const deep = prev.objects.find((o) => o.key === 'dir/sub/deep/file.txt')!;
    // Same size, written two seconds after the snapshot finished.
    fs.writeFileSync(path.join(prevFolder, logo.file), 'png bytez');
    const later = new Date(Date.parse(prev.finishedAt) + 2000);
    fs.utimesSync(path.join(prevFolder, logo.file), later, later);
    // Shorter, with its old mtime put back: only the size gives it away.
    const deepFile = path.join(prevFolder, deep.file);
    const { mtime } = fs.statSync(deepFile);
    fs.writeFileSync(deepFile, 'dee');
    fs.utimesSync(deepFile, mtime, mtime);

    const folder = fresh('after-edited');
    const result = await takeSnapshot({ store, folder, buckets: ['designs'], previous: { folder: prevFolder, manifest: prev } });
    expect(result).toMatchObject({ objects: 5, changedObjects: 3, reusedObjects: 2 });
    const manifest = readManifest(folder);
    for (const key of ['logo.png', 'copy-of-logo.png', 'dir/sub/deep/file.txt']) expect(manifest.objects.find((o) => o.key === key)?.reused).toBeUndefined();
    expect(fs.readFileSync(path.join(folder, logo.file), 'utf8')).toBe('png bytes');
    expect(fs.statSync(path.join(folder, logo.file)).ino).not.toBe(fs.statSync(path.join(prevFolder, logo.file)).ino);
    expect(fs.readFileSync(path.join(folder, deep.file), 'utf8')).toBe('deep');
    expect((await verifyFiles(folder, manifest)).ok).toBe(true);
    // The previous snapshot is not mended behind the user's back: its verify still fails.
    expect((await verifyFiles(prevFolder, prev)).problems.map((p) => p.problem).sort()).toEqual(['sha256', 'sha256', 'size']);

    // A previous file removed outside the app: that object is downloaded again, the snapshot does not fail.
    fs.rmSync(path.join(folder, deep.file));
    const next = await takeSnapshot({ store, folder: fresh('after-removed'), buckets: ['designs'], previous: { folder, manifest } });
    expect(next).toMatchObject({ objects: 5, changedObjects: 1, reusedObjects: 4 });
    expect((await verifyFiles(next.path, readManifest(next.path))).ok).toBe(true);
  });

  it('a listing of many pages: objects are taken as their page arrives, progress totals are whole from the first event, the manifest keeps listing order', async () => {
    const events: Array<{ done: number; total: number }> = [];
    const folder = fresh('paged');
    // A full run in pages of 3: the first pages' downloads run while later pages are still being listed.
    const result = await takeSnapshot({
      store,
      folder,
      buckets: ['designs', 'photos'],
      listPageSize: 3,
      concurrency: 2,
      onProgress: (p) => events.push({ done: p.objectsDone, total: p.objectsTotal }),
    });
    expect(result).toMatchObject({ objects: 25, changedObjects: 25, reusedObjects: 0 });
    const manifest = readManifest(folder);
    const listedOrder = [...Object.keys(KEYS).sort(), ...Array.from({ length: 20 }, (_, i) => `p/${i}.jpg`).sort()];
    expect(manifest.objects.map((o) => o.key)).toEqual(listedOrder);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.total === 25)).toBe(true);
    expect(events.at(-1)!.done).toBe(25);
    expect((await verifyFiles(folder, manifest)).ok).toBe(true);

    // The same with a changed object in a late page, downloaded while the listing goes on.
    await store.putBody('photos', 'p/9.jpg', 'changed on a late page');
    const again = await takeSnapshot({
      store,
      folder: fresh('paged-2'),
      buckets: ['designs', 'photos'],
      previous: { folder, manifest },
      listPageSize: 3,
      concurrency: 2,
    });
    expect(again).toMatchObject({ objects: 25, changedObjects: 1, reusedObjects: 24 });
    expect(readManifest(again.path).objects.find((o) => o.key === 'p/9.jpg')?.sha256).toBe(sha('changed on a late page'));
  });

  it('an object replaced between the listing and its download is taken at its new version and noted', async () => {
    await store.putBody('photos', 'p/5.jpg', 'before');
    const folder = fresh('during');
    const result = await takeSnapshot({
      store,
      folder,
      buckets: ['photos'],
      concurrency: 1,
      afterListing: async () => {
        await store.putBody('photos', 'p/5.jpg', 'after the listing');
        await store.remove('photos', 'p/7.jpg');
      },
    });
    expect(result.changedDuring).toEqual([{ bucket: 'photos', key: 'p/5.jpg' }]);
    expect(result.skipped).toEqual([{ bucket: 'photos', key: 'p/7.jpg', reason: 'deleted' }]);
    expect(result.warnings).toEqual(['photos/p/7.jpg was deleted while it was taken; it is not in this snapshot.']);
    const o = readManifest(folder).objects.find((x) => x.key === 'p/5.jpg')!;
    expect(o).toMatchObject({ changedDuring: true, sha256: sha('after the listing'), size: 'after the listing'.length });
    await store.putBody('photos', 'p/7.jpg', crypto.randomBytes(1006));
  });

  it('verify finds a tampered and a missing object file', async () => {
    const folder = fresh('tamper');
    await takeSnapshot({ store, folder, buckets: ['designs'] });
    const manifest = readManifest(folder);
    const logo = manifest.objects.find((o) => o.key === 'logo.png')!;
    fs.writeFileSync(path.join(folder, logo.file), 'png bytez');
    const deep = manifest.objects.find((o) => o.key === 'dir/sub/deep/file.txt')!;
    fs.rmSync(path.join(folder, deep.file));
    const check = await verifyFiles(folder, manifest);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual(
      expect.arrayContaining([
        { bucket: 'designs', key: 'logo.png', file: logo.file, problem: 'sha256' },
        { bucket: 'designs', key: 'copy-of-logo.png', file: logo.file, problem: 'sha256' },
        { bucket: 'designs', key: 'dir/sub/deep/file.txt', file: deep.file, problem: 'missing' },
      ]),
    );
  });

  it('resumes when the server goes away mid-download and comes back', async () => {
    const body = crypto.randomBytes(24 * 1024 * 1024);
    await uploadMultipart(store, 'big', 'video.bin', bufferSource(body));
    let restarted: Promise<void> | null = null;
    const folder = fresh('resume');
    const result = await takeSnapshot({
      store,
      folder,
      buckets: ['big'],
      onProgress: (p) => {
        // Cut the server once the download is under way; it is back 300 ms later.
        if (!restarted && p.objectsDone === 0 && p.bytesDone > 4 * 1024 * 1024)
          restarted = s3.stop().then(() => new Promise<void>((resolve) => setTimeout(() => void s3.start().then(resolve), 300)));
      },
    });
    const stopped = restarted !== null;
    await restarted;
    expect(stopped).toBe(true);
    expect(result.objects).toBe(1);
    expect(readManifest(folder).objects[0]!.sha256).toBe(sha(body));
  });

  it('fails with nothing published when the server is gone for good', async () => {
    const folder = fresh('gone');
    // The same attempts as always, without sleeping through the production back-off.
    const impatient = new ObjectStore(s3.config({ retryDelayMs: 5 }));
    const err = await failure(
      takeSnapshot({
        store: impatient,
        folder,
        buckets: ['big'],
        afterListing: async () => void (await s3.stop()),
      }),
    );
    impatient.destroy();
    await s3.start();
    expect(err.code).toBe('STORAGE_FAILED');
    expect(err.detail).toMatchObject({ reason: 'unreachable', endpoint: s3.endpoint });
    expect(fs.existsSync(folder)).toBe(false);
    expect(fs.existsSync(`${folder}.partial`)).toBe(false);
  });

  it('cancelled: nothing published, the partial removed', async () => {
    const folder = fresh('cancel');
    const abort = new AbortController();
    const err = await failure(takeSnapshot({ store, folder, buckets: ['big'], signal: abort.signal, afterListing: async () => void abort.abort() }));
    expect(err.code).toBe('CANCELLED');
    expect(fs.existsSync(folder)).toBe(false);
    expect(fs.existsSync(`${folder}.partial`)).toBe(false);
  });

  it('an unknown access key id: STORAGE_FAILED auth naming the endpoint; a missing bucket: no-bucket', async () => {
    const wrong = new ObjectStore(s3.config({ accessKeyId: 'NOBODY' }));
    const folder = fresh('auth');
    const auth = await failure(takeSnapshot({ store: wrong, folder, buckets: ['designs'] }));
    wrong.destroy();
    expect(auth.code).toBe('STORAGE_FAILED');
    expect(auth.detail).toMatchObject({ reason: 'auth', endpoint: s3.endpoint });
    const missing = await failure(takeSnapshot({ store, folder, buckets: ['designs', 'no-such-bucket'] }));
    expect(missing.detail).toMatchObject({ reason: 'no-bucket', bucket: 'no-such-bucket' });
    expect(fs.existsSync(folder) || fs.existsSync(`${folder}.partial`)).toBe(false);
  });

  it('a previous snapshot on another file system: its files are copied, not linked; every copy is flushed, and every new name has its folder fsynced after it, before publishing', async () => {
    const other = fresh('other-fs');
    fs.mkdirSync(other);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', other], { stdio: 'pipe' });
    const traces = fresh('strace');
    fs.mkdirSync(traces);
    try {
      const prevResult = await takeSnapshot({ store, folder: path.join(other, 'prev'), buckets: ['designs'] });
      const previous = { folder: prevResult.path, manifest: readManifest(prevResult.path) };
      // opens, fsyncs, closes, renames and new names of every thread of this process (libuv's pool opens and flushes), one file per thread.
      const tids = fs.readdirSync(`/proc/${process.pid}/task`);
      const tracer = spawn(
        'strace',
        [
          '-qq',
          '-f',
          '-ff',
          '-ttt',
          '-e',
          'trace=openat,fsync,close,link,linkat,rename,renameat,renameat2,mkdir,mkdirat',
          '-o',
          path.join(traces, 't'),
          ...tids.flatMap((t) => ['-p', t]),
        ],
        {
          stdio: 'ignore',
        },
      );
      const traced = () => tids.every((t) => /TracerPid:\s+[1-9]/.test(fs.readFileSync(`/proc/${process.pid}/task/${t}/status`, 'utf8')));
      for (let waited = 0; !traced(); waited += 20) {
        if (waited > 5000) throw new Error('strace did not attach');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // A new object downloaded while (and after) the copied files' folders are synced: its folder is synced again.
      await store.putBody('designs', 'late.bin', crypto.randomBytes(3 * 1024 * 1024));
      const folder = fresh('copied');
      let result;
      try {
        result = await takeSnapshot({ store, folder, buckets: ['designs'], previous });
      } finally {
        const exited = new Promise((resolve) => tracer.once('exit', resolve));
        tracer.kill('SIGINT');
        await exited;
      }
      expect(result).toMatchObject({ objects: 6, changedObjects: 1, reusedObjects: 5 });
      const manifest = readManifest(folder);
      for (const o of manifest.objects.filter((m) => m.reused))
        expect(fs.statSync(path.join(folder, o.file)).ino).not.toBe(fs.statSync(path.join(previous.folder, o.file)).ino);
      expect((await verifyFiles(folder, manifest)).ok).toBe(true);
      // In time order across the threads: which path each fd was opened for, and which were fsynced.
      const events = fs
        .readdirSync(traces)
        .flatMap((f) => fs.readFileSync(path.join(traces, f), 'utf8').split('\n'))
        .map((line) =>
          /^(\d+\.\d+) (?:openat\(AT_FDCWD, "([^"]+)", .*\)\s+= (\d+)|(fsync|close)\((\d+)\)\s+= 0|(?:link|mkdir)\w*\(.*"([^"]+)"(?:, \w+)?\)\s+= 0|rename\w*\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"(?:, \w+)?\)\s+= 0)/.exec(
            line,
          ),
        )
        .filter((m): m is RegExpExecArray => m !== null)
        .sort((a, b) => Number(a[1]) - Number(b[1]));
      const open = new Map<string, string>();
      const synced = new Map<string, number>(); // path → its last fsync's time
      const named: Array<[string, number]> = []; // a new name (file, link, rename, folder) and when
      for (const m of events) {
        if (m[2] !== undefined) {
          open.set(m[3]!, m[2]);
          if (m[0].includes('O_CREAT')) named.push([m[2], Number(m[1])]);
        } else if (m[4] === 'close') open.delete(m[5]!);
        else if (m[4] === 'fsync' && open.has(m[5]!)) synced.set(open.get(m[5]!)!, Number(m[1]));
        else if (m[6] !== undefined) named.push([m[6], Number(m[1])]);
        else if (m[8] !== undefined) {
          // A download is renamed into place still open (its handle is the one flushed): the fd now names the new path.
          for (const [fd, p] of open) if (p === m[7]) open.set(fd, m[8]);
          named.push([m[8], Number(m[1])]);
        }
      }
      const partial = `${folder}.partial`;
      const files = [...new Set(manifest.objects.map((o) => path.join(partial, o.file)))];
      expect(files).toHaveLength(5);
      expect(files.filter((f) => !synced.has(f))).toEqual([]);
      expect(synced.has(path.join(partial, 'manifest.json'))).toBe(true);
      // Every name made in the snapshot's folders has its folder fsynced after it.
      const inside = named.filter(([p]) => p.startsWith(`${partial}/objects/`));
      expect(inside.length).toBeGreaterThanOrEqual(files.length);
      expect(inside.filter(([p, at]) => !((synced.get(path.dirname(p)) ?? 0) > at)).map(([p]) => p)).toEqual([]);

      // A previous file edited in place after its snapshot (same size, later mtime) is not
      // copied either: that object is downloaded again and the run publishes (it had failed
      // its check before publishing, and so every later run from that snapshot).
      const edited = previous.manifest.objects.find((o) => o.key === 'dir/sub/deep/file.txt')!;
      const editedPath = path.join(previous.folder, edited.file);
      fs.writeFileSync(editedPath, 'DEEP'); // 'deep': 4 bytes
      const later = new Date(Date.parse(previous.manifest.finishedAt) + 60_000);
      fs.utimesSync(editedPath, later, later);
      const again = await takeSnapshot({ store, folder: fresh('copied-again'), buckets: ['designs'], previous });
      expect(again).toMatchObject({ objects: 6, changedObjects: 2, reusedObjects: 4 }); // late.bin is new too
      expect(fs.readFileSync(path.join(again.path, `objects/${sha('deep')}`), 'utf8')).toBe('deep');
      expect((await verifyFiles(again.path, readManifest(again.path))).ok).toBe(true);
    } finally {
      await store.remove('designs', 'late.bin');
      execFileSync('umount', [other], { stdio: 'pipe' });
    }
  });

  it('a full disk: IO_FAILED "the disk is full", nothing published', async () => {
    const parent = fresh('full');
    fs.mkdirSync(parent);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', parent], { stdio: 'pipe' });
    try {
      const folder = path.join(parent, 'snap');
      const err = await failure(takeSnapshot({ store, folder, buckets: ['big'] }));
      expect(err.code).toBe('IO_FAILED');
      expect(err.message).toMatch(/the disk is full/);
      expect(fs.readdirSync(parent)).toEqual([]);
    } finally {
      execFileSync('umount', [parent], { stdio: 'pipe' });
    }
  });
});

function bufferSource(body: Buffer): PartSource {
  const part = MIN_PART_BYTES;
  return {
    totalBytes: body.length,
    partCount: Math.ceil(body.length / part),
    partLength: (i) => Math.min(part, body.length - i * part),
    readPart: async (i) => body.subarray(i * part, Math.min(body.length, (i + 1) * part)),
  };
}

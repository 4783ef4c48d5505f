// Offsite copies (issue #18): a dump file of M MB (random bytes: nothing compresses) sent to
// an S3-compatible bucket through the app against a bare multipart upload
// (@aws-sdk/lib-storage Upload with the app's part size and parts in flight) in the same
// run, target ≤ 1.1×. "platform" is the app's object-store layer alone (uploadMultipart
// over filePartSource, resume log in a file), so a miss can be placed in the upload layer
// or in the copy job around it. The end-to-end check (read the object back and compare
// its sha256 with the file's) is timed on its own. Encrypted: "platform encrypted" is the
// same upload layer over the encrypting part source (AES-256-GCM chunks sealed as each part is
// read, core/platform/crypto), against the same bare upload of the plaintext file; "app
// encrypted" is the whole copy to an encrypting destination (upload, read back, decrypt, sha256).
// A real s3rver process on loopback. Prints one JSON line last.
// Run: npx tsx bench/offsite.ts [--dump-mb 1024] [--rounds 3] [--concurrency 4] [--no-app]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { chunksPerPartFor, encryptedPartSource, generateKey, newEncryptionParams } from '../src-main/core/platform/crypto';
import { ObjectStore, filePartSource, fileResumeLog, partSizeFor, uploadMultipart } from '../src-main/core/platform/objectstore';
import { startLocalS3 } from '../tests/helpers/s3';
import { arg, loadAverage, median, round2 } from './bench-cluster';
import { appCopyRunner, type CopyRunner } from './offsite-app';
import { bareReadBackSha256, bareUpload, sdkClient, sha256File, timed, writeBigFile } from './s3-bench';

const DUMP_MB = arg('dump-mb', 1024);
const ROUNDS = arg('rounds', 3);
const WITH_APP = !process.argv.includes('--no-app');
const BUCKET = 'offsite-backups';

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const s3 = await startLocalS3([BUCKET]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-offsite-'));
  const client = sdkClient(s3.config());
  const store = new ObjectStore(s3.config());
  let app: CopyRunner | null = null;
  try {
    const drop = (key: string) => client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    app = WITH_APP ? await appCopyRunner({ s3, bucket: BUCKET, dumpMb: DUMP_MB, drop }) : null;
    const file = app?.file ?? path.join(root, 'bench.dump');
    const written = app === null ? await timed(() => writeBigFile(file, DUMP_MB * 1024 * 1024)) : { ms: 0 };
    const bytes = fs.statSync(file).size;
    const sha = await timed(() => sha256File(file));
    const partSize = app?.partSize ?? partSizeFor(bytes);
    const concurrency = arg('concurrency', app?.concurrency ?? 4);
    console.log(
      `load ${loadBefore.join(' ')}; s3rver ${s3.endpoint}; ${Math.round(bytes / 1e6)} MB file${app ? " (the app's backup)" : ''} written in ${Math.round(written.ms)} ms, sha256 ${Math.round(sha.ms)} ms; part ${partSize / 1024 / 1024} MiB × ${concurrency}; app: ${app?.describe ?? 'not available'}`,
    );

    // Warm-up (not counted): the file in the page cache, s3rver's first writes.
    await bareUpload(client, BUCKET, 'warm', file, partSize, concurrency);
    await drop('warm');

    const ms: Record<'bare' | 'platform' | 'platformEncrypted' | 'app' | 'readBack' | 'appEncrypted', number[]> = {
      bare: [],
      platform: [],
      platformEncrypted: [],
      app: [],
      readBack: [],
      appEncrypted: [],
    };
    const key = generateKey();
    let appDetail: unknown = null;
    for (let r = 0; r < ROUNDS; r++) {
      const bare = await timed(() => bareUpload(client, BUCKET, `bare-${r}`, file, partSize, concurrency));
      ms.bare.push(bare.ms);
      const back = await timed(() => bareReadBackSha256(client, BUCKET, `bare-${r}`));
      if (back.value !== sha.value) throw new Error(`bare upload read back a different sha256 (${back.value})`);
      ms.readBack.push(back.ms);
      await drop(`bare-${r}`);
      const resume = fileResumeLog(path.join(root, `platform-${r}.resume.json`));
      const plat = await timed(() => uploadMultipart(store, BUCKET, `platform-${r}`, filePartSource(file, partSize), { concurrency, resume }));
      ms.platform.push(plat.ms);
      await drop(`platform-${r}`);
      // A fresh salt per round, as every copy gets (the params are per copy).
      const params = newEncryptionParams();
      const encResume = fileResumeLog(path.join(root, `platform-enc-${r}.resume.json`));
      const encSource = encryptedPartSource(file, key, params, chunksPerPartFor(bytes, params));
      const platEnc = await timed(() => uploadMultipart(store, BUCKET, `platform-enc-${r}`, encSource, { concurrency, resume: encResume }));
      ms.platformEncrypted.push(platEnc.ms);
      await drop(`platform-enc-${r}`);
      let line = `round ${r + 1}: bare ${Math.round(bare.ms)} ms (read back + sha256 ${Math.round(back.ms)} ms), platform ${Math.round(plat.ms)} ms, platform encrypted ${Math.round(platEnc.ms)} ms`;
      if (app !== null) {
        const copy = await app.copy(r, false);
        ms.app.push(copy.ms);
        appDetail = copy.detail;
        line += `, app ${Math.round(copy.ms)} ms`;
        const enc = await app.copy(r, true).catch((err: unknown) => ({ ms: NaN, detail: String(err) }));
        if (Number.isFinite(enc.ms)) ms.appEncrypted.push(enc.ms);
        line += `, app encrypted ${Number.isFinite(enc.ms) ? `${Math.round(enc.ms)} ms` : `failed: ${String(enc.detail)}`}`;
        await app.cleanup();
      }
      console.log(line);
    }

    const m = (xs: number[]): number | null => (xs.length > 0 ? Math.round(median(xs)) : null);
    const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? round2(a / b) : null);
    const mbps = (x: number | null): number | null => (x === null ? null : Math.round(bytes / 1e6 / (x / 1000)));
    const out = {
      dumpMb: Math.round(bytes / 1e6),
      rounds: ROUNDS,
      partMiB: partSize / 1024 / 1024,
      concurrency,
      bareMs: m(ms.bare),
      bareMBps: mbps(m(ms.bare)),
      platformMs: m(ms.platform),
      appMs: m(ms.app),
      platformVsBareRatio: ratio(m(ms.platform), m(ms.bare)),
      appVsBareRatio: ratio(m(ms.app), m(ms.bare)),
      readBackSha256Ms: m(ms.readBack),
      // The app's copy reads the object back and hashes it before it counts: against the bare upload plus the same check.
      bareUploadPlusReadBackMs: m(ms.bare.map((b, i) => b + ms.readBack[i]!)),
      appVsBareWithReadBackRatio: ratio(m(ms.app), m(ms.bare.map((b, i) => b + ms.readBack[i]!))),
      localSha256Ms: Math.round(sha.ms),
      platformEncryptedMs: m(ms.platformEncrypted),
      platformEncryptedVsBareRatio: ratio(m(ms.platformEncrypted), m(ms.bare)),
      appEncryptedMs: m(ms.appEncrypted),
      appEncryptedVsBareRatio: ratio(m(ms.appEncrypted), m(ms.bare)),
      appEncryptedVsBareWithReadBackRatio: ratio(m(ms.appEncrypted), m(ms.bare.map((b, i) => b + ms.readBack[i]!))),
      appDetail,
      app: app?.describe ?? 'not available: no offsite copy operation on this commit',
      perRoundMs: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v.map(Math.round)])),
      loadAverage: { before: loadBefore, after: loadAverage() },
      targets: {
        appVsBareRatio: '<= 1.1 (upload alone: platformVsBareRatio; the whole verified copy: appVsBareWithReadBackRatio)',
        encrypted: '<= 1.1 (encrypted upload alone: platformEncryptedVsBareRatio; the whole encrypted copy: appEncryptedVsBareWithReadBackRatio)',
      },
    };
    console.log(JSON.stringify(out));
  } finally {
    await app?.close();
    client.destroy();
    store.destroy();
    await s3.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

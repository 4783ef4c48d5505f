// A storage snapshot written straight to an offsite destination (storageBackupToOffsite,
// issue #18) against a bare @aws-sdk/client-s3 loop in the same run: ListObjectsV2 on the
// source, then GetObject → PutObject to the destination for every object, the same
// concurrency (4), no hashing and no read-back — the floor any direct snapshot sits on. The
// app also hashes, reads every object back (decrypting nothing here), and big objects go
// through a temporary key + CopyObject. Then an incremental direct snapshot after 1 % of the
// objects changed (only those read and sent). Two s3rver processes on loopback (source and
// destination). Rounds alternate bare / app; each app round writes to a fresh destination
// prefix so its full run is full. Prints one JSON line last.
// Run: npx tsx bench/storage-direct.ts [--objects 300] [--total-mb 100] [--rounds 3]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createCore } from '../src-main/core/app';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import { S3_KEY_ID, S3_SECRET, startLocalS3 } from '../tests/helpers/s3';
import { arg, call, loadAverage, median, round2 } from './bench-cluster';
import { bareList, fillBucket, objectMix, pool, sdkClient, timed } from './s3-bench';

const OBJECTS = arg('objects', 300);
const TOTAL_MB = arg('total-mb', 100);
const ROUNDS = arg('rounds', 3);
const BUCKET = 'design-assets';

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const source = await startLocalS3([BUCKET]);
  const dest = await startLocalS3(['vault']);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-bench-direct-'));
  const core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench', strictErrors: false });
  const src = sdkClient(source.config());
  const dst = sdkClient(dest.config());
  try {
    const specs = objectMix(OBJECTS, TOTAL_MB * 1024 * 1024);
    await fillBucket(src, BUCKET, specs);
    const profile = await call<{ id: string }>(core, 'createProfile', {
      profile: {
        name: 'bench',
        host: 'h',
        database: 'postgres',
        user: 'postgres',
        env: 'development',
        storage: { endpoint: source.endpoint, region: 'us-east-1', accessKeyId: S3_KEY_ID },
      },
      storageSecret: S3_SECRET,
    });
    const c = dest.config();
    const bare: number[] = [];
    const full: number[] = [];
    const incremental: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b = await timed(async () => {
        const listed = await bareList(src, BUCKET);
        await pool(listed, 4, async (o) => {
          const got = await src.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.key }));
          const body = Buffer.from(await got.Body!.transformToByteArray());
          await dst.send(new PutObjectCommand({ Bucket: 'vault', Key: `bare-${round}/${o.key}`, Body: body }));
        });
      });
      bare.push(b.ms);
      const name = `vault-${round}-${crypto.randomUUID().slice(0, 6)}`;
      await call(core, 'createOffsiteDestination', {
        name,
        endpoint: c.endpoint,
        region: c.region,
        bucket: 'vault',
        prefix: name,
        accessKeyId: c.accessKeyId,
        secretAccessKey: 'bench',
      });
      const f = await timed(() => call(core, 'storageBackupToOffsite', { profileId: profile.id, destination: name }));
      full.push(f.ms);
      // 1 % changed (a different slice each round), then the incremental direct snapshot.
      const n = Math.max(1, Math.round(specs.length / 100));
      await fillBucket(
        src,
        BUCKET,
        Array.from({ length: n }, (_, i) => specs[((round * n + i) * 97) % specs.length]!),
        round + 1,
      );
      const inc = await timed(() => call(core, 'storageBackupToOffsite', { profileId: profile.id, destination: name }));
      incremental.push(inc.ms);
      console.error(`round ${round + 1}: bare ${Math.round(b.ms)} ms, direct full ${Math.round(f.ms)} ms, direct incremental ${Math.round(inc.ms)} ms`);
    }
    const result = {
      bench: 'storage-direct',
      objects: OBJECTS,
      totalMb: TOTAL_MB,
      rounds: ROUNDS,
      bareMs: Math.round(median(bare)),
      directFullMs: Math.round(median(full)),
      directIncrementalMs: Math.round(median(incremental)),
      fullVsBare: round2(median(full) / median(bare)),
      incrementalVsFull: round2(median(incremental) / median(full)),
      loadBefore,
      loadAfter: loadAverage(),
    };
    console.log(JSON.stringify(result));
  } finally {
    src.destroy();
    dst.destroy();
    await core.close();
    await source.destroy();
    await dest.destroy();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

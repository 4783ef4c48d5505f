// The app's side of the offsite benchmark: a real backup of a throwaway cluster through the
// core (startBackup, custom format, compression 0 so its ~M MB are dumped quickly), an S3
// destination on the same s3rver, and copyBackupOffsite through dispatch: upload, read back
// + sha256 against the catalog, the copy's manifest object, catalog row and audit. The
// backup's file is the one every variant uploads, so bare and app send the same bytes.
import fs from 'node:fs';
import pg from 'pg';
import type { BackupEntry } from '../src-main/contract/backup';
import type { Profile } from '../src-main/contract/models';
import { createCore } from '../src-main/core/app';
import { partSizeFor } from '../src-main/core/platform/objectstore';
import { MemorySecretStore } from '../src-main/core/platform/secrets/memory-secret-store';
import type { LocalS3 } from '../tests/helpers/s3';
import { call, followJob, startBenchCluster, type BenchCluster } from './bench-cluster';

/** The fields of contract/offsite.ts's CopyResult / OffsiteDestination this bench reads. */
interface CopyResult {
  key: string;
  bytes: number;
  verified: boolean;
  durationMs: number;
}
interface OffsiteDestination {
  name: string;
}

/** uploadMultipart's default parts in flight (copyBackup passes none). */
const APP_CONCURRENCY = 4;
const DB = 'offsite';

export interface CopyRunner {
  describe: string;
  /** The backup file the app copies; the bare upload sends the same file. */
  file: string;
  /** The app's part size and parts in flight (the bare upload uses the same). */
  partSize: number;
  concurrency: number;
  /** One copy of the file (encrypted or not), verified as the app verifies it; wall ms. */
  copy(round: number, encrypted: boolean): Promise<{ ms: number; detail: unknown }>;
  /** Deletes this round's copies from the bucket. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export interface CopySetup {
  s3: LocalS3;
  bucket: string;
  /** Dump size to aim for. */
  dumpMb: number;
  /** Removes an object (the copy and its manifest) between rounds. */
  drop(key: string): Promise<unknown>;
}

/** Random bytea (pgcrypto) of `mb` / 2 MiB: compression 0 dumps it as hex, twice the size. */
async function fillDatabase(port: number, mb: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  await client.query(`CREATE DATABASE ${DB}`);
  await client.end();
  const db = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: DB });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION pgcrypto');
    await db.query('CREATE TABLE blobs (id int PRIMARY KEY, body bytea)');
    await db.query('ALTER TABLE blobs ALTER COLUMN body SET STORAGE EXTERNAL');
    const rows = Math.max(1, Math.round(mb / 2));
    for (let i = 0; i < rows; i += 64)
      await db.query(
        `INSERT INTO blobs SELECT g, (SELECT string_agg(gen_random_bytes(1024), '') FROM generate_series(1, 1024) WHERE g > 0) FROM generate_series($1::int, $2::int) g`,
        [i + 1, Math.min(rows, i + 64)],
      );
  } finally {
    await db.end();
  }
}

export async function appCopyRunner(setup: CopySetup): Promise<CopyRunner | null> {
  let bench: BenchCluster | null = null;
  try {
    bench = await startBenchCluster('offsite');
    await fillDatabase(bench.port, setup.dumpMb);
    const c = createCore({ home: bench.dir('home'), mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'bench' });
    const profile = await call<Profile>(c, 'createProfile', {
      profile: { name: DB, host: '127.0.0.1', port: bench.port, database: DB, user: 'postgres', sslmode: 'disable', env: 'development', readOnly: false },
    });
    const b0 = performance.now();
    const { value, trace } = await followJob<{ backupId: string }>(c, 'startBackup', {
      profileId: profile.id,
      outDir: bench.dir('backups'),
      format: 'custom',
      compression: 0,
    });
    const entry = await call<BackupEntry>(c, 'getBackup', { id: value.backupId });
    if (!trace.ok) throw new Error(`backup failed: ${entry.error ?? trace.message}`);
    console.log(
      `backup for the copy: ${Math.round(fs.statSync(entry.path).size / 1e6)} MB in ${Math.round((performance.now() - b0) / 1000)} s (${entry.path})`,
    );
    const cfg = setup.s3.config();
    const dest = await call<OffsiteDestination>(c, 'createOffsiteDestination', {
      name: 'bench',
      endpoint: cfg.endpoint,
      region: cfg.region,
      bucket: setup.bucket,
      prefix: '',
      accessKeyId: cfg.accessKeyId,
      secretAccessKey: cfg.secretAccessKey,
      forcePathStyle: true,
    });
    const copied: string[] = [];
    let encDest: OffsiteDestination | null = null;
    const cluster = bench;
    return {
      describe: `copyBackupOffsite through dispatch (upload, read back + sha256, copy manifest, catalog, audit); part ${partSizeFor(fs.statSync(entry.path).size) / 1048576} MiB × ${APP_CONCURRENCY}`,
      file: entry.path,
      partSize: partSizeFor(fs.statSync(entry.path).size),
      concurrency: APP_CONCURRENCY,
      async copy(round, encrypted) {
        void round;
        // An encrypting destination on the same bucket under its own prefix, made on first use:
        // the operation refuses it until client-side encryption lands, which the caller reports.
        encDest ??= encrypted
          ? await call<OffsiteDestination>(c, 'createOffsiteDestination', {
              name: 'bench-encrypted',
              endpoint: cfg.endpoint,
              region: cfg.region,
              bucket: setup.bucket,
              prefix: 'encrypted',
              accessKeyId: cfg.accessKeyId,
              secretAccessKey: cfg.secretAccessKey,
              forcePathStyle: true,
              encrypt: true,
            })
          : null;
        const t0 = performance.now();
        const result = await call<CopyResult>(c, 'copyBackupOffsite', { backupId: entry.id, destination: encrypted ? encDest!.name : dest.name });
        const ms = performance.now() - t0;
        copied.push(result.key, `${result.key}.manifest.json`);
        return { ms, detail: { key: result.key, bytes: result.bytes, verified: result.verified, durationMs: result.durationMs } };
      },
      async cleanup() {
        for (const key of copied.splice(0)) await setup.drop(key);
      },
      async close() {
        await c.close().catch(() => undefined);
        await cluster.destroy();
      },
    };
  } catch (err) {
    console.error(`the app's copy is not measured: ${err instanceof Error ? err.message : String(err)}`);
    await bench?.destroy();
    return null;
  }
}

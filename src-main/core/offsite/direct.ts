// A database backup written straight to an offsite destination, never to a local file:
// pg_dump's stdout → sha256 of the plaintext (what the catalog records, as for a local dump)
// → the encryptor when the destination encrypts → one multipart upload of unknown length
// (platform/objectstore uploadStream: nothing visible under the key before Complete, aborted
// on any failure). Then the object is read back (decrypted when encrypted) and its sha256
// compared; a custom-format read-back also goes through `pg_restore --list` on stdin (the
// archive must be readable, as a local backup's TOC check). Only then the copy manifest is
// written (last, as copy.ts does) and the catalog gets an ok backup whose dump lives only
// offsite (its local path never exists, so restore and drill stage it through stage.ts)
// plus an ok copy row marked direct. A failure anywhere removes what was uploaded and
// leaves a failed backup row and a failed copy row.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { PassThrough, Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { version as appVersion } from '../../../package.json';
import type { BackupEntry, BackupManifest, BackupOptionsInput } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import type { CopyResult } from '../../contract/offsite';
import { BackupCatalog, prepareBackup } from '../backup';
import { decryptStream, encryptStream, newEncryptionParams, paramsToJson } from '../platform/crypto';
import { localLocation } from '../platform/destinations';
import type { Job } from '../platform/jobs/registry';
import { killTree } from '../platform/jobs/process-tree';
import type { CoreDeps } from '../platform/kernel/deps';
import { ObjectStore, uploadStream } from '../platform/objectstore';
import { discoverClientTools, pickTool, shortVersion } from '../platform/tools/client-tools';
import { shellQuote } from '../platform/tools/libpq-args';
import { clientToolEnv, errorText, StderrTail, writePassFile } from '../platform/tools/tool-process';
import type { CopyRepo } from './copies';
import { objectKeyFor, type CopyManifest } from './copy-manifest';
import type { DestinationRepo } from './destinations';

export interface DirectBackupResult {
  backup: BackupEntry;
  copy: CopyResult;
}

export interface DirectProgress {
  phase: 'upload' | 'verify';
  bytesDone: number;
  /** Unknown (null) while pg_dump streams; the object's size while it is read back. */
  bytesTotal: number | null;
}

type Repos = { destinations: DestinationRepo; copies: CopyRepo };

/** pg_dump's arguments without `-f FILE`: the dump goes to stdout. */
function stdoutArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-f') i++;
    else out.push(args[i]!);
  }
  if (!out.includes('-w') && !out.includes('--no-password')) out.push('--no-password');
  return out;
}

export async function backupStraightOffsite(
  deps: CoreDeps,
  repos: Repos,
  input: BackupOptionsInput & { destination: string; fileName?: string | undefined },
  job: Job,
  onProgress: (p: DirectProgress) => void = () => undefined,
): Promise<DirectBackupResult> {
  const { destination, fileName, ...options } = input;
  if (options.format === 'directory')
    throw new OpsError('INVALID_INPUT', 'A directory-format backup is a folder of files: it cannot be streamed offsite. Use --format custom or plain.', {
      field: 'format',
    });
  const d = repos.destinations.get(destination);
  // The key is checked against the destination's keyId before pg_dump starts.
  const encryptionKey = d.encrypt ? repos.destinations.encryptionKey(d) : null;
  const keyIdOf = encryptionKey !== null ? d.keyId : null;
  const profile = deps.profiles.require(options.profileId);
  // The name the review showed, when given: the object is named after exactly it (issue #19).
  const prepared = await prepareBackup(deps, profile, options as Parameters<typeof prepareBackup>[2], new Date(), fileName);
  const { plan } = prepared;
  const args = stdoutArgs(plan.args);
  const command = shellQuote([plan.tool.path, ...args]);
  const key = objectKeyFor(d, { profileName: profile.name, path: plan.path }) + (encryptionKey !== null ? '.enc' : '');
  const s3Path = `s3://${d.bucket}/${key}`;
  const catalog = new BackupCatalog(deps.store.db);
  const backupId = job.id;
  const copyId = crypto.randomUUID();
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  catalog.insertRunning({
    id: backupId,
    profileId: profile.id,
    profileName: profile.name,
    kind: plan.kind,
    format: plan.format,
    // The local path it would have had: never written, so readers find it "gone locally" and stage the offsite copy.
    path: plan.path,
    location: localLocation(plan.path),
    startedAt,
    command,
  });
  repos.copies.insertRunning({
    id: copyId,
    backupId,
    destinationId: d.id,
    destination: d.name,
    key,
    encrypted: keyIdOf !== null,
    keyId: keyIdOf,
    direct: true,
  });

  const store = new ObjectStore(repos.destinations.storeConfig(d));
  const stderr = new StderrTail();
  const pass = await writePassFile(prepared.password, deps.home);
  let child: ChildProcess | null = null;
  let uploaded = false;
  try {
    await store.checkBucket(d.bucket, job.signal);
    if ((await store.head(d.bucket, key, job.signal)) !== null)
      throw new OpsError('CONFLICT', `${key} already exists in ${d.bucket} at ${d.endpoint}; an offsite object is never replaced.`);
    const env = clientToolEnv(`ops-console backup ${backupId.slice(0, 8)}`, prepared.env, pass.file);
    const proc = spawn(plan.tool.path, args, {
      shell: false,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      windowsHide: true,
    });
    child = proc;
    job.adopt(proc);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => chunk.split('\n').forEach((line) => line !== '' && stderr.add(line)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      proc.once('error', (err) => reject(new OpsError('BACKUP_FAILED', `Could not start ${plan.tool.path}: ${err.message}`)));
      proc.once('close', (code, signal) => resolve({ code, signal }));
    });
    exited.catch(() => undefined);

    // The plaintext's hash and size as it leaves pg_dump.
    const hash = crypto.createHash('sha256');
    let plainBytes = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        plainBytes += chunk.length;
        done(null, chunk);
      },
    });
    const params = encryptionKey !== null ? newEncryptionParams() : null;
    const body: Readable = encryptionKey !== null ? proc.stdout.pipe(tap).pipe(encryptStream(encryptionKey, params!)) : proc.stdout.pipe(tap);
    // A failing stage must fail the upload (pipe() alone would leave it waiting).
    const failBody = (err: Error) => body.destroy(err);
    tap.on('error', failBody);
    // pg_dump exiting non-zero is known only at exit: the upload waits for it before Complete.
    const checked = new PassThrough();
    // The upload reads its errors through iteration; once it has stopped (aborted, cancelled) a late one has no reader.
    checked.on('error', () => undefined);
    body.on('error', (err) => checked.destroy(err));
    body.pipe(checked, { end: false });
    body.on('end', () => {
      exited.then(
        (exit) => {
          if (job.cancelReason !== null) checked.destroy(new OpsError('CANCELLED', `Backup cancelled: ${job.cancelReason}.`));
          else if (exit.signal !== null) checked.destroy(new OpsError('BACKUP_FAILED', `${plan.tool.name} was killed (${exit.signal}) before it finished.`));
          else if (exit.code !== 0)
            checked.destroy(
              new OpsError('BACKUP_FAILED', `${plan.tool.name} failed (exit code ${exit.code})${stderr.firstProblem() ? `: ${stderr.firstProblem()}` : '.'}`),
            );
          else checked.end();
        },
        (err: unknown) => checked.destroy(err as Error),
      );
    });
    let sent = 0;
    const upload = await uploadStream(store, d.bucket, key, checked, {
      signal: job.signal,
      contentType: 'application/octet-stream',
      onBytes: (delta) => {
        sent += delta;
        onProgress({ phase: 'upload', bytesDone: sent, bytesTotal: null });
      },
    }).catch(async (err: unknown) => {
      // pg_dump's own failure explains a broken upload better than the stream error does.
      if (child !== null) killTree(child, 'SIGKILL');
      const exit = await exited.catch(() => null);
      if (job.cancelReason !== null) throw new OpsError('CANCELLED', `Backup cancelled: ${job.cancelReason}.`);
      if (exit !== null && exit.code !== 0 && exit.signal === null && !(err instanceof OpsError && err.code === 'STORAGE_FAILED'))
        throw new OpsError('BACKUP_FAILED', `${plan.tool.name} failed (exit code ${exit.code})${stderr.firstProblem() ? `: ${stderr.firstProblem()}` : '.'}`);
      throw err;
    });
    uploaded = true;
    const sha256 = hash.digest('hex');

    const back = await readBack(deps, store, d.bucket, key, encryptionKey, plan.format === 'custom' ? plan.tool.major : null, job, (n) =>
      onProgress({ phase: 'verify', bytesDone: n, bytesTotal: upload.bytes }),
    );
    if (back.sha256 !== sha256)
      throw new OpsError('STORAGE_FAILED', `${key} read back from ${d.endpoint} does not match the dump (sha256 ${back.sha256} ≠ ${sha256}).`, {
        reason: 'integrity',
        endpoint: d.endpoint,
        bucket: d.bucket,
        key,
      });
    const finishedAt = new Date().toISOString();
    const { profileId: _p, password: _pw, outDir: _o, ...shownOptions } = prepared.options;
    const manifest: BackupManifest = {
      manifestVersion: 1,
      app: `ops-console ${appVersion}`,
      id: backupId,
      profile: { name: profile.name, host: profile.host, port: profile.port, database: profile.database, user: profile.user },
      serverVersion: prepared.serverVersion,
      pgDumpVersion: plan.tool.version,
      kind: plan.kind,
      format: plan.format,
      options: shownOptions,
      file: path.basename(plan.path),
      startedAt,
      finishedAt,
      bytes: plainBytes,
      sha256,
      // Row counts need the dump's snapshot session, which a streamed dump does not open.
      tables: [],
      objects: plan.format === 'plain' && plan.kind !== 'roles' ? { TABLE: prepared.tables.length } : back.objects,
      tocEntries: back.tocEntries,
      preOperationMarker: null,
      warnings: [`written straight to offsite destination ${d.name}: ${s3Path}`],
    };
    const copyManifest: CopyManifest = {
      copy: {
        id: copyId,
        backupId,
        key,
        bytes: back.bytes,
        sha256,
        encrypted: params !== null,
        keyId: keyIdOf,
        copiedAt: finishedAt,
        plainBytes,
        encryption: params !== null ? paramsToJson(params) : null,
      },
      backup: manifest,
    };
    await store.putBody(d.bucket, `${key}.manifest.json`, JSON.stringify(copyManifest, null, 2), { contentType: 'application/json', signal: job.signal });
    const durationMs = Date.now() - started;
    catalog.finish(backupId, { status: 'ok', bytes: plainBytes, sha256, finishedAt, durationMs, manifest });
    // Read back whole, hashed, and (custom) listed by pg_restore: its first verification.
    catalog.setVerified(backupId, true, finishedAt);
    repos.copies.finishOk(copyId, back.bytes, sha256, finishedAt);
    return {
      backup: catalog.get(backupId)!,
      copy: {
        ok: true,
        id: copyId,
        backupId,
        destination: d.name,
        key,
        bytes: back.bytes,
        sha256,
        encrypted: params !== null,
        keyId: keyIdOf,
        durationMs,
        verified: true,
      },
    };
  } catch (err) {
    if (child !== null) killTree(child, 'SIGKILL');
    if (uploaded) await store.remove(d.bucket, key).catch(() => undefined);
    const cancelled = job.cancelReason !== null || (err instanceof OpsError && err.code === 'CANCELLED');
    const message = errorText(err);
    const tail = stderr.text();
    const error = tail && !message.includes(tail) ? `${message}\n${tail}` : message;
    catalog.finish(backupId, { status: cancelled ? 'cancelled' : 'failed', finishedAt: new Date().toISOString(), durationMs: Date.now() - started, error });
    repos.copies.finishFailed(copyId, cancelled ? 'cancelled' : 'failed', message);
    if (cancelled && !(err instanceof OpsError && err.code === 'CANCELLED')) throw new OpsError('CANCELLED', `Backup cancelled: ${job.cancelReason}.`);
    throw err;
  } finally {
    store.destroy();
    await pass.remove().catch(() => undefined);
  }
}

/**
 * The object streamed back (through the decryptor when encrypted): its stored bytes and the
 * plaintext's sha256; with `pgMajor`, the plaintext also fed to `pg_restore --list` on stdin,
 * which must exit 0 with a TOC.
 */
async function readBack(
  deps: CoreDeps,
  store: ObjectStore,
  bucket: string,
  key: string,
  encryptionKey: Buffer | null,
  pgMajor: number | null,
  job: Job,
  onBytes: (total: number) => void,
): Promise<{ bytes: number; sha256: string; tocEntries: number | null; objects: Record<string, number> }> {
  const signal = job.signal;
  const { body } = await store.getStream(bucket, key, { signal });
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      onBytes(bytes);
      done(null, chunk);
    },
  });
  const hash = crypto.createHash('sha256');
  let lister: ChildProcess | null = null;
  let listed: Promise<{ code: number | null; out: string; err: string }> | null = null;
  if (pgMajor !== null) {
    const pgRestore = pickTool(await discoverClientTools(deps), 'pg_restore', pgMajor, `The archive was written by pg_dump ${shortVersion(String(pgMajor))}`);
    const proc = spawn(pgRestore.path, ['--list'], { shell: false, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    lister = proc;
    job.adopt(proc);
    // pg_restore stops reading once it has the TOC: the rest is still hashed, not sent to it.
    proc.stdin.on('error', () => undefined);
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
    listed = new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('close', (code) => resolve({ code, out, err }));
    });
  }
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      if (lister !== null && lister.stdin?.writable) lister.stdin.write(chunk, () => done());
      else done();
    },
    final(done) {
      lister?.stdin?.end();
      done();
    },
  });
  try {
    const stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream> = [body as Readable, counted];
    if (encryptionKey !== null) stages.push(decryptStream(encryptionKey));
    stages.push(sink);
    await pipeline(stages);
  } catch (err) {
    if (lister !== null) killTree(lister, 'SIGKILL');
    if (err instanceof OpsError) throw err;
    throw store.fail(err, signal, { bucket, key }, `reading ${key} back`);
  }
  if (listed === null) return { bytes, sha256: hash.digest('hex'), tocEntries: null, objects: {} };
  const result = await listed;
  const toc = result.out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
  if (result.code !== 0 || toc.length === 0)
    throw new OpsError('BACKUP_FAILED', `pg_restore --list cannot read ${key} as read back: ${result.err.split('\n')[0] || `exit ${String(result.code)}`}`, {
      path: `s3://${bucket}/${key}`,
      stderr: result.err,
    });
  const objects: Record<string, number> = {};
  for (const line of toc) {
    // "123; 1259 16385 TABLE public t owner": the object type follows the three numbers.
    const m = /^\d+;\s+\d+\s+\d+\s+(.+?)\s+\S+\s+\S+\s+\S+$/.exec(line);
    if (m) objects[m[1]!] = (objects[m[1]!] ?? 0) + 1;
  }
  return { bytes, sha256: hash.digest('hex'), tocEntries: toc.length, objects };
}

// The local file system as a Destination: one folder, artifacts as files or folders in it.
// Everything is private (files 0600, folders 0700, see private-fs.ts); a partial is created
// exclusively, published with a hard link (which fails rather than replace a file) or, for
// folders and file systems without hard links, a rename after an existence check, and the
// folder is fsynced after the rename so the new name survives a crash.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { log } from '../kernel/log';
import { PRIVATE_DIR, PRIVATE_FILE, tightenTree } from '../fs/private-fs';
import { makeFolderDurably, syncDirectory } from '../fs/sync-folders';
import { outputBytes } from '../tools/progress';
import type { ArtifactLocation, ArtifactShape, ArtifactStat, Destination, PartialWriter } from './destination';

/** Large chunks: fewer syscalls for big writes; memory stays bounded by one batch. */
const HIGH_WATER_MARK = 1024 * 1024;
const PARTIAL_SUFFIX = '.partial';
/** Errors of file systems that cannot make hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as NodeJS.ErrnoException).code ?? undefined) : undefined;
}

function errnoError(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

async function exists(target: string): Promise<boolean> {
  return fs.promises.stat(target).then(
    () => true,
    () => false,
  );
}

/** A stream into an open file that respects backpressure, then fsyncs and closes (exports use it directly). */
export class FileStreamWriter implements PartialWriter {
  bytes = 0;
  private readonly stream: fs.WriteStream;
  private failure: Error | null = null;
  private closed = false;

  constructor(private readonly handle: FileHandle) {
    this.stream = handle.createWriteStream({ autoClose: false, emitClose: false, highWaterMark: HIGH_WATER_MARK });
    // Kept for the next write/wait: an 'error' with no listener would crash the process.
    this.stream.on('error', (err: Error) => {
      this.failure ??= err;
    });
  }

  private waitFor(event: 'drain' | 'finish'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const onError = (err: Error) => {
        this.stream.off(event, onEvent);
        reject(err);
      };
      const onEvent = () => {
        this.stream.off('error', onError);
        resolve();
      };
      this.stream.once(event, onEvent);
      this.stream.once('error', onError);
    });
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.bytes += Buffer.byteLength(text, 'utf8');
    if (!this.stream.write(text)) await this.waitFor('drain');
  }

  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    const finished = this.waitFor('finish');
    this.stream.end();
    await finished;
    await this.handle.sync();
    // The stream holds a reference on the handle: close() would wait for ever without this.
    this.stream.destroy();
    this.closed = true;
    await this.handle.close();
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

/**
 * Renames a finished partial to its final path without ever replacing anything there: a
 * file by hard link (fails with EEXIST if the name was taken meanwhile), a folder, or a
 * file on a file system without hard links, by rename after an existence check. Rejects
 * with code EEXIST when the name is taken; the partial is then untouched.
 */
export async function publishWithoutReplacing(from: string, to: string): Promise<void> {
  const taken = () => errnoError(`${to} exists`, 'EEXIST');
  let linked = false;
  if (!(await fs.promises.stat(from)).isDirectory()) {
    try {
      await fs.promises.link(from, to);
      linked = true;
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EEXIST') throw taken();
      if (!NO_HARD_LINKS.has(code ?? '')) throw err;
    }
  }
  if (linked) {
    // Complete under its final name now: a partial left behind is clutter (a later
    // discard retries it), never a reason to call the publish failed.
    await fs.promises.unlink(from).catch(() => undefined);
  } else {
    // rename() replaces a file and an empty folder: the check is what forbids it.
    if (await exists(to)) throw taken();
    await fs.promises.rename(from, to);
  }
  await syncDirectory(path.dirname(to));
}

export class LocalDestination implements Destination {
  /** The folder, absolute. */
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get description(): string {
    return this.root;
  }

  localPath(name: string): string {
    return path.join(this.root, ...name.split('/'));
  }

  location(name: string): ArtifactLocation {
    return { destination: 'local', path: this.localPath(name) };
  }

  partialName(name: string): string {
    return `${name}${PARTIAL_SUFFIX}`;
  }

  async check(): Promise<void> {
    // A folder we create is private (0700), and its name durable like the backups published
    // into it; an existing one chosen by the user stays as it is.
    await makeFolderDurably(this.root, PRIVATE_DIR);
    const stat = await fs.promises.stat(this.root);
    if (!stat.isDirectory()) throw errnoError('not a folder', 'ENOTDIR');
    // access(W_OK) says yes to root on a read-only mount's neighbours and no on some network
    // shares that would work: only a real write tells.
    const probe = path.join(this.root, `.ops-console-write-test-${crypto.randomBytes(6).toString('hex')}`);
    const handle = await fs.promises.open(probe, 'wx', PRIVATE_FILE);
    await handle.close();
    await fs.promises.unlink(probe);
  }

  async freeBytes(): Promise<number | null> {
    try {
      const s = await fs.promises.statfs(this.root);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }

  async freeName(fileName: string, maxSuffix: number): Promise<string | null> {
    const ext = path.extname(fileName);
    const stem = ext === '' ? fileName : fileName.slice(0, -ext.length);
    for (let n = 1; n <= maxSuffix; n++) {
      const candidate = n === 1 ? fileName : `${stem}-${n}${ext}`;
      if (!(await exists(this.localPath(candidate))) && !(await exists(this.localPath(this.partialName(candidate))))) return candidate;
    }
    return null;
  }

  async createPartial(name: string, shape: ArtifactShape): Promise<void> {
    if (shape === 'directory') return;
    // Empty and 0600 before pg_dump opens it (with truncation, which keeps the mode): its
    // own default would be the umask's 0644, a whole database readable by every account.
    const handle = await fs.promises.open(this.localPath(this.partialName(name)), 'wx', PRIVATE_FILE);
    await handle.close();
  }

  async openPartial(name: string): Promise<PartialWriter> {
    const handle = await fs.promises.open(this.localPath(this.partialName(name)), 'wx', PRIVATE_FILE);
    return new FileStreamWriter(handle);
  }

  async sealPartial(name: string): Promise<void> {
    await tightenTree(this.localPath(this.partialName(name)));
  }

  publish(name: string): Promise<void> {
    return publishWithoutReplacing(this.localPath(this.partialName(name)), this.localPath(name));
  }

  async discard(name: string): Promise<void> {
    const target = this.localPath(this.partialName(name));
    await fs.promises.rm(target, { recursive: true, force: true }).catch((err: unknown) => log.warn(`could not delete ${target}`, err));
  }

  async stat(name: string): Promise<ArtifactStat | null> {
    const target = this.localPath(name);
    const s = await fs.promises.stat(target).catch(() => null);
    if (s === null) return null;
    const shape = s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
    return { shape, bytes: shape === 'directory' ? await outputBytes(target) : s.size, mtimeMs: s.mtimeMs, identity: String(s.ino) };
  }

  exists(name: string): Promise<boolean> {
    return exists(this.localPath(name));
  }

  readStream(name: string, chunkBytes: number = HIGH_WATER_MARK): Readable {
    return fs.createReadStream(this.localPath(name), { highWaterMark: chunkBytes });
  }

  async readRange(name: string, position: number, length: number): Promise<Buffer> {
    const handle = await fs.promises.open(this.localPath(name), 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, position);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async readText(name: string): Promise<string | null> {
    try {
      return await fs.promises.readFile(this.localPath(name), 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      throw err;
    }
  }

  async writeText(name: string, text: string): Promise<void> {
    const file = this.localPath(name);
    const tmp = `${file}.tmp-${crypto.randomBytes(6).toString('hex')}`;
    try {
      const handle = await fs.promises.open(tmp, 'wx', PRIVATE_FILE);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(tmp, file);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await syncDirectory(path.dirname(file));
  }

  async listFiles(name: string): Promise<string[]> {
    const root = this.localPath(name);
    const walk = async (rel: string): Promise<string[]> => {
      const out: string[] = [];
      for (const d of await fs.promises.readdir(path.join(root, rel), { withFileTypes: true })) {
        const child = rel === '' ? d.name : `${rel}/${d.name}`;
        if (d.isDirectory()) out.push(...(await walk(child)));
        else if (d.isFile()) out.push(child);
      }
      return out;
    };
    return (await walk('')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async remove(name: string): Promise<void> {
    await fs.promises.rm(this.localPath(name), { recursive: true, force: true });
  }
}

/** The local destination holding an absolute path, and the artifact's name in it. */
export function localArtifact(absolutePath: string): { destination: LocalDestination; name: string } {
  const trimmed = absolutePath.length > 1 ? absolutePath.replace(/[\\/]+$/, '') : absolutePath;
  return { destination: new LocalDestination(path.dirname(trimmed)), name: path.basename(trimmed) };
}

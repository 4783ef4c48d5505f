// The file side of an export: a name that never replaces an existing file, written as
// `<name>.partial` with the write stream's backpressure respected, fsynced, then published
// under its final name. Until `publish` succeeds only a `.partial` exists, and `discard`
// removes it, so a failed export can never leave a file that looks like a good one.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

export type ExportFormat = 'csv' | 'json';

const MAX_SUFFIX = 10_000;
/** Large chunks: fewer syscalls for big exports; memory stays bounded by one batch. */
const HIGH_WATER_MARK = 1024 * 1024;

/** A profile name as a file-name part: letters, digits, dot, dash and underscore only. */
export function sanitizeFileName(name: string): string {
  const clean = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 60);
  return clean === '' ? 'export' : clean;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `<profile>_<YYYYMMDD-HHMMSS>` in local time (what the user reads on their clock). */
export function exportBaseName(profileName: string, at: Date): string {
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `${sanitizeFileName(profileName)}_${stamp}`;
}

/** Errors of file systems that cannot make hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as NodeJS.ErrnoException).code ?? undefined) : undefined;
}

export class ExportFile {
  /** Bytes handed to the stream (equals the file size once `finish` resolved). */
  bytes = 0;
  private readonly stream: fs.WriteStream;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly partialPath: string,
    private readonly finalPathFor: (suffix: number) => string,
    private readonly suffix: number,
  ) {
    this.stream = handle.createWriteStream({ autoClose: false, emitClose: false, highWaterMark: HIGH_WATER_MARK });
    // Kept for the next write/wait: an 'error' with no listener would crash the process.
    this.stream.on('error', (err: Error) => {
      this.failure ??= err;
    });
  }

  /**
   * Reserves `<dir>/<base>.<ext>.partial` (or `<base>-N…`) with an exclusive create, so two
   * exports in the same second, or a file already there, never collide.
   */
  static async create(dir: string, base: string, format: ExportFormat): Promise<ExportFile> {
    // Exports hold query results: private to the user, like everything the app writes.
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    const finalPathFor = (suffix: number) => path.join(dir, `${base}${suffix === 0 ? '' : `-${suffix}`}.${format}`);
    for (let suffix = 0; suffix < MAX_SUFFIX; suffix++) {
      const finalPath = finalPathFor(suffix);
      if (fs.existsSync(finalPath)) continue;
      const partialPath = `${finalPath}.partial`;
      try {
        const handle = await fs.promises.open(partialPath, 'wx', 0o600);
        return new ExportFile(handle, partialPath, finalPathFor, suffix);
      } catch (err) {
        if (errnoOf(err) === 'EEXIST') continue;
        throw err;
      }
    }
    throw new Error(`no free file name for ${base}.${format} in ${dir}`);
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

  /** Resolves when the stream can take more: a slow or full disk slows the cursor reads. */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.bytes += Buffer.byteLength(text, 'utf8');
    if (!this.stream.write(text)) await this.waitFor('drain');
  }

  /** Flushes, fsyncs and closes the .partial: after this its content is on disk. */
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

  /**
   * Gives the finished file its final name without replacing anything: a hard link fails
   * if the name was taken meanwhile (then the next suffix is tried); on file systems
   * without hard links, a rename after an existence check.
   */
  async publish(): Promise<string> {
    for (let suffix = this.suffix; suffix < MAX_SUFFIX; suffix++) {
      const finalPath = this.finalPathFor(suffix);
      let linked = false;
      try {
        await fs.promises.link(this.partialPath, finalPath);
        linked = true;
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'EEXIST') continue;
        if (!NO_HARD_LINKS.has(code ?? '')) throw err;
      }
      if (linked) {
        // The export is complete under its final name now: a .partial left behind is
        // clutter (discard() retries it), never a reason to report the export as failed.
        await fs.promises.unlink(this.partialPath).catch(() => undefined);
      } else {
        if (fs.existsSync(finalPath)) continue;
        await fs.promises.rename(this.partialPath, finalPath);
      }
      await syncDirectory(path.dirname(finalPath));
      return finalPath;
    }
    throw new Error(`no free file name for ${this.partialPath}`);
  }

  /** Stops writing and removes the .partial (never throws: it runs while handling a failure). */
  async discard(): Promise<void> {
    this.stream.destroy();
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await fs.promises.rm(this.partialPath, { force: true }).catch(() => undefined);
  }
}

/** Makes the new directory entry durable too (best effort: not every platform can). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory for fsync; the file's own data is already synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

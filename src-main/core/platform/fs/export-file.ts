// The file side of an export: a name that never replaces an existing file, written as
// `<name>.partial` with the write stream's backpressure respected, fsynced, then published
// under its final name (the local destination's writer and publish, platform/destinations).
// Until `publish` succeeds only a `.partial` exists, and `discard` removes it, so a failed
// export can never leave a file that looks like a good one.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FileStreamWriter, publishWithoutReplacing } from '../destinations';

export type ExportFormat = 'csv' | 'json';

const MAX_SUFFIX = 10_000;

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

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as NodeJS.ErrnoException).code ?? undefined) : undefined;
}

export class ExportFile {
  private readonly writer: FileStreamWriter;

  constructor(
    handle: FileHandle,
    readonly partialPath: string,
    private readonly finalPathFor: (suffix: number) => string,
    private readonly suffix: number,
  ) {
    this.writer = new FileStreamWriter(handle);
  }

  /** Bytes handed to the stream (equals the file size once `finish` resolved). */
  get bytes(): number {
    return this.writer.bytes;
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

  /** Resolves when the stream can take more: a slow or full disk slows the cursor reads. */
  write(text: string): Promise<void> {
    return this.writer.write(text);
  }

  /** Flushes, fsyncs and closes the .partial: after this its content is on disk. */
  finish(): Promise<void> {
    return this.writer.finish();
  }

  /**
   * Gives the finished file its final name without replacing anything (the local
   * destination's publish: a hard link, or a rename after an existence check); a name
   * taken meanwhile moves on to the next suffix.
   */
  async publish(): Promise<string> {
    for (let suffix = this.suffix; suffix < MAX_SUFFIX; suffix++) {
      const finalPath = this.finalPathFor(suffix);
      try {
        await publishWithoutReplacing(this.partialPath, finalPath);
        return finalPath;
      } catch (err) {
        if (errnoOf(err) === 'EEXIST') continue;
        throw err;
      }
    }
    throw new Error(`no free file name for ${this.partialPath}`);
  }

  /** Stops writing and removes the .partial (never throws: it runs while handling a failure). */
  async discard(): Promise<void> {
    await this.writer.abort();
    await fs.promises.rm(this.partialPath, { force: true }).catch(() => undefined);
  }
}
